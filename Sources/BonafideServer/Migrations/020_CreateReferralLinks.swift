import Fluent

/// Links to an organization's trusted-referral list, for clients without an account.
struct CreateReferralLinks: AsyncMigration {
    var name: String { "020_CreateReferralLinks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("referral_links")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("note", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("views", .int, .required)
            .field("last_viewed_at", .datetime)
            .field("created_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("referral_links").delete()
    }
}
