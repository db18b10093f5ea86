import Fluent
import Foundation

/// A question a registered person asks before or during an event; attendees upvote it, the organizer answers it,
/// and the answer is kept with it.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class EventQuestion: Model, @unchecked Sendable {
    static let schema = "event_questions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "event_id") var event: LiveEvent
    @Parent(key: "registration_id") var registration: EventRegistration
    @Field(key: "text") var text: String
    /// The count of `EventQuestionVote` rows, kept on the question so lists sort by it without counting.
    @Field(key: "votes") var votes: Int
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answer") var answer: String?
    @OptionalParent(key: "answered_by") var answeredBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
