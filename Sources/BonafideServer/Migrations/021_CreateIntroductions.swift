import Fluent

/// Introductions through a shared contact, and the refused blasts that count against self-orientation.
struct CreateIntroductions: AsyncMigration {
    var name: String { "021_CreateIntroductions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("introductions")
            .id()
            .field("requester_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("requested_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("target_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("via_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("message", .string, .required)
            .field("status", .string, .required)
            .field("blast", .bool, .required)
            .field("introducer_note", .string)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("introductions").delete()
    }
}
