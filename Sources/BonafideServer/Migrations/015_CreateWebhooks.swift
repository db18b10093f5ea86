import Fluent
import SQLKit

/// Outgoing webhooks per organization and the log of their deliveries.
struct CreateWebhooks: AsyncMigration {
    var name: String { "015_CreateWebhooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("webhooks")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("events", .string, .required)
            .field("secret", .string, .required)
            .field("format", .string, .required)
            .field("created_by_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("disabled_at", .datetime)
            .field("disabled_reason", .string)
            .create()
        try await database.schema("webhook_deliveries")
            .id()
            .field("webhook_id", .uuid, .required, .references("webhooks", "id", onDelete: .cascade))
            .field("message_id", .string, .required)
            .field("event_type", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime)
            .field("claimed_until", .datetime)
            .field("last_status_code", .int)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .unique(on: "webhook_id", "message_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX webhooks_organization ON webhooks (organization_id)").run()
            try await sql.raw("CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)").run()
            try await sql.raw("CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_deliveries").delete()
        try await database.schema("webhooks").delete()
    }
}
