import Fluent
import SQLKit

/// Guides, videos, whitepapers and links an organization lists on its profile, each for an audience it chooses.
struct CreateProfileContent: AsyncMigration {
    var name: String { "035_CreateProfileContent" }

    func prepare(on database: any Database) async throws {
        try await database.schema("content_items")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("summary", .string, .required)
            .field("body", .string, .required)
            .field("url", .string)
            // A document that leaves the vault leaves the whitepaper without one; the item says so.
            .field("document_id", .uuid, .references("documents", "id", onDelete: .setNull))
            .field("audience", .string, .required)
            .field("pinned", .bool, .required)
            .field("published_at", .datetime, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime)
            .create()
        // Each organization's list: pinned first, then the newest.
        try await database.sql().raw("CREATE INDEX content_items_owner ON content_items (organization_id, pinned, published_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("content_items").delete()
    }
}
