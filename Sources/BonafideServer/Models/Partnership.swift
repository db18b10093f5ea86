import BonafideCore
import Fluent
import Foundation

enum PartnershipStatus: String, Codable, Sendable, CaseIterable {
    case invited, active, declined, ended
}

// See Organization for why Fluent models are @unchecked Sendable.
final class Partnership: Model, @unchecked Sendable {
    static let schema = "partnerships"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Parent(key: "organization_id") var organization: Organization
    @OptionalParent(key: "partner_organization_id") var partner: Organization?
    @Enum(key: "status") var status: PartnershipStatus
    @OptionalField(key: "invited_email") var invitedEmail: String?
    @OptionalField(key: "invitation_secret_hash") var invitationSecretHash: String?
    @Parent(key: "created_by_id") var createdBy: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, organizationID: UUID, createdByID: UUID) {
        self.name = name
        self.$organization.id = organizationID
        self.status = .active
        self.$createdBy.id = createdByID
    }

    func side(of organizationID: UUID) -> Bool {
        $organization.id == organizationID || $partner.id == organizationID
    }

    func otherSide(of organizationID: UUID) -> UUID? {
        $organization.id == organizationID ? $partner.id : $organization.id
    }
}

final class PartnershipMember: Model, @unchecked Sendable {
    static let schema = "partnership_members"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Parent(key: "user_id") var user: User
    @Parent(key: "organization_id") var organization: Organization
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(partnershipID: UUID, userID: UUID, organizationID: UUID) {
        self.$partnership.id = partnershipID
        self.$user.id = userID
        self.$organization.id = organizationID
    }
}

/// One version of a partnership's agreement; versions are only ever added.
final class AgreementVersion: Model, @unchecked Sendable {
    static let schema = "agreement_versions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "version") var version: Int
    @Field(key: "text") var text: String
    @Parent(key: "author_id") var author: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(partnershipID: UUID, version: Int, text: String, authorID: UUID) {
        self.$partnership.id = partnershipID
        self.version = version
        self.text = text
        self.$author.id = authorID
    }
}

/// One entry of a partnership's timeline: every state change appends one, in the same transaction.
final class PartnershipEvent: Model, @unchecked Sendable {
    static let schema = "partnership_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @OptionalParent(key: "actor_id") var actor: User?
    @Field(key: "kind") var kind: String
    @Field(key: "summary") var summary: String
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "commitment_id") var commitmentID: UUID?
    @OptionalField(key: "incident_id") var incidentID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(
        partnershipID: UUID, actorID: UUID?, kind: String, summary: String, reason: String? = nil,
        commitmentID: UUID? = nil, at date: Date
    ) {
        self.$partnership.id = partnershipID
        self.$actor.id = actorID
        self.kind = kind
        self.summary = summary
        self.reason = reason
        self.commitmentID = commitmentID
        self.createdAt = date
    }
}

final class Commitment: Model, @unchecked Sendable {
    static let schema = "commitments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "title") var title: String
    @Field(key: "deliverable") var deliverable: String
    @Field(key: "acceptance_criteria") var acceptanceCriteria: String
    @Parent(key: "owner_id") var owner: User
    @Parent(key: "owner_organization_id") var ownerOrganization: Organization
    @Parent(key: "recipient_organization_id") var recipientOrganization: Organization
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "time_zone") var timeZone: String
    @Enum(key: "status") var status: CommitmentStatus
    @Field(key: "at_risk") var atRisk: Bool
    @OptionalField(key: "at_risk_reason") var atRiskReason: String?
    @OptionalField(key: "flagged_at") var flaggedAt: Date?
    @OptionalField(key: "proposed_due_at") var proposedDueAt: Date?
    @OptionalField(key: "proposed_due_reason") var proposedDueReason: String?
    /// When both sides were told the due date is near (once per due date: a new date clears it).
    @OptionalField(key: "due_soon_notified_at") var dueSoonNotifiedAt: Date?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @OptionalField(key: "completed_at") var completedAt: Date?
    @Parent(key: "created_by_id") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    /// New wording one side proposed after acceptance, waiting for the other side (see `CommitmentEditing`).
    @OptionalField(key: "pending_title") var pendingTitle: String?
    @OptionalField(key: "pending_deliverable") var pendingDeliverable: String?
    @OptionalField(key: "pending_acceptance_criteria") var pendingAcceptanceCriteria: String?
    @OptionalField(key: "pending_change_side") var pendingChangeSideName: String?
    @OptionalField(key: "pending_change_by_id") var pendingChangeBy: UUID?
    @OptionalField(key: "pending_change_at") var pendingChangeAt: Date?

    init() {}

    var wording: CommitmentWording {
        CommitmentWording(title: title, deliverable: deliverable, acceptanceCriteria: acceptanceCriteria)
    }

    var pendingChangeSide: CommitmentSide? {
        get { pendingChangeSideName.flatMap(CommitmentSide.init(rawValue:)) }
        set { pendingChangeSideName = newValue?.rawValue }
    }

    var pendingWording: CommitmentWording? {
        guard let pendingTitle, pendingChangeSide != nil else { return nil }
        return CommitmentWording(
            title: pendingTitle, deliverable: pendingDeliverable ?? "", acceptanceCriteria: pendingAcceptanceCriteria ?? "")
    }

    func clearPendingChange() {
        pendingTitle = nil
        pendingDeliverable = nil
        pendingAcceptanceCriteria = nil
        pendingChangeSide = nil
        pendingChangeBy = nil
        pendingChangeAt = nil
    }

    var state: CommitmentState {
        get {
            CommitmentState(
                status: status, dueAt: dueAt, atRisk: atRisk, atRiskReason: atRiskReason,
                proposedDueAt: proposedDueAt, proposedDueReason: proposedDueReason,
                deliveredAt: deliveredAt, completedAt: completedAt)
        }
        set {
            status = newValue.status
            dueAt = newValue.dueAt
            atRisk = newValue.atRisk
            atRiskReason = newValue.atRiskReason
            proposedDueAt = newValue.proposedDueAt
            proposedDueReason = newValue.proposedDueReason
            deliveredAt = newValue.deliveredAt
            completedAt = newValue.completedAt
        }
    }
}

final class MessageThread: Model, @unchecked Sendable {
    static let schema = "message_threads"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "subject") var subject: String
    @Parent(key: "created_by_id") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_message_at") var lastMessageAt: Date

    init() {}
}

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

final class Notification: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "text") var text: String
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}

    init(userID: UUID, text: String, link: String, at date: Date) {
        self.$user.id = userID
        self.text = text
        self.link = link
        self.createdAt = date
    }
}
