import Fluent

struct CreateWitnessing: AsyncMigration {
    var name: String { "005_CreateWitnessing" }

    func prepare(on database: any Database) async throws {
        // An organization's witness key; a new one replaces the old, whose cosignatures stay valid
        // because each cosignature row keeps the key it was made with.
        try await database.schema("witness_keys")
            .field("id", .uuid, .identifier(auto: false), .references("organizations", "id"))
            .field("key", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("ledger_cosignatures")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("size", .int64, .required)
            .field("root", .string, .required)
            .field("time", .int64, .required)
            .field("witness_key", .string, .required)
            .field("signature", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "partnership_id", "organization_id", "size")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ledger_cosignatures").delete()
        try await database.schema("witness_keys").delete()
    }
}
