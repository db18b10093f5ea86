import Fluent
import SQLKit

/// Support requests customers and partners open with an organization, and the messages of each one's thread.
struct CreateSupportRequests: AsyncMigration {
    var name: String { "031_CreateSupportRequests" }

    func prepare(on database: any Database) async throws {
        try await database.schema("support_requests")
            .id()
            .field("provider_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("requester_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("requester_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("partnership_id", .uuid, .references("partnerships", "id", onDelete: .setNull))
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("priority", .string, .required)
            .field("status", .string, .required)
            .field("promise", .string, .required)
            .field("created_at", .datetime, .required)
            .field("due_at", .datetime, .required)
            .field("first_response_at", .datetime)
            .field("first_response_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("resolved_at", .datetime)
            .field("late", .bool, .required)
            .create()
        try await database.schema("support_messages")
            .id()
            .field("request_id", .uuid, .required, .references("support_requests", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("author_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        let sql = try database.sql()
        // Each side lists its requests newest first; the figures read a provider's last 90 days.
        try await sql.raw("CREATE INDEX support_requests_provider ON support_requests (provider_organization_id, created_at)").run()
        try await sql.raw("CREATE INDEX support_requests_requester ON support_requests (requester_organization_id, created_at)").run()
        // The sweep looks only at requests still waiting for a first answer.
        try await sql.raw("CREATE INDEX support_requests_waiting ON support_requests (due_at) WHERE first_response_at IS NULL").run()
        try await sql.raw("CREATE INDEX support_messages_thread ON support_messages (request_id, created_at)").run()
        // The consistency check reads when an organization's people wrote.
        try await sql.raw("CREATE INDEX support_messages_author_organization ON support_messages (organization_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("support_messages").delete()
        try await database.schema("support_requests").delete()
    }
}
