import Fluent
import Foundation

/// One registration's upvote of a question: unique per pair, so nobody counts twice.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class EventQuestionVote: Model, @unchecked Sendable {
    static let schema = "event_question_votes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "question_id") var question: EventQuestion
    @Parent(key: "registration_id") var registration: EventRegistration
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
