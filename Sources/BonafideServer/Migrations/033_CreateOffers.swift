import Fluent
import SQLKit

/// Offers and early access to partners or a circle, and each recipient organization's one answer.
struct CreateOffers: AsyncMigration {
    var name: String { "033_CreateOffers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("offers")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("details", .string, .required)
            .field("kind", .string, .required)
            .field("audience", .string, .required)
            .field("min_relationship_days", .int, .required, .sql(.default(0)))
            .field("personal_note", .string, .required)
            .field("linked_event_id", .uuid, .references("events", "id", onDelete: .setNull))
            .field("linked_document_id", .uuid, .references("documents", "id", onDelete: .setNull))
            .field("valid_until", .datetime, .required)
            .field("status", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("offer_responses")
            .id()
            .field("offer_id", .uuid, .required, .references("offers", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("note", .string, .required)
            .field("commitment_id", .uuid, .references("commitments", "id", onDelete: .setNull))
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime, .required)
            // One answer per organization, whatever two people of it send at once.
            .unique(on: "offer_id", "organization_id")
            .create()
        let sql = try database.sql()
        // Readers' lists look at the newest open offers; each organization lists its own.
        try await sql.raw("CREATE INDEX offers_open ON offers (status, valid_until)").run()
        try await sql.raw("CREATE INDEX offers_owner ON offers (organization_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("offer_responses").delete()
        try await database.schema("offers").delete()
    }
}
