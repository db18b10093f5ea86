import Fluent

struct CreateLedger: AsyncMigration {
    var name: String { "004_CreateLedger" }

    func prepare(on database: any Database) async throws {
        // One row per partnership: the log's size and root, and the row appends lock.
        try await database.schema("ledger_heads")
            .field("id", .uuid, .identifier(auto: false), .references("partnerships", "id"))
            .field("size", .int64, .required)
            .field("root", .string, .required)
            .create()
        try await database.schema("ledger_leaves")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("idx", .int64, .required)
            .field("entry", .string, .required)
            .unique(on: "partnership_id", "idx")
            .create()
        // Every perfect, aligned subtree hash (level 0 = leaf hashes): proofs read O(log n) of these.
        try await database.schema("ledger_nodes")
            .id()
            .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
            .field("level", .int, .required)
            .field("idx", .int64, .required)
            .field("hash", .string, .required)
            .unique(on: "partnership_id", "level", "idx")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["ledger_nodes", "ledger_leaves", "ledger_heads"] {
            try await database.schema(table).delete()
        }
    }
}
