import FluentKit

extension MessageThread {
    /// A thread of a row read with raw SQL, loaded as `decode(fluentModel:)` loads it (each property marked as read,
    /// so a later save writes only what changed) but without reflection: every message posted in a thread reads it
    /// and saves its new `lastMessageAt`. Every stored property is listed; `MessageThreadRowTests` compares with
    /// Fluent's own loading.
    static func load(from output: any DatabaseOutput) throws -> MessageThread {
        let thread = MessageThread()
        try thread.$id.output(from: output)
        try thread.$partnership.output(from: output)
        try thread.$subject.output(from: output)
        try thread.$createdBy.output(from: output)
        try thread.$createdAt.output(from: output)
        try thread.$lastMessageAt.output(from: output)
        return thread
    }
}
