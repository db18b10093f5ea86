import Fluent
import Foundation

/// A standing feedback panel ("feedback committee") of an organization: customers and partners it invited propose
/// ideas, vote and comment; the organization decides and says what it did. The panel's rows live in this one file
/// because none of them means anything without the panel.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class FeedbackPanel: Model, @unchecked Sendable {
    static let schema = "feedback_panels"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    @Field(key: "purpose") var purpose: String
    @Enum(key: "status") var status: PanelStatus
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Whether a panel still takes ideas, votes and comments. A closed one keeps everything, and decisions may still be
/// recorded on it: closing the loop goes on after the panel stops.
enum PanelStatus: String, Codable, Sendable, CaseIterable {
    case open
    case closed
}

/// Where an idea stands with the organization.
enum PanelIdeaStatus: String, Codable, Sendable, CaseIterable {
    case proposed
    case planned
    case done
    case declined

    var label: String {
        switch self {
        case .proposed: "Proposed"
        case .planned: "Planned"
        case .done: "Done"
        case .declined: "Declined"
        }
    }
}

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
