import Fluent
import SQLKit

/// Credentials an organization holds (certifications, licences, insurance, memberships, awards), confirmed by
/// the issuing organization when it is on Bonafide.
struct CreateCredentials: AsyncMigration {
    var name: String { "012_CreateCredentials" }

    func prepare(on database: any Database) async throws {
        try await database.schema("credentials")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("issuer_name", .string, .required)
            .field("issuer_organization_id", .uuid, .references("organizations", "id"))
            .field("identifier", .string, .required)
            .field("valid_until", .datetime)
            .field("status", .string, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid, .references("users", "id"))
            .field("decision_note", .string)
            .field("created_by", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX credentials_holder ON credentials (organization_id, created_at)").run()
            try await sql.raw("CREATE INDEX credentials_issuer ON credentials (issuer_organization_id, status)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("credentials").delete()
    }
}
