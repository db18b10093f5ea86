import Fluent
import SQLKit

/// Incidents, and the partnership record's link from an event to the incident it is about.
struct CreateIncidents: AsyncMigration {
    var name: String { "011_CreateIncidents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("incidents")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("responsible_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("affected_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("raised_by", .uuid, .required, .references("users", "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("severity", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("raised_at", .datetime, .required)
            .field("self_reported", .bool, .required)
            .field("status", .string, .required)
            .field("acknowledged_at", .datetime)
            .field("resolved_at", .datetime)
            .field("closed_at", .datetime)
            .field("root_cause", .string)
            .field("improvement_plan", .string)
            .field("reopen_count", .int, .required)
            .field("reopened_at", .datetime)
            .field("published_at", .datetime)
            .field("reminded_at", .datetime)
            .field("verdict", .string)
            .create()
        try await database.schema("partnership_events").field("incident_id", .uuid).update()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX incidents_partnership ON incidents (partnership_id, raised_at)").run()
            try await sql.raw("CREATE INDEX incidents_responsible ON incidents (responsible_organization_id, raised_at)").run()
            try await sql.raw("CREATE INDEX incidents_undecided ON incidents (verdict, raised_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("partnership_events").deleteField("incident_id").update()
        try await database.schema("incidents").delete()
    }
}
