import FluentKit

extension Partnership {
    /// A partnership of a row read with raw SQL, loaded as `decode(fluentModel:)` loads it (each property marked as
    /// read, so a later save writes only what changed) but without reflection: every partnership page and API call
    /// reads one (`Policy.partnership`). Every stored property is listed; `PartnershipRowTests` compares with Fluent's
    /// own loading.
    static func load(from output: any DatabaseOutput) throws -> Partnership {
        let partnership = Partnership()
        try partnership.$id.output(from: output)
        try partnership.$name.output(from: output)
        try partnership.$organization.output(from: output)
        try partnership.$partner.output(from: output)
        try partnership.$status.output(from: output)
        try partnership.$invitedEmail.output(from: output)
        try partnership.$invitationSecretHash.output(from: output)
        try partnership.$createdBy.output(from: output)
        try partnership.$createdAt.output(from: output)
        return partnership
    }
}
