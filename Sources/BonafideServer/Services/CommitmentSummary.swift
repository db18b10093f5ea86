import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A commitment as a partnership page lists and counts it: what is promised, by whom, for whom, when, and its state,
/// with the owner's name from the same query, decoded straight into values. The page read every commitment of the
/// partnership as a model with its owner's whole user row; at a hundred times the demo that decoding was the largest
/// part of the page.
struct CommitmentSummary: Decodable, Sendable {
    var id: UUID
    var title: String
    var ownerName: String
    var ownerOrganizationId: UUID
    var recipientOrganizationId: UUID
    var dueAt: Date
    var status: CommitmentStatus
    var atRisk: Bool
    var proposedDueAt: Date?

    // Spelled out: converting key case per row and column costs more than the query (see `CommitmentRow`).
    enum CodingKeys: String, CodingKey {
        case id, title, status
        case ownerName = "owner_name", ownerOrganizationId = "owner_organization_id"
        case recipientOrganizationId = "recipient_organization_id", dueAt = "due_at", atRisk = "at_risk"
        case proposedDueAt = "proposed_due_at"
    }

    /// Every commitment of the partnership, soonest due first, then the oldest of those due at once.
    static func all(in partnershipID: UUID, on db: any Database) async throws -> [CommitmentSummary] {
        try await db.sql().raw(
            """
            SELECT c.id, c.title, u.name AS owner_name, c.owner_organization_id, c.recipient_organization_id, c.due_at,
                   c.status, c.at_risk, c.proposed_due_at
            FROM commitments c JOIN users u ON u.id = c.owner_id
            WHERE c.partnership_id = \(bind: partnershipID)
            ORDER BY c.due_at, c.created_at
            """
        ).all().map(CommitmentSummary.init(row:))
    }
}

extension CommitmentSummary {
    /// Column by column (`SQLRow+Columns`), as `all(decoding:)` read it through `SQLRowDecoder` (an unknown status is
    /// refused, as decoding the enum refused it): every commitment of the partnership on each page view.
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        title = try row.decode(column: "title", as: String.self)
        ownerName = try row.decode(column: "owner_name", as: String.self)
        ownerOrganizationId = try row.decodeUUID(column: "owner_organization_id")
        recipientOrganizationId = try row.decodeUUID(column: "recipient_organization_id")
        dueAt = try row.decode(column: "due_at", as: Date.self)
        let statusName = try row.decode(column: "status", as: String.self)
        guard let status = CommitmentStatus(rawValue: statusName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown commitment status \"\(statusName)\"."))
        }
        self.status = status
        atRisk = try row.decode(column: "at_risk", as: Bool.self)
        proposedDueAt = try row.decodeIfPresent(column: "proposed_due_at", as: Date.self)
    }
}
