import Fluent
import SQLKit

/// Accounts as safe as serious SaaS: server-side sessions that expire, verified email, password reset links,
/// TOTP with recovery codes, passkeys, organizations that require a second factor; plus the SQLite write lock
/// row and the history of credential requests (so deleting a credential does not reset the limits).
struct HardenAccounts: AsyncMigration {
    var name: String { "013_HardenAccounts" }

    func prepare(on database: any Database) async throws {
        // `WriteGate` takes SQLite's write lock with an update of this (empty) table.
        try await database.schema("write_lock").field("n", .int, .required).create()
        try await database.schema("web_sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("pending_second_factor", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("user_agent", .string, .required)
            .field("ip", .string, .required)
            .field("data", .dictionary(of: .string), .required)
            .unique(on: "token_hash")
            .create()
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema("users").field("email_verified_at", .datetime).update()
        try await database.schema("users").field("password_changed_at", .datetime).update()
        try await database.schema("users").field("totp_secret", .string).update()
        try await database.schema("users").field("totp_confirmed_at", .datetime).update()
        try await database.schema("users").field("totp_last_counter", .int64).update()
        try await database.schema("api_tokens").field("last_used_ip", .string).update()
        try await database.schema("organizations").field("require_two_factor", .bool, .required, .sql(.default(false))).update()
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("passkeys")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("credential_id", .string, .required)
            .field("public_key", .string, .required)
            .field("sign_count", .int64, .required)
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .unique(on: "credential_id")
            .create()
        try await database.schema("account_links")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("email", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema("credential_requests")
            .id()
            .field("holder_id", .uuid, .required, .references("organizations", "id"))
            .field("issuer_id", .uuid, .required, .references("organizations", "id"))
            .field("requested_at", .datetime, .required)
            .field("declined_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX web_sessions_user ON web_sessions (user_id, last_seen_at)").run()
            try await sql.raw("CREATE INDEX recovery_codes_user ON recovery_codes (user_id)").run()
            try await sql.raw("CREATE INDEX passkeys_user ON passkeys (user_id)").run()
            try await sql.raw("CREATE INDEX credential_requests_pair ON credential_requests (issuer_id, holder_id, requested_at)").run()
            // Accounts made before verification existed keep working as they did: their addresses count as verified.
            try await sql.raw("UPDATE users SET email_verified_at = created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["credential_requests", "account_links", "passkeys", "recovery_codes", "web_sessions", "write_lock"] {
            try await database.schema(table).delete()
        }
        try await database.schema("organizations").deleteField("require_two_factor").update()
        try await database.schema("api_tokens").deleteField("last_used_ip").update()
        for field in ["totp_last_counter", "totp_confirmed_at", "totp_secret", "password_changed_at", "email_verified_at"] {
            try await database.schema("users").deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}
