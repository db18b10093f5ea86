import Fluent
import Foundation
import SQLKit

/// A member of a partnership as lists name them: the person's name with the row, decoded straight into values (the
/// API's lists read the members of every partnership they show on each request).
struct PartnershipMemberRow: Decodable, Sendable {
    var partnershipId: UUID
    var userId: UUID
    var name: String
    var organizationId: UUID

    enum CodingKeys: String, CodingKey {
        case name
        case partnershipId = "partnership_id", userId = "user_id", organizationId = "organization_id"
    }

    /// The members of these partnerships with their names, oldest first in each, in one query however many
    /// partnerships a list shows (as `Partnerships.members(of:on:)` for several partnerships, without its models).
    static func members(of partnershipIDs: [UUID], on db: any Database) async throws -> [UUID: [PartnershipMemberRow]] {
        guard !partnershipIDs.isEmpty else { return [:] }
        let rows = try await db.sql().raw(
            """
            SELECT m.partnership_id, m.user_id, u.name, m.organization_id
            FROM partnership_members m JOIN users u ON u.id = m.user_id
            WHERE m.partnership_id IN \(SQLBind.group(partnershipIDs))
            ORDER BY m.created_at
            """
        ).all(decoding: PartnershipMemberRow.self)
        return Dictionary(grouping: rows, by: \.partnershipId)
    }
}
