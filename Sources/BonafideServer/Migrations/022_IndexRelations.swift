import Fluent
import SQLKit

/// Indexes for the questions the access check and introductions ask: the partnerships between two
/// organizations (from either side) and an organization's recent introduction requests.
struct IndexRelations: AsyncMigration {
    var name: String { "022_IndexRelations" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX partnerships_sides ON partnerships (organization_id, partner_organization_id)").run()
        try await sql.raw("CREATE INDEX partnerships_partner ON partnerships (partner_organization_id, organization_id)").run()
        try await sql.raw("CREATE INDEX circle_placements_member ON circle_placements (member_id)").run()
        try await sql.raw("CREATE INDEX introductions_requester ON introductions (requester_organization_id, created_at)").run()
        try await sql.raw("CREATE INDEX introductions_via ON introductions (via_organization_id, created_at)").run()
        try await sql.raw("CREATE INDEX introductions_target ON introductions (target_organization_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in [
            "partnerships_sides", "partnerships_partner", "circle_placements_member", "introductions_requester", "introductions_via",
            "introductions_target",
        ] {
            try await sql.raw("DROP INDEX \(ident: index)").run()
        }
    }
}
