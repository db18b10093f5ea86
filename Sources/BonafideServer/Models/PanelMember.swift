import Fluent
import Foundation

/// One member of a panel: a person with an account (invited from a circle), or an address from a CSV list who acts
/// through a personal link whose token is kept only as a digest.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class PanelMember: Model, @unchecked Sendable {
    static let schema = "panel_members"

    @ID(key: .id) var id: UUID?
    @Parent(key: "panel_id") var panel: FeedbackPanel
    @OptionalParent(key: "user_id") var user: User?
    /// Normalized; unique per panel.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// SHA-256 of the personal link's token (`Secrets.digest`); nil for a member through an account.
    @OptionalField(key: "token_digest") var tokenDigest: String?
    @Field(key: "invited_at") var invitedAt: Date
    @OptionalField(key: "left_at") var leftAt: Date?

    init() {}
}
