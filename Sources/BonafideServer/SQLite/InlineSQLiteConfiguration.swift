import FluentKit
import Foundation

/// Bonafide's SQLite database: a file (durable, WAL, every commit synced) or, for tests (`inMemoryDatabase`), a
/// scratch file removed at shutdown.
struct InlineSQLiteConfiguration: DatabaseConfiguration {
    var middleware: [any AnyModelMiddleware] = []
    let path: String
    let scratch: Bool

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        InlineSQLiteDriver(pool: SQLiteHandlePool(path: path, scratch: scratch))
    }
}

struct InlineSQLiteDriver: DatabaseDriver {
    let pool: SQLiteHandlePool

    func makeDatabase(with context: DatabaseContext) -> any Database {
        InlineSQLiteDatabase(pool: pool, context: context, pinned: nil, inTransaction: false)
    }

    func shutdown() { pool.shutdown() }
}

extension DatabaseConfigurationFactory {
    static func inlineSQLite(file path: String) -> DatabaseConfigurationFactory {
        .init { InlineSQLiteConfiguration(path: path, scratch: false) }
    }

    /// A database of its own for each application (each test has one), on disk only so that its connections share it.
    static func inlineSQLiteScratch() -> DatabaseConfigurationFactory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bonafide-scratch-\(UUID().uuidString).sqlite").path
        return .init { InlineSQLiteConfiguration(path: path, scratch: true) }
    }
}
