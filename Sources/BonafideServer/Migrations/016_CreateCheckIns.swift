import Fluent
import SQLKit

/// Recurring check-ins of a partnership, their agenda and notes, and what became of each meeting; mail can carry
/// a calendar invitation.
struct CreateCheckIns: AsyncMigration {
    var name: String { "016_CreateCheckIns" }

    func prepare(on database: any Database) async throws {
        try await database.schema("check_ins")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("frequency", .string, .required)
            .field("first_at", .datetime, .required)
            .field("duration_minutes", .int, .required)
            .field("video_link", .string, .required)
            .field("time_zone", .string, .required)
            .field("created_by_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("cancelled_at", .datetime)
            .field("sequence", .int, .required)
            .create()
        try await database.schema("check_in_items")
            .id()
            .field("check_in_id", .uuid, .required, .references("check_ins", "id", onDelete: .cascade))
            .field("occurs_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("author_id", .uuid, .required, .references("users", "id"))
            .field("text", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("check_in_meetings")
            .id()
            .field("check_in_id", .uuid, .required, .references("check_ins", "id", onDelete: .cascade))
            .field("occurs_at", .datetime, .required)
            .field("status", .string, .required)
            .field("recorded_by_id", .uuid, .required, .references("users", "id"))
            .field("recorded_at", .datetime, .required)
            .unique(on: "check_in_id", "occurs_at")
            .create()
        try await database.schema("outbox_messages").field("calendar", .string).update()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX check_ins_partnership ON check_ins (partnership_id)").run()
            try await sql.raw("CREATE INDEX check_in_items_meeting ON check_in_items (check_in_id, occurs_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("calendar").update()
        try await database.schema("check_in_meetings").delete()
        try await database.schema("check_in_items").delete()
        try await database.schema("check_ins").delete()
    }
}
