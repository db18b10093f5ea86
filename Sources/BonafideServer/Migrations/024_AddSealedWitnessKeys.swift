import Fluent

/// A witness key made in a browser may be kept sealed to the organization's vault key, so any member who unlocks the
/// vault can witness with it from another browser; the server holds only the sealed bytes.
struct AddSealedWitnessKeys: AsyncMigration {
    var name: String { "024_AddSealedWitnessKeys" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("witness_keys").field("sealed_private_key", .string).update()
        try await database.schema("witness_keys").field("sealed_to", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("witness_keys").deleteField("sealed_to").update()
        try await database.schema("witness_keys").deleteField("sealed_private_key").update()
    }
}
