import FluentKit

extension User {
    /// The person of a row read with raw SQL, loaded as `decode(fluentModel:)` loads it (each property marked as read,
    /// so a later save writes only what changed) but without reflection: the session's person is read on every page.
    /// Every stored property is listed; `SessionLookupTests` compares with Fluent's own loading.
    static func load(from output: any DatabaseOutput) throws -> User {
        let user = User()
        try user.$id.output(from: output)
        try user.$email.output(from: output)
        try user.$name.output(from: output)
        try user.$passwordHash.output(from: output)
        try user.$timeZone.output(from: output)
        try user.$organization.output(from: output)
        try user.$role.output(from: output)
        try user.$createdAt.output(from: output)
        try user.$emailVerifiedAt.output(from: output)
        try user.$passwordChangedAt.output(from: output)
        try user.$totpSecret.output(from: output)
        try user.$totpConfirmedAt.output(from: output)
        try user.$totpLastCounter.output(from: output)
        return user
    }
}
