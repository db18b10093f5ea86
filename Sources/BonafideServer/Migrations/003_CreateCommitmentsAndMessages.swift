import Fluent
import SQLKit

struct CreateCommitmentsAndMessages: AsyncMigration {
    var name: String { "003_CreateCommitmentsAndMessages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("commitments")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("title", .string, .required)
            .field("deliverable", .string, .required)
            .field("acceptance_criteria", .string, .required)
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("owner_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("recipient_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("due_at", .datetime, .required)
            .field("time_zone", .string, .required)
            .field("status", .string, .required)
            .field("at_risk", .bool, .required)
            .field("at_risk_reason", .string)
            .field("flagged_at", .datetime)
            .field("proposed_due_at", .datetime)
            .field("proposed_due_reason", .string)
            .field("delivered_at", .datetime)
            .field("completed_at", .datetime)
            .field("created_by_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("message_threads")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("subject", .string, .required)
            .field("created_by_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("last_message_at", .datetime, .required)
            .create()
        try await database.schema("messages")
            .id()
            .field("thread_id", .uuid, .required, .references("message_threads", "id"))
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("author_id", .uuid, .required, .references("users", "id"))
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("body", .string, .required)
            .field("needs_response", .bool, .required)
            .field("responded_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("notifications")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("text", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        // The hot reads: a partnership's commitments by due date, the overdue sweep, timelines, inboxes.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "commitments_partnership_due").on("commitments")
                .column("partnership_id").column("due_at").run()
            try await sql.create(index: "commitments_status_due").on("commitments")
                .column("status").column("due_at").run()
            try await sql.create(index: "events_partnership_created").on("partnership_events")
                .column("partnership_id").column("created_at").run()
            try await sql.create(index: "messages_partnership_created").on("messages")
                .column("partnership_id").column("created_at").run()
            try await sql.create(index: "notifications_user_created").on("notifications")
                .column("user_id").column("created_at").run()
            try await sql.create(index: "members_user").on("partnership_members").column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["notifications", "messages", "message_threads", "commitments"] {
            try await database.schema(table).delete()
        }
    }
}
