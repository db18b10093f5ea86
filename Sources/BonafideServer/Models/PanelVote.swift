import Fluent
import Foundation

/// One member's vote for an idea: unique per pair, so nobody counts twice.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class PanelVote: Model, @unchecked Sendable {
    static let schema = "panel_votes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "idea_id") var idea: PanelIdea
    @Parent(key: "member_id") var member: PanelMember
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
