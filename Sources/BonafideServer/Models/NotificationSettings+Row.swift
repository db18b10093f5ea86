import FluentKit

extension NotificationSettings {
    /// A person's settings of a row read with raw SQL, loaded as `decode(fluentModel:)` loads them (each property
    /// marked as read, so a later save writes only what changed) but without reflection: every message and step of a
    /// partnership reads its members' (`PartnershipAudience`). Every stored property is listed; `AudienceLoadTests`
    /// compares with Fluent's own loading.
    static func load(from output: any DatabaseOutput) throws -> NotificationSettings {
        let settings = NotificationSettings()
        try settings.$id.output(from: output)
        try settings.$user.output(from: output)
        try settings.$digestHour.output(from: output)
        try settings.$quietStart.output(from: output)
        try settings.$quietEnd.output(from: output)
        try settings.$workDaysText.output(from: output)
        try settings.$modesJSON.output(from: output)
        try settings.$calendarVersion.output(from: output)
        try settings.$lastDigestAt.output(from: output)
        return settings
    }
}
