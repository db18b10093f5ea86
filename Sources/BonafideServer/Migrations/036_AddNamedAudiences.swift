import Fluent
import SQLKit

/// The organizations something is addressed to one by one (an update for named organizations), read by `Access`.
struct AddNamedAudiences: AsyncMigration {
    var name: String { "036_AddNamedAudiences" }

    func prepare(on database: any Database) async throws {
        try await database.schema("named_audiences")
            .id()
            .field("owner_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("object_name", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            // Named once per thing; led by the named organization, so a reader's check is one index range.
            .unique(on: "organization_id", "object_name", "owner_id")
            .create()
        // The owner lists whom it named.
        try await database.sql().raw("CREATE INDEX named_audiences_owner ON named_audiences (owner_id, object_name)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("named_audiences").delete()
    }
}
