import BonafideCore
import Fluent
import Foundation

final class Message: Model, @unchecked Sendable {
    static let schema = "messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "thread_id") var thread: MessageThread
    @Parent(key: "partnership_id") var partnership: Partnership
    @Parent(key: "author_id") var author: User
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "body") var body: String
    @Field(key: "needs_response") var needsResponse: Bool
    @OptionalField(key: "responded_at") var respondedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    /// Set when either side analyses message tone (`Organization.messageSentiment`); shown only to those that do.
    @OptionalField(key: "sentiment") var sentiment: Double?
    /// The phrases that drove it, as JSON (`[Sentiment.Driver]`).
    @OptionalField(key: "sentiment_drivers") var sentimentDriversJSON: String?
    /// When the other side was reminded of a question still unanswered.
    @OptionalField(key: "reminded_at") var remindedAt: Date?

    init() {}
}
