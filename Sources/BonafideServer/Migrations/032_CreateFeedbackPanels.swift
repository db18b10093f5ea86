import Fluent
import SQLKit

/// Feedback panels: standing panels of customers and partners (with an account, or through a personal link), their
/// ideas, one vote per member and idea, comments, and the organization's decision with what was done.
struct CreateFeedbackPanels: AsyncMigration {
    var name: String { "032_CreateFeedbackPanels" }

    func prepare(on database: any Database) async throws {
        try await database.schema("feedback_panels")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("purpose", .string, .required)
            .field("status", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("panel_members")
            .id()
            .field("panel_id", .uuid, .required, .references("feedback_panels", "id", onDelete: .cascade))
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("token_digest", .string)
            .field("invited_at", .datetime, .required)
            .field("left_at", .datetime)
            // One membership per address: the same person invited twice at once gets one row.
            .unique(on: "panel_id", "email")
            .create()
        try await database.schema("panel_ideas")
            .id()
            .field("panel_id", .uuid, .required, .references("feedback_panels", "id", onDelete: .cascade))
            .field("member_id", .uuid, .references("panel_members", "id", onDelete: .setNull))
            .field("title", .string, .required)
            .field("details", .string, .required)
            .field("status", .string, .required)
            .field("outcome", .string)
            .field("votes", .int, .required)
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .create()
        try await database.schema("panel_votes")
            .id()
            .field("idea_id", .uuid, .required, .references("panel_ideas", "id", onDelete: .cascade))
            .field("member_id", .uuid, .required, .references("panel_members", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            // The database refuses a second vote of the same member, whatever races past the check.
            .unique(on: "idea_id", "member_id")
            .create()
        try await database.schema("panel_comments")
            .id()
            .field("idea_id", .uuid, .required, .references("panel_ideas", "id", onDelete: .cascade))
            .field("member_id", .uuid, .references("panel_members", "id", onDelete: .setNull))
            .field("author_user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX feedback_panels_owner ON feedback_panels (organization_id, created_at)").run()
            try await sql.raw("CREATE UNIQUE INDEX panel_members_token ON panel_members (token_digest)").run()
            try await sql.raw("CREATE INDEX panel_members_user ON panel_members (user_id)").run()
            try await sql.raw("CREATE INDEX panel_ideas_panel ON panel_ideas (panel_id, votes)").run()
            try await sql.raw("CREATE INDEX panel_comments_idea ON panel_comments (idea_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("panel_comments").delete()
        try await database.schema("panel_votes").delete()
        try await database.schema("panel_ideas").delete()
        try await database.schema("panel_members").delete()
        try await database.schema("feedback_panels").delete()
    }
}
