import Fluent
import Foundation

/// An organization's endpoint that receives its partnerships' events, signed per the Standard Webhooks spec.
final class Webhook: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "webhooks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "url") var url: String
    /// Event types, comma-separated; "*" for all, "commitment.*" for a family.
    @Field(key: "events") var eventsText: String
    /// The whsec_ secret, sealed with the server's key (`SecretBox`): the server must read it to sign.
    @Field(key: "secret") var sealedSecret: String
    /// "standard" (the event as JSON) or "slack" ({"text": ...}, for Slack-compatible incoming webhooks).
    @Field(key: "format") var format: String
    @Parent(key: "created_by_id") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    @OptionalField(key: "disabled_reason") var disabledReason: String?

    init() {}

    var events: [String] { eventsText.split(separator: ",").map(String.init) }

    func wants(_ type: String) -> Bool {
        events.contains { $0 == "*" || $0 == type || ($0.hasSuffix(".*") && type.hasPrefix($0.dropLast())) }
    }
}
