import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A commitment as lists read it (the partnership's list, the dashboards): one joined SQL query decoded straight into
/// values, its owner's name included. Fluent decodes each model through reflection, which profiling showed to cost
/// most of a list request; this path skips it, and `Decodable` too (`init(row:)`).
struct CommitmentRow: Sendable {
    var id: UUID
    var partnershipId: UUID
    var title: String
    var deliverable: String
    var acceptanceCriteria: String
    var ownerId: UUID
    var ownerName: String
    var ownerOrganizationId: UUID
    var recipientOrganizationId: UUID
    var dueAt: Date
    var timeZone: String
    var status: CommitmentStatus
    var atRisk: Bool
    var atRiskReason: String?
    var proposedDueAt: Date?
    var proposedDueReason: String?
    var deliveredAt: Date?
    var completedAt: Date?
    var createdAt: Date
    var pendingTitle: String?
    var pendingDeliverable: String?
    var pendingAcceptanceCriteria: String?
    var pendingChangeSideName: String?
    var pendingChangeAt: Date?

    /// Reads the columns `columns` selects, each with one call to the driver (two when it may be NULL).
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        partnershipId = try row.decodeUUID(column: "partnership_id")
        title = try row.decode(column: "title", as: String.self)
        deliverable = try row.decode(column: "deliverable", as: String.self)
        acceptanceCriteria = try row.decode(column: "acceptance_criteria", as: String.self)
        ownerId = try row.decodeUUID(column: "owner_id")
        ownerName = try row.decode(column: "owner_name", as: String.self)
        ownerOrganizationId = try row.decodeUUID(column: "owner_organization_id")
        recipientOrganizationId = try row.decodeUUID(column: "recipient_organization_id")
        dueAt = try row.decode(column: "due_at", as: Date.self)
        timeZone = try row.decode(column: "time_zone", as: String.self)
        let statusName = try row.decode(column: "status", as: String.self)
        guard let status = CommitmentStatus(rawValue: statusName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown commitment status \"\(statusName)\"."))
        }
        self.status = status
        atRisk = try row.decode(column: "at_risk", as: Bool.self)
        atRiskReason = try row.decodeIfPresent(column: "at_risk_reason", as: String.self)
        proposedDueAt = try row.decodeIfPresent(column: "proposed_due_at", as: Date.self)
        proposedDueReason = try row.decodeIfPresent(column: "proposed_due_reason", as: String.self)
        deliveredAt = try row.decodeIfPresent(column: "delivered_at", as: Date.self)
        completedAt = try row.decodeIfPresent(column: "completed_at", as: Date.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        pendingTitle = try row.decodeIfPresent(column: "pending_title", as: String.self)
        pendingDeliverable = try row.decodeIfPresent(column: "pending_deliverable", as: String.self)
        pendingAcceptanceCriteria = try row.decodeIfPresent(column: "pending_acceptance_criteria", as: String.self)
        pendingChangeSideName = try row.decodeIfPresent(column: "pending_change_side", as: String.self)
        pendingChangeAt = try row.decodeIfPresent(column: "pending_change_at", as: Date.self)
    }

    /// The columns every query of these rows selects, from `commitments c` joined to its owner as `users u`.
    static let columns = """
        c.id, c.partnership_id, c.title, c.deliverable, c.acceptance_criteria, c.owner_id, u.name AS owner_name,
        c.owner_organization_id, c.recipient_organization_id, c.due_at, c.time_zone, c.status, c.at_risk,
        c.at_risk_reason, c.proposed_due_at, c.proposed_due_reason, c.delivered_at, c.completed_at, c.created_at,
        c.pending_title, c.pending_deliverable, c.pending_acceptance_criteria, c.pending_change_side, c.pending_change_at
        """

    /// The same facts as `Commitment.state`, for the lifecycle's rules.
    var state: CommitmentState {
        CommitmentState(
            status: status, dueAt: dueAt, atRisk: atRisk, atRiskReason: atRiskReason, proposedDueAt: proposedDueAt,
            proposedDueReason: proposedDueReason, deliveredAt: deliveredAt, completedAt: completedAt)
    }

    /// As `Commitment.pendingChangeSide`.
    var pendingChangeSide: CommitmentSide? { pendingChangeSideName.flatMap(CommitmentSide.init(rawValue:)) }

    /// As `Commitment.pendingWording`: new wording waits only with the side that proposed it.
    var pendingWording: CommitmentWording? {
        guard let pendingTitle, pendingChangeSide != nil else { return nil }
        return CommitmentWording(
            title: pendingTitle, deliverable: pendingDeliverable ?? "", acceptanceCriteria: pendingAcceptanceCriteria ?? "")
    }

    /// What may need the person's side on the dashboards, in the partnerships given (those `Policy` lets them see),
    /// earliest due first: what waits for their side's answer (a proposal, a delivery or a new date, when they
    /// receive the work), new wording waiting on accepted work, what is proposed or accepted and due by `horizon`,
    /// and what slipped (missed, at risk or rescheduled, not yet closed). One query for the four lists; the caller
    /// takes each out by its own condition.
    static func attention(
        in partnershipIDs: [UUID], for organization: UUID, dueBy horizon: Date, on db: any Database
    ) async throws -> [CommitmentRow] {
        guard !partnershipIDs.isEmpty else { return [] }
        let closedStatuses: [String] = [CommitmentStatus.completed, .declined, .withdrawn].map(\.rawValue)
        let closed = SQLBind.group(closedStatuses)
        let proposed = CommitmentStatus.proposed.rawValue, accepted = CommitmentStatus.accepted.rawValue
        let rows = try await db.sql().raw(
            """
            SELECT \(unsafeRaw: columns)
            FROM commitments c JOIN users u ON u.id = c.owner_id
            WHERE c.partnership_id IN \(SQLBind.group(partnershipIDs)) AND (
              (c.recipient_organization_id = \(bind: organization)
                AND (c.status IN (\(bind: proposed), \(bind: CommitmentStatus.delivered.rawValue)) OR c.proposed_due_at IS NOT NULL)
                AND c.status NOT IN \(closed))
              OR (c.status = \(bind: accepted) AND c.pending_change_side IS NOT NULL)
              OR (c.status IN (\(bind: proposed), \(bind: accepted)) AND c.due_at <= \(bind: horizon))
              OR ((c.status = \(bind: CommitmentStatus.missed.rawValue) OR c.at_risk = \(bind: true) OR c.proposed_due_at IS NOT NULL)
                AND c.status NOT IN \(closed))
            )
            ORDER BY c.due_at, c.created_at
            """
        ).all()
        return try rows.map(CommitmentRow.init(row:))
    }
}
