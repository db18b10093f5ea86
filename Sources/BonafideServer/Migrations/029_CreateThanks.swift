import Fluent
import SQLKit

/// Thank-yous one organization gives another, shown on the thanked one's profile once it consents.
struct CreateThanks: AsyncMigration {
    var name: String { "029_CreateThanks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("thanks")
            .id()
            .field("from_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("to_organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("status", .string, .required)
            .field("written_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("decided_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("decided_at", .datetime)
            .field("withdrawn_at", .datetime)
            .create()
        let sql = try database.sql()
        // Profiles list the thank-yous an organization shows; its own page lists those it received and gave.
        try await sql.raw("CREATE INDEX thanks_recipient ON thanks (to_organization_id, status)").run()
        try await sql.raw("CREATE INDEX thanks_giver ON thanks (from_organization_id, status)").run()
        // One waiting per pair. `Thanks.give` checks it on a locked row and answers 409; this is the backstop should
        // a write ever bypass that.
        try await sql.raw(
            """
            CREATE UNIQUE INDEX thanks_one_waiting ON thanks (from_organization_id, to_organization_id)
            WHERE status = 'awaitingConsent'
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("thanks").delete()
    }
}
