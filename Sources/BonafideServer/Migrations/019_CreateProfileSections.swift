import Fluent

/// Profile sections with the audience each is shown to.
struct CreateProfileSections: AsyncMigration {
    var name: String { "019_CreateProfileSections" }

    func prepare(on database: any Database) async throws {
        try await database.schema("profile_sections")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("title", .string, .required)
            .field("content", .string, .required)
            .field("audience", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .unique(on: "organization_id", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("profile_sections").delete()
    }
}
