import Fluent
import SQLKit

/// Updates an organization writes to an audience, and case studies about work with a partner that the partner
/// confirms before anyone else sees them.
struct CreateEngagement: AsyncMigration {
    var name: String { "027_CreateEngagement" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organization_updates")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("audience", .string, .required)
            .field("written_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("published_at", .datetime, .required)
            .create()
        try await database.schema("case_studies")
            .id()
            .field("author_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("partner_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("partnership_id", .uuid, .required, .references("partnerships", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("partner_note", .string)
            .field("edited_by_partner", .bool, .required)
            .field("written_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .field("withdrawn_by_organization_id", .uuid, .references("organizations", "id", onDelete: .setNull))
            .field("withdrawn_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX organization_updates_recent ON organization_updates (published_at)").run()
            try await sql.raw("CREATE INDEX organization_updates_owner ON organization_updates (organization_id, published_at)").run()
            try await sql.raw("CREATE INDEX case_studies_author ON case_studies (author_organization_id, status)").run()
            try await sql.raw("CREATE INDEX case_studies_partner ON case_studies (partner_organization_id, status)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_studies").delete()
        try await database.schema("organization_updates").delete()
    }
}
