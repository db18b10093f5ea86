import Fluent
import SQLKit

/// Replies to updates, each in a private thread between one reader organization and the writer; who opened an
/// update; and how many people and organizations publishing it reached. Together they are the writer's figures.
struct AddUpdateReplies: AsyncMigration {
    var name: String { "028_AddUpdateReplies" }

    func prepare(on database: any Database) async throws {
        try await database.schema("update_replies")
            .id()
            .field("update_id", .uuid, .required, .references("organization_updates", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("side", .string, .required)
            .field("author_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("body", .string, .required)
            .field("sentiment", .double, .required)
            .field("drivers", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("update_opens")
            .id()
            .field("update_id", .uuid, .required, .references("organization_updates", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("opened_at", .datetime, .required)
            // One row per person: opening it again is no second open (`Updates.markOpened` inserts or ignores).
            .unique(on: "update_id", "user_id")
            .create()
        // One column per statement: SQLite adds a single column per ALTER TABLE. Updates published before this
        // migration reached people who were not counted: they show 0.
        try await database.schema("organization_updates").field("reached", .int, .required, .sql(.default(0))).update()
        try await database.schema("organization_updates").field("reached_organizations", .int, .required, .sql(.default(0))).update()
        if let sql = database as? any SQLDatabase {
            // A thread is read in order by its key, the update and the reader organization.
            try await sql.raw("CREATE INDEX update_replies_thread ON update_replies (update_id, organization_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organization_updates").deleteField("reached_organizations").update()
        try await database.schema("organization_updates").deleteField("reached").update()
        try await database.schema("update_opens").delete()
        try await database.schema("update_replies").delete()
    }
}
