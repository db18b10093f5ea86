import FluentKit

extension WebSession {
    /// A session of a row read with raw SQL, loaded as `decode(fluentModel:)` loads it (a later save is an UPDATE of
    /// what changed) but without reflection: every signed-in page reads one. Every stored property is listed;
    /// `SessionLookupTests` compares with Fluent's own loading.
    static func load(from output: any DatabaseOutput) throws -> WebSession {
        let session = WebSession()
        try session.$id.output(from: output)
        try session.$tokenHash.output(from: output)
        try session.$user.output(from: output)
        try session.$pendingSecondFactor.output(from: output)
        try session.$createdAt.output(from: output)
        try session.$lastSeenAt.output(from: output)
        try session.$userAgent.output(from: output)
        try session.$ip.output(from: output)
        try session.$data.output(from: output)
        return session
    }
}
