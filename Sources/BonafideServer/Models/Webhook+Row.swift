import FluentKit

extension Webhook {
    /// An endpoint of a row read with raw SQL, loaded as `decode(fluentModel:)` loads it (each property marked as
    /// read, so a later save writes only what changed) but without reflection: every message and step of a
    /// partnership reads its sides' enabled endpoints (`Webhooks.enabled`). Every stored property is listed;
    /// `AudienceLoadTests` compares with Fluent's own loading.
    static func load(from output: any DatabaseOutput) throws -> Webhook {
        let hook = Webhook()
        try hook.$id.output(from: output)
        try hook.$organization.output(from: output)
        try hook.$url.output(from: output)
        try hook.$eventsText.output(from: output)
        try hook.$sealedSecret.output(from: output)
        try hook.$format.output(from: output)
        try hook.$createdBy.output(from: output)
        try hook.$createdAt.output(from: output)
        try hook.$disabledAt.output(from: output)
        try hook.$disabledReason.output(from: output)
        return hook
    }
}
