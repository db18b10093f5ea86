import Fluent
import Foundation

/// A comment on an idea, by a member or by one of the organization's people.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class PanelComment: Model, @unchecked Sendable {
    static let schema = "panel_comments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "idea_id") var idea: PanelIdea
    @OptionalParent(key: "member_id") var member: PanelMember?
    @OptionalParent(key: "author_user_id") var author: User?
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
