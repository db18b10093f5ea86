import FluentKit
import VaporCSQLite

/// An error SQLite reported, with its extended result code; Fluent's callers tell constraint failures (a duplicate,
/// a broken reference) from the rest through `DatabaseError`, as they did with SQLiteNIO's error.
struct SQLiteFailure: Error, DatabaseError, CustomStringConvertible {
    let code: Int32
    let message: String

    var primaryCode: Int32 { code & 0xff }
    var description: String { message }
    var isSyntaxError: Bool { primaryCode == SQLITE_ERROR || primaryCode == SQLITE_SCHEMA }
    var isConnectionClosed: Bool { primaryCode == SQLITE_MISUSE || primaryCode == SQLITE_CANTOPEN }
    var isConstraintFailure: Bool { primaryCode == SQLITE_CONSTRAINT }
}
