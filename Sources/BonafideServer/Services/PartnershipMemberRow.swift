import Fluent
import Foundation
import SQLKit

/// A member of a partnership as lists name them: the person's name with the row, decoded straight into values (the
/// API's lists read the members of every partnership they show on each request).
struct PartnershipMemberRow: Sendable {
    var partnershipId: UUID
    var userId: UUID
    var name: String
    var organizationId: UUID

    /// Reads the columns `members` selects, each with one call to the driver.
    init(row: any SQLRow) throws {
        partnershipId = try row.decodeUUID(column: "partnership_id")
        userId = try row.decodeUUID(column: "user_id")
        name = try row.decode(column: "name", as: String.self)
        organizationId = try row.decodeUUID(column: "organization_id")
    }

    /// The members of these partnerships with their names, oldest first in each, in one query however many
    /// partnerships a list shows (as `Partnerships.members(of:on:)` for several partnerships, without its models).
    static func members(of partnershipIDs: [UUID], on db: any Database) async throws -> [UUID: [PartnershipMemberRow]] {
        guard !partnershipIDs.isEmpty else { return [:] }
        let sqlRows = try await db.sql().raw(
            """
            SELECT m.partnership_id, m.user_id, u.name, m.organization_id
            FROM partnership_members m JOIN users u ON u.id = m.user_id
            WHERE m.partnership_id IN \(SQLBind.group(partnershipIDs))
            ORDER BY m.created_at
            """
        ).all()
        let rows = try sqlRows.map(PartnershipMemberRow.init(row:))
        return Dictionary(grouping: rows, by: \.partnershipId)
    }
}
