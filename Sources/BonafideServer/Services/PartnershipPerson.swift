import Fluent
import Foundation
import SQLKit

/// Someone a partnership page names: a member (either side) or a colleague of the viewer who could be added. Both
/// come from one query decoded straight into values; the page read the members with their people as models and then
/// every person of the viewer's organization as models, to drop the members again.
struct PartnershipPerson: Decodable, Sendable {
    /// 0 for a member, 1 for a colleague who is not a member: members come first in the answer.
    var kind: Int
    var userId: UUID
    var name: String
    var organizationId: UUID

    enum CodingKeys: String, CodingKey {
        case kind, name
        case userId = "user_id", organizationId = "organization_id"
    }

    var isMember: Bool { kind == 0 }

    /// The partnership's members, oldest first (as `Partnerships.members(of:on:)` for several partnerships), then the people of
    /// `organizationID` who are not members, by name.
    static func people(of partnershipID: UUID, colleaguesOf organizationID: UUID, on db: any Database) async throws
        -> [PartnershipPerson]
    {
        try await db.sql().raw(
            """
            SELECT 0 AS kind, m.user_id, u.name, m.organization_id, m.created_at AS joined_at
            FROM partnership_members m JOIN users u ON u.id = m.user_id
            WHERE m.partnership_id = \(bind: partnershipID)
            UNION ALL
            SELECT 1 AS kind, u.id AS user_id, u.name, u.organization_id, NULL AS joined_at
            FROM users u
            WHERE u.organization_id = \(bind: organizationID) AND NOT EXISTS (
              SELECT 1 FROM partnership_members x WHERE x.partnership_id = \(bind: partnershipID) AND x.user_id = u.id)
            ORDER BY kind, joined_at, name
            """
        ).all().map(PartnershipPerson.init(row:))
    }
}

extension PartnershipPerson {
    /// Column by column (`SQLRow+Columns`), as `all(decoding:)` read it through `SQLRowDecoder`: the partnership page
    /// reads every member and colleague on each view. `PartnershipPageReadsTests` compares the two.
    init(row: any SQLRow) throws {
        kind = try row.decode(column: "kind", as: Int.self)
        userId = try row.decodeUUID(column: "user_id")
        name = try row.decode(column: "name", as: String.self)
        organizationId = try row.decodeUUID(column: "organization_id")
    }
}
