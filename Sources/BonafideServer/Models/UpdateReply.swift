import Fluent
import Foundation

/// One message in an update's private thread with one reader organization: a reader's reply, or the answer of the
/// organization that wrote the update. Scored for sentiment like testimonials, for the writer's figures.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class UpdateReply: Model, @unchecked Sendable {
    static let schema = "update_replies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "update_id") var update: OrganizationUpdate
    /// The reader organization whose thread this is, also on the writer's answers: the thread's key.
    @Parent(key: "organization_id") var organization: Organization
    @Enum(key: "side") var side: UpdateReplySide
    @OptionalParent(key: "author_id") var author: User?
    @Field(key: "body") var body: String
    @Field(key: "sentiment") var sentiment: Double
    /// The phrases that drove the score, as JSON (`[Sentiment.Driver]`, `StoredDrivers`).
    @Field(key: "drivers") var drivers: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
