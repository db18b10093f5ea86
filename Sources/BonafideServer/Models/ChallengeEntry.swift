import Fluent
import Foundation

/// One person's answer to a challenge: by a signed-in person (`user`, with their organization) or by the holder of a
/// personal link (`member`). One each, editable until the challenge closes; the organization may highlight it with a
/// short note saying why.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class ChallengeEntry: Model, @unchecked Sendable {
    static let schema = "challenge_entries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "challenge_id") var challenge: Challenge
    @OptionalParent(key: "user_id") var user: User?
    @OptionalParent(key: "member_id") var member: ChallengeMember?
    /// The entrant's organization when they entered with an account: the organizer's figures count organizations.
    @OptionalParent(key: "organization_id") var organization: Organization?
    /// Markdown.
    @Field(key: "body") var body: String
    /// An http(s) address showing the work, if any.
    @OptionalField(key: "link") var link: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "highlight_note") var highlightNote: String?
    @OptionalField(key: "highlighted_at") var highlightedAt: Date?
    @OptionalParent(key: "highlighted_by") var highlightedBy: User?

    init() {}
}
