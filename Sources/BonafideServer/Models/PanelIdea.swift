import Fluent
import Foundation

/// An idea put to the panel, by a member or by the organization itself (no member).
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class PanelIdea: Model, @unchecked Sendable {
    static let schema = "panel_ideas"

    @ID(key: .id) var id: UUID?
    @Parent(key: "panel_id") var panel: FeedbackPanel
    @OptionalParent(key: "member_id") var member: PanelMember?
    @Field(key: "title") var title: String
    @Field(key: "details") var details: String
    @Enum(key: "status") var status: PanelIdeaStatus
    /// What was done, or why not: what the members read under "What we did with your feedback".
    @OptionalField(key: "outcome") var outcome: String?
    /// The count of `PanelVote` rows, kept on the idea so lists sort by it without counting.
    @Field(key: "votes") var votes: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
}
