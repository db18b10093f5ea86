import Fluent
import Foundation
import SQLKit

/// Notifications reach people by mail: per-person settings, outbox rows that know whom and what they are about
/// (rendered with links and headers when sent, at most one per event and person), reminders remembered on the
/// rows they are about, and inbound replies remembered by Message-ID.
struct CreateChannels: AsyncMigration {
    var name: String { "014_CreateChannels" }

    func prepare(on database: any Database) async throws {
        try await database.schema("notification_settings")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("digest_hour", .int, .required, .sql(.default(8)))
            .field("quiet_start", .int)
            .field("quiet_end", .int)
            .field("work_days", .string, .required, .sql(.default("1,2,3,4,5,6,7")))
            .field("modes", .string, .required, .sql(.default("{}")))
            .field("calendar_version", .int, .required, .sql(.default(0)))
            .field("last_digest_at", .datetime)
            .unique(on: "user_id")
            .create()
        // One column per statement: SQLite adds columns one at a time.
        for (field, type) in [
            ("user_id", DatabaseSchema.DataType.uuid), ("event_kind", .string), ("link", .string), ("thread_key", .string),
            ("dedupe_key", .string),
        ] {
            try await database.schema("outbox_messages").field(FieldKey(stringLiteral: field), type).update()
        }
        try await database.schema("commitments").field("due_soon_notified_at", .datetime).update()
        try await database.schema("messages").field("reminded_at", .datetime).update()
        // Questions left open before reminders existed are not all reminded of on the first sweep after the upgrade.
        try await Message.query(on: database).filter(\.$needsResponse == true).filter(\.$respondedAt == nil)
            .set(\.$remindedAt, to: Date()).update()
        try await database.schema("inbound_mails")
            .id()
            .field("message_id", .string, .required)
            .field("received_at", .datetime, .required)
            .field("outcome", .string, .required)
            .unique(on: "message_id")
            .create()
        if let sql = database as? any SQLDatabase {
            // A retried job cannot mail one event to one person twice: the second insert fails.
            try await sql.raw("CREATE UNIQUE INDEX outbox_messages_dedupe ON outbox_messages (dedupe_key)").run()
            try await sql.raw("CREATE INDEX outbox_messages_user ON outbox_messages (user_id, status)").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX outbox_messages_user").run()
            try await sql.raw("DROP INDEX outbox_messages_dedupe").run()
        }
        try await database.schema("inbound_mails").delete()
        try await database.schema("messages").deleteField("reminded_at").update()
        try await database.schema("commitments").deleteField("due_soon_notified_at").update()
        for field in ["dedupe_key", "thread_key", "link", "event_kind", "user_id"] {
            try await database.schema("outbox_messages").deleteField(FieldKey(stringLiteral: field)).update()
        }
        try await database.schema("notification_settings").delete()
    }
}
