import Fluent

struct CreatePartnerships: AsyncMigration {
    var name: String { "002_CreatePartnerships" }

    func prepare(on database: any Database) async throws {
        try await database.schema("partnerships")
            .id()
            .field("name", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("partner_organization_id", .uuid, .references("organizations", "id"))
            .field("status", .string, .required)
            .field("invited_email", .string)
            .field("invitation_secret_hash", .string)
            .field("created_by_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime)
            .unique(on: "invitation_secret_hash")
            .create()
        try await database.schema("partnership_members")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("created_at", .datetime)
            .unique(on: "partnership_id", "user_id")
            .create()
        try await database.schema("agreement_versions")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("version", .int, .required)
            .field("text", .string, .required)
            .field("author_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime)
            .unique(on: "partnership_id", "version")
            .create()
        try await database.schema("partnership_events")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("actor_id", .uuid, .references("users", "id"))
            .field("kind", .string, .required)
            .field("summary", .string, .required)
            .field("reason", .string)
            .field("commitment_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["partnership_events", "agreement_versions", "partnership_members", "partnerships"] {
            try await database.schema(table).delete()
        }
    }
}
