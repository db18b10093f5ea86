import Fluent
import SQLKit

/// Keys and documents of the vault: the server holds public keys, wrapped private keys and ciphertext only.
struct CreateVault: AsyncMigration {
    var name: String { "018_CreateVault" }

    func prepare(on database: any Database) async throws {
        try await database.schema("vault_user_keys")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("public_key", .string, .required)
            .field("wrapped_private_key", .string, .required)
            .field("salt", .string, .required)
            .field("iterations", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "user_id")
            .create()
        try await database.schema("vault_organization_keys")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("public_key", .string, .required)
            .field("key_id", .string, .required)
            .field("created_by_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("retired_at", .datetime)
            .unique(on: "organization_id", "key_id")
            .create()
        try await database.schema("vault_grants")
            .id()
            .field("organization_key_id", .uuid, .required, .references("vault_organization_keys", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("sealed", .string, .required)
            .field("granted_by_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "organization_key_id", "user_id")
            .create()
        try await database.schema("documents")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("uploaded_by_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("size", .int64, .required)
            .field("header", .data, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime)
            .field("max_downloads", .int)
            .field("downloads", .int, .required)
            .field("revoked_at", .datetime)
            .unique(on: "partnership_id", "number")
            .create()
        try await database.schema("document_links")
            .id()
            .field("document_id", .uuid, .required, .references("documents", "id", onDelete: .cascade))
            .field("header", .data, .required)
            .field("password_salt", .string)
            .field("created_by_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime)
            .field("max_downloads", .int)
            .field("downloads", .int, .required)
            .field("revoked_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["document_links", "documents", "vault_grants", "vault_organization_keys", "vault_user_keys"] {
            try await database.schema(table).delete()
        }
    }
}
