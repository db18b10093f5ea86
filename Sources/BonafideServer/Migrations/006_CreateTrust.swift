import Fluent
import SQLKit

struct CreateTrust: AsyncMigration {
    var name: String { "006_CreateTrust" }

    func prepare(on database: any Database) async throws {
        // An organization's explicit rating of another, -10 to 10 as in the SNAP trust networks; every rating is
        // kept (history), the newest counts.
        try await database.schema("trust_ratings")
            .id()
            .field("rater_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("rating", .int, .required)
            .field("comment", .string, .required)
            .field("author_id", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .create()
        // What one organization's trust in another was at each recompute: the history the chart draws.
        try await database.schema("trust_snapshots")
            .id()
            .field("viewer_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("computed_at", .datetime, .required)
            .field("expectation", .double, .required)
            .field("uncertainty", .double, .required)
            .field("report", .string, .required)
            .create()
        // Pairs whose evidence changed since their last snapshot; the background job drains it.
        try await database.schema("trust_pending")
            .id()
            .field("viewer_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("queued_at", .datetime, .required)
            .unique(on: "viewer_organization_id", "subject_organization_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw(
                "CREATE INDEX trust_snapshots_pair ON trust_snapshots (viewer_organization_id, subject_organization_id, computed_at)"
            ).run()
            try await sql.raw(
                "CREATE INDEX trust_ratings_pair ON trust_ratings (rater_organization_id, subject_organization_id, created_at)"
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("trust_pending").delete()
        try await database.schema("trust_snapshots").delete()
        try await database.schema("trust_ratings").delete()
    }
}
