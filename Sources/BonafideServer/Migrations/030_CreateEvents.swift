import Fluent
import SQLKit

/// Webinars and live Q&A: events with an audience, registrations (with or without an account), questions and
/// their upvotes.
struct CreateEvents: AsyncMigration {
    var name: String { "030_CreateEvents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("events")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("duration_minutes", .int, .required)
            .field("time_zone", .string, .required)
            .field("capacity", .int)
            .field("video_link", .string, .required)
            .field("recording_link", .string)
            .field("audience", .string, .required)
            .field("status", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("reminded_at", .datetime)
            .field("sequence", .int, .required)
            .create()
        try await database.schema("event_registrations")
            .id()
            .field("event_id", .uuid, .required, .references("events", "id", onDelete: .cascade))
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("token_digest", .string)
            .field("registered_at", .datetime, .required)
            .field("cancelled_at", .datetime)
            .field("attended", .bool)
            // One seat per address: the same person registering twice at once gets one row and a 409.
            .unique(on: "event_id", "email")
            .create()
        try await database.schema("event_questions")
            .id()
            .field("event_id", .uuid, .required, .references("events", "id", onDelete: .cascade))
            .field("registration_id", .uuid, .required, .references("event_registrations", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("votes", .int, .required)
            .field("answered_at", .datetime)
            .field("answer", .string)
            .field("answered_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("event_question_votes")
            .id()
            .field("question_id", .uuid, .required, .references("event_questions", "id", onDelete: .cascade))
            .field("registration_id", .uuid, .required, .references("event_registrations", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            // The database refuses a second vote of the same registration, whatever races past the check.
            .unique(on: "question_id", "registration_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX events_owner ON events (organization_id, starts_at)").run()
            try await sql.raw("CREATE INDEX events_upcoming ON events (starts_at)").run()
            try await sql.raw("CREATE UNIQUE INDEX event_registrations_token ON event_registrations (token_digest)").run()
            try await sql.raw("CREATE INDEX event_registrations_user ON event_registrations (user_id)").run()
            try await sql.raw("CREATE INDEX event_questions_event ON event_questions (event_id, votes)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("event_question_votes").delete()
        try await database.schema("event_questions").delete()
        try await database.schema("event_registrations").delete()
        try await database.schema("events").delete()
    }
}
