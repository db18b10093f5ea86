import BonafideCore
import Fluent
import Foundation

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
