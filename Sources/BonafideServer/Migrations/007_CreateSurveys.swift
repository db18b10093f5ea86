import Fluent
import SQLKit

struct CreateSurveys: AsyncMigration {
    var name: String { "007_CreateSurveys" }

    func prepare(on database: any Database) async throws {
        // Keys the server signs links with, kept in the database so links survive restarts and work across servers.
        try await database.schema("server_keys")
            .id()
            .field("name", .string, .required)
            .field("secret", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await database.schema("surveys")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("title", .string, .required)
            .field("kind", .string, .required)
            .field("question", .string, .required)
            .field("campaign", .string, .required)
            .field("questions", .string, .required)
            .field("status", .string, .required)
            .field("created_by", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .field("closed_at", .datetime)
            .create()
        try await database.schema("survey_recipients")
            .id()
            .field("survey_id", .uuid, .required, .references("surveys", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("segment", .string, .required)
            .field("partner_organization_id", .uuid, .references("organizations", "id"))
            .field("created_at", .datetime, .required)
            .field("invited_at", .datetime)
            .field("reminded_at", .datetime)
            .field("reminders", .int, .required)
            .field("responded_at", .datetime)
            .unique(on: "survey_id", "email")
            .create()
        // One response per recipient, enforced by the database as well as by the code.
        try await database.schema("survey_responses")
            .id()
            .field("survey_id", .uuid, .required, .references("surveys", "id", onDelete: .cascade))
            .field("recipient_id", .uuid, .required, .references("survey_recipients", "id", onDelete: .cascade))
            .field("score", .int)
            .field("reason", .string, .required)
            .field("answers", .string, .required)
            .field("sentiment", .double)
            .field("drivers", .string, .required)
            .field("submitted_at", .datetime, .required)
            .unique(on: "recipient_id")
            .create()
        try await database.schema("survey_opt_outs")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("email", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "email")
            .create()
        // Every invitation and reminder, as it would be mailed: the hand-off point for delivery.
        try await database.schema("outbox_messages")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("to_email", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX survey_responses_survey ON survey_responses (survey_id, submitted_at)").run()
            try await sql.raw("CREATE INDEX surveys_organization ON surveys (organization_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["outbox_messages", "survey_opt_outs", "survey_responses", "survey_recipients", "surveys", "server_keys"] {
            try await database.schema(table).delete()
        }
    }
}
