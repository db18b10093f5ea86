import Fluent

struct CreateAccounts: AsyncMigration {
    var name: String { "001_CreateAccounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("organizations")
            .id()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("capabilities", .array(of: .string), .required)
            .field("limitations", .array(of: .string), .required)
            .field("risks", .array(of: .string), .required)
            .field("time_zone", .string, .required)
            .field("languages", .array(of: .string), .required)
            .field("work_start_minute", .int, .required)
            .field("work_end_minute", .int, .required)
            .field("work_days", .array(of: .int), .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("time_zone", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("secret_hash", .string, .required)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "secret_hash")
            .create()
        try await database.schema("colleague_invitations")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("secret_hash", .string, .required)
            .field("invited_by_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime)
            .field("accepted_at", .datetime)
            .unique(on: "secret_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["colleague_invitations", "api_tokens", "users", "organizations"] {
            try await database.schema(table).delete()
        }
    }
}
