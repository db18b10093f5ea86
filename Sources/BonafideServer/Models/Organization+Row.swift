import FluentKit

extension Organization {
    /// An organization of a row read with raw SQL, loaded as `decode(fluentModel:)` loads it (each property marked as
    /// read, so a later save writes only what changed) but without reflection: every partnership page reads both
    /// sides. Every stored property is listed; `PartnershipSidesTests` compares with Fluent's own loading.
    static func load(from output: any DatabaseOutput) throws -> Organization {
        let organization = Organization()
        try organization.$id.output(from: output)
        try organization.$name.output(from: output)
        try organization.$description.output(from: output)
        try organization.$capabilities.output(from: output)
        try organization.$limitations.output(from: output)
        try organization.$risks.output(from: output)
        try organization.$timeZone.output(from: output)
        try organization.$languages.output(from: output)
        try organization.$workStartMinute.output(from: output)
        try organization.$workEndMinute.output(from: output)
        try organization.$workDays.output(from: output)
        try organization.$messageSentiment.output(from: output)
        try organization.$requireTwoFactor.output(from: output)
        try organization.$statusPageText.output(from: output)
        try organization.$createdAt.output(from: output)
        return organization
    }
}
