import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A partnership as lists show it (the API's list and dashboard, the inbox): the row with both sides' names, whether
/// the reader is a member and how many requests wait for an answer, read for all of an organization's partnerships
/// in one query and decoded straight into values. Lists used to read the partnerships, the reader's memberships,
/// the sides' names and the open requests in four queries, and decoding each model through Fluent's reflection
/// showed up in every list request's profile.
struct PartnershipListRow: Sendable {
    var id: UUID
    var name: String
    var organizationId: UUID
    var organizationName: String?
    var partnerOrganizationId: UUID?
    var partnerName: String?
    var status: String
    var invitedEmail: String?
    var createdAt: Date?
    var viewerIsMember: Int
    var openRequests: Int

    /// Reads the columns `candidates` selects, each with one call to the driver (two when it may be NULL).
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        name = try row.decode(column: "name", as: String.self)
        organizationId = try row.decodeUUID(column: "organization_id")
        organizationName = try row.decodeIfPresent(column: "organization_name", as: String.self)
        partnerOrganizationId = try row.decodeUUIDIfPresent(column: "partner_organization_id")
        partnerName = try row.decodeIfPresent(column: "partner_name", as: String.self)
        status = try row.decode(column: "status", as: String.self)
        invitedEmail = try row.decodeIfPresent(column: "invited_email", as: String.self)
        createdAt = try row.decodeIfPresent(column: "created_at", as: Date.self)
        viewerIsMember = try row.decode(column: "viewer_is_member", as: Int.self)
        openRequests = try row.decode(column: "open_requests", as: Int.self)
    }

    /// Both sides, the partner's only once someone joined for it.
    var sides: [UUID] { [organizationId] + [partnerOrganizationId].compactMap { $0 } }

    /// Every partnership of the person's organization, newest first, whether or not the person may see it: `Access`
    /// decides on these rows (`Access.visiblePartnershipRows`), as it decides on the models.
    static func candidates(for actor: Actor, on db: any Database) async throws -> [PartnershipListRow] {
        let rows = try await db.sql().raw(
            """
            SELECT p.id, p.name, p.organization_id, o.name AS organization_name, p.partner_organization_id,
                   po.name AS partner_name, p.status, p.invited_email, p.created_at,
                   CASE WHEN EXISTS (
                     SELECT 1 FROM partnership_members m WHERE m.partnership_id = p.id AND m.user_id = \(bind: actor.id)
                   ) THEN 1 ELSE 0 END AS viewer_is_member,
                   (SELECT COUNT(*) FROM messages q
                    WHERE q.partnership_id = p.id AND q.needs_response = \(bind: true) AND q.responded_at IS NULL) AS open_requests
            FROM partnerships p
            LEFT JOIN organizations o ON o.id = p.organization_id
            LEFT JOIN organizations po ON po.id = p.partner_organization_id
            WHERE p.organization_id = \(bind: actor.organizationID) OR p.partner_organization_id = \(bind: actor.organizationID)
            ORDER BY p.created_at DESC
            """
        ).all()
        return try rows.map(PartnershipListRow.init(row:))
    }
}
