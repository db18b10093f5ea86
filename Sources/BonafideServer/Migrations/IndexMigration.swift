import Fluent
import SQLKit

/// A migration that only adds indexes, each written as "name ON table (columns)": created in order, dropped by name.
protocol IndexMigration: AsyncMigration {
    static var indexes: [String] { get }
}

extension IndexMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes { try await sql.raw("CREATE INDEX \(unsafeRaw: index)").run() }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes {
            let name = String(index.prefix { $0 != " " })
            try await sql.raw("DROP INDEX \(unsafeRaw: name)").run()
        }
    }
}
