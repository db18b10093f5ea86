import Fluent
import SQLKit

/// Circles (where an organization places another: follow, connected, collaborator, trusted referral) and
/// testimonials (what an organization says of a partner whose work it received).
struct CreateCirclesAndTestimonials: AsyncMigration {
    var name: String { "010_CreateCirclesAndTestimonials" }

    func prepare(on database: any Database) async throws {
        try await database.schema("circle_placements")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("member_id", .uuid, .required, .references("organizations", "id"))
            .field("circle", .string, .required)
            .field("note", .string, .required)
            .field("placed_by", .uuid, .required, .references("users", "id"))
            .field("placed_at", .datetime, .required)
            .unique(on: "organization_id", "member_id")
            .create()
        try await database.schema("testimonials")
            .id()
            .field("author_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("text", .string, .required)
            .field("sentiment", .double, .required)
            .field("drivers", .string, .required)
            .field("written_by", .uuid, .required, .references("users", "id"))
            .field("written_at", .datetime, .required)
            .unique(on: "author_organization_id", "subject_organization_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX testimonials_subject ON testimonials (subject_organization_id, written_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("testimonials").delete()
        try await database.schema("circle_placements").delete()
    }
}
