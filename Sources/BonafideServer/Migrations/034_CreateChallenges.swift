import Fluent
import SQLKit

/// Challenges: a time-boxed prompt to an audience, people invited from a list with a personal link, one entry per
/// person or link, and the organization's highlights.
struct CreateChallenges: AsyncMigration {
    var name: String { "034_CreateChallenges" }

    func prepare(on database: any Database) async throws {
        try await database.schema("challenges")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("prompt", .string, .required)
            .field("opens_at", .datetime, .required)
            .field("closes_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("time_zone", .string, .required)
            .field("audience", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("challenge_members")
            .id()
            .field("challenge_id", .uuid, .required, .references("challenges", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("token_digest", .string, .required)
            .field("invited_at", .datetime, .required)
            .unique(on: "challenge_id", "email")
            .create()
        try await database.schema("challenge_entries")
            .id()
            .field("challenge_id", .uuid, .required, .references("challenges", "id", onDelete: .cascade))
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("member_id", .uuid, .references("challenge_members", "id", onDelete: .setNull))
            .field("organization_id", .uuid, .references("organizations", "id", onDelete: .setNull))
            .field("body", .string, .required)
            .field("link", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("highlight_note", .string)
            .field("highlighted_at", .datetime)
            .field("highlighted_by", .uuid, .references("users", "id", onDelete: .setNull))
            // One entry per person and per personal link, whatever two submissions at once race past the check.
            .unique(on: "challenge_id", "user_id")
            .unique(on: "challenge_id", "member_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX challenges_created ON challenges (created_at)").run()
            try await sql.raw("CREATE INDEX challenges_owner ON challenges (organization_id, created_at)").run()
            try await sql.raw("CREATE UNIQUE INDEX challenge_members_token ON challenge_members (token_digest)").run()
            try await sql.raw("CREATE INDEX challenge_entries_challenge ON challenge_entries (challenge_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("challenge_entries").delete()
        try await database.schema("challenge_members").delete()
        try await database.schema("challenges").delete()
    }
}
