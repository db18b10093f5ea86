import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLiteNIO
import VaporCSQLite

/// One open SQLite connection whose statements run on the calling thread, prepared once and kept.
///
/// SQLiteNIO runs each statement on NIO's thread pool and hands each row back through an event loop: three thread
/// switches per statement and one per row, and a fresh `prepare` every time. That, not SQLite, set the ceiling of
/// every read and write (docs/scaling.md). Here a statement is a few microseconds of SQLite's own work.
///
/// A handle is used by one holder at a time (the pool hands it out; a transaction keeps it to its end). The lock
/// only guards against a holder's own concurrent calls (two `async let` reads on one transaction), which SQLite's
/// connection could take but the statement cache could not. So it is `@unchecked Sendable`: every access to the
/// connection and the cache happens under `lock`.
final class SQLiteHandle: @unchecked Sendable {
    /// The same library SQLiteNIO links, so SQLite's file locks see every connection of the process.
    private var connection: OpaquePointer?
    private var statements: [String: Kept] = [:]
    private let lock = NIOLock()

    /// Prepared statements kept per connection; beyond this the cache starts over (statements built with a list of
    /// binds whose length varies would otherwise grow it without end).
    static let cachedStatements = 512

    private static let initialized: Void = { _ = sqlite_nio_sqlite3_initialize() }()

    init(path: String, pragmas: [String]) throws {
        _ = Self.initialized
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteFailure(code: opened, message: "\(message) (\(path))")
        }
        connection = handle
        // Another process (a CLI command beside the server) may hold the write lock for a moment.
        sqlite_nio_sqlite3_busy_timeout(handle, 60_000)
        do {
            for pragma in pragmas { try run(pragma, []) { _ in } }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    func close() {
        lock.withLock {
            for kept in statements.values { sqlite_nio_sqlite3_finalize(kept.statement) }
            statements = [:]
            if let connection { sqlite_nio_sqlite3_close_v2(connection) }
            connection = nil
        }
    }

    /// Runs one statement and hands each row to `onRow` as it is read. `onRow` must not use this handle (the lock is
    /// not re-entrant): nothing does, rows are only collected.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (InlineSQLiteRow) throws -> Void) throws {
        try lock.withLock {
            let connection = try open()
            let kept = try prepared(sql, on: connection)
            let statement = kept.statement
            defer {
                sqlite_nio_sqlite3_reset(statement)
                if Self.holdsMemory(binds) { sqlite_nio_sqlite3_clear_bindings(statement) }
            }
            // Every parameter is bound anew on each run, so the last run's values need no clearing, and clearing them
            // costs a full re-prepare: `sqlite3_clear_bindings` expires any statement whose plan looked at a bound
            // value (an `x = ?` filter checked for 0 or 1), which was half of SQLite's time on a partnership page.
            if binds.count < Int(sqlite_nio_sqlite3_bind_parameter_count(statement)) {
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            try bind(binds, to: statement, on: connection)
            var columns: InlineSQLiteRow.Columns?
            while true {
                let step = sqlite_nio_sqlite3_step(statement)
                if step == SQLITE_DONE { return }
                guard step == SQLITE_ROW else { throw failure(step, on: connection) }
                let names = columns ?? kept.columns()
                columns = names
                var values: [SQLiteData] = []
                values.reserveCapacity(names.names.count)
                for index in 0..<Int32(names.names.count) { values.append(try Self.value(of: statement, at: index)) }
                try onRow(InlineSQLiteRow(columns: names, values: values))
            }
        }
    }

    /// Whether the statement leaves the database as it is (SQLite's own judgement, from the prepared statement).
    func isReadOnly(_ sql: String) throws -> Bool {
        try lock.withLock {
            sqlite_nio_sqlite3_stmt_readonly(try prepared(sql, on: try open()).statement) != 0
        }
    }

    /// How often SQLite has thrown away the plan of `sql` (a kept statement) and prepared it again.
    func reprepares(of sql: String) -> Int {
        lock.withLock { statements[sql].map { Int(sqlite_nio_sqlite3_stmt_status($0.statement, SQLITE_STMTSTATUS_REPREPARE, 0)) } ?? 0 }
    }

    /// True between BEGIN and its COMMIT or ROLLBACK.
    var inTransaction: Bool { lock.withLock { connection.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false } }

    /// The connection, under `lock`; closed, it is a misuse.
    private func open() throws -> OpaquePointer {
        guard let connection else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "The database connection is closed.") }
        return connection
    }

    /// A prepared statement with the names of its result's columns, read once: reading them for every run of every
    /// statement was a sixtieth of a partnership page. SQLite prepares a kept statement again when the schema changes
    /// (`SELECT *` may then have other columns), and counts each time, so a changed count reads the names anew.
    private final class Kept {
        // Only touched under the handle's lock.
        let statement: OpaquePointer
        private var names: InlineSQLiteRow.Columns?
        private var namesRead: Int32 = -1

        init(_ statement: OpaquePointer) { self.statement = statement }

        func columns() -> InlineSQLiteRow.Columns {
            let reprepares = sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
            if let names, namesRead == reprepares { return names }
            let read = SQLiteHandle.columns(of: statement)
            names = read
            namesRead = reprepares
            return read
        }
    }

    private func prepared(_ sql: String, on connection: OpaquePointer) throws -> Kept {
        if let kept = statements[sql] { return kept }
        if statements.count >= Self.cachedStatements {
            for kept in statements.values { sqlite_nio_sqlite3_finalize(kept.statement) }
            statements = [:]
        }
        var statement: OpaquePointer?
        let result = sqlite_nio_sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw failure(result, on: connection) }
        let kept = Kept(statement)
        statements[sql] = kept
        return kept
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer, on connection: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .blob(let bytes):
                result = bytes.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            case .float(let number): result = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .integer(let number): result = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .null: result = sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let text):
                result = sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
            guard result == SQLITE_OK else { throw failure(result, on: connection) }
        }
    }

    /// Large values (a document's bytes, a batch of reports) are let go of at once rather than kept bound in the cache
    /// until the statement runs again.
    private static func holdsMemory(_ binds: [SQLiteData]) -> Bool {
        var bytes = 0
        for value in binds {
            switch value {
            case .blob(let buffer): bytes += buffer.readableBytes
            case .text(let text): bytes += text.utf8.count
            default: continue
            }
            if bytes > 16_384 { return true }
        }
        return false
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    fileprivate static func columns(of statement: OpaquePointer) -> InlineSQLiteRow.Columns {
        let count = sqlite_nio_sqlite3_column_count(statement)
        return InlineSQLiteRow.Columns(
            names: (0..<count).map { sqlite_nio_sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" })
    }

    /// The same values SQLiteNIO produces, so every decoder reads what it always read.
    private static func value(of statement: OpaquePointer, at index: Int32) throws -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else {
                throw SQLiteFailure(code: SQLITE_NOMEM, message: "SQLite returned no text for a text column.")
            }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func failure(_ code: Int32, on connection: OpaquePointer) -> SQLiteFailure {
        let extended = sqlite_nio_sqlite3_extended_errcode(connection)
        let message = sqlite_nio_sqlite3_errmsg(connection).map { String(cString: $0) } ?? "SQLite error \(code)"
        return SQLiteFailure(code: extended != 0 ? extended : code, message: message)
    }
}
