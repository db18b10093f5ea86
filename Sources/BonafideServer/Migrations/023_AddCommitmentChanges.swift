import Fluent

/// A change of an accepted commitment's wording waits here for the other side's agreement (one at a time).
struct AddCommitmentChanges: AsyncMigration {
    var name: String { "023_AddCommitmentChanges" }

    /// One column per statement: SQLite adds a single column per ALTER TABLE.
    static let columns: [(String, DatabaseSchema.DataType)] = [
        ("pending_title", .string), ("pending_deliverable", .string), ("pending_acceptance_criteria", .string),
        ("pending_change_side", .string), ("pending_change_by_id", .uuid), ("pending_change_at", .datetime),
    ]

    func prepare(on database: any Database) async throws {
        for (name, type) in Self.columns {
            try await database.schema("commitments").field(FieldKey(stringLiteral: name), type).update()
        }
    }

    func revert(on database: any Database) async throws {
        for (name, _) in Self.columns.reversed() {
            try await database.schema("commitments").deleteField(FieldKey(stringLiteral: name)).update()
        }
    }
}
