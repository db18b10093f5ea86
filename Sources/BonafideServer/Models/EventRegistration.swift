import Fluent
import Foundation

/// One person's seat at an event: a signed-in person (`user`), or anyone by address for a public event, who then
/// acts through a personal link whose token is kept only as a digest.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class EventRegistration: Model, @unchecked Sendable {
    static let schema = "event_registrations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "event_id") var event: LiveEvent
    @OptionalParent(key: "user_id") var user: User?
    /// Normalized; unique per event, so one address holds one seat.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// SHA-256 of the personal link's token (`Secrets.digest`); nil for a registration through an account.
    @OptionalField(key: "token_digest") var tokenDigest: String?
    @Field(key: "registered_at") var registeredAt: Date
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    /// Nil until the organizer marks attendance after the start.
    @OptionalField(key: "attended") var attended: Bool?

    init() {}
}
