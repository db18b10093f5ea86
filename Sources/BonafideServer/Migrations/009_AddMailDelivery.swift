import Fluent
import SQLKit

/// Outbox messages gain a delivery state: queued until the SMTP sender hands them to the mail server,
/// retried with growing pauses, failed only when the server refuses them for good or retries run out.
struct AddMailDelivery: AsyncMigration {
    var name: String { "009_AddMailDelivery" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema("outbox_messages").field("status", .string, .required, .sql(.default("queued"))).update()
        try await database.schema("outbox_messages").field("attempts", .int, .required, .sql(.default(0))).update()
        try await database.schema("outbox_messages").field("next_attempt_at", .datetime).update()
        try await database.schema("outbox_messages").field("claimed_until", .datetime).update()
        try await database.schema("outbox_messages").field("sent_at", .datetime).update()
        try await database.schema("outbox_messages").field("last_error", .string).update()
        // Written before mail could be sent: people may have had these links by hand already, so none goes out
        // by surprise on upgrade; "Send the failed messages again" sends them deliberately.
        try await OutboxMessage.query(on: database).set(\.$status, to: .failed)
            .set(\.$lastError, to: "Written before mail delivery existed; not sent automatically.").update()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at)").run()
            try await sql.raw("CREATE INDEX outbox_messages_organization ON outbox_messages (organization_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX outbox_messages_organization").run()
            try await sql.raw("DROP INDEX outbox_messages_due").run()
        }
        for field in ["last_error", "sent_at", "claimed_until", "next_attempt_at", "attempts", "status"] {
            try await database.schema("outbox_messages").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
