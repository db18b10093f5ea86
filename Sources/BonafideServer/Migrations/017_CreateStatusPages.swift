import Fluent
import SQLKit

/// Each organization's status page (off until its owners choose who may see it) and who follows it by mail.
struct CreateStatusPages: AsyncMigration {
    var name: String { "017_CreateStatusPages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organizations").field("status_page", .string, .required, .sql(.default("off"))).update()
        try await database.schema("status_subscriptions")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "user_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("status_subscriptions").delete()
        try await database.schema("organizations").deleteField("status_page").update()
    }
}
