import FluentKit
import FluentSQL
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// Fluent's and SQLKit's view of a SQLite file whose statements run on the caller's thread (`SQLiteHandle`): the
/// same SQL, binds, values and errors as Fluent's SQLite driver, without its thread hops. Outside a transaction each
/// statement borrows a connection from the pool; inside one (and inside `withConnection`) all run on the connection
/// it holds.
struct InlineSQLiteDatabase: Database, SQLDatabase {
    let pool: SQLiteHandlePool
    let context: DatabaseContext
    let pinned: SQLiteHandle?
    let inTransaction: Bool

    private static let encoder = SQLiteDataEncoder()

    private func pinning(_ handle: SQLiteHandle, inTransaction: Bool) -> InlineSQLiteDatabase {
        InlineSQLiteDatabase(pool: pool, context: context, pinned: handle, inTransaction: inTransaction)
    }

    /// A statement serialized, its binds encoded, logged as SQLKit logs it.
    private struct Statement: Sendable {
        let sql: String
        let binds: [SQLiteData]
    }

    private func statement(_ query: any SQLExpression) throws -> Statement {
        let (sql, rawBinds) = serialize(query)
        if let queryLogLevel {
            logger.log(
                level: queryLogLevel, "Executing query",
                metadata: ["sql": .string(sql), "binds": .array(rawBinds.map { .string("\($0)") })])
        }
        return Statement(sql: sql, binds: try rawBinds.map { try Self.encoder.encode($0) })
    }

    /// Runs the statement on this thread unless it writes outside a transaction; answers whether it ran.
    private func runHere(_ statement: Statement, _ onRow: (any SQLRow) throws -> Void) throws -> Bool {
        if let pinned {
            try pinned.run(statement.sql, statement.binds) { try onRow($0) }
            return true
        }
        return try pool.withHandle { handle in
            // A pragma that writes (a checkpoint) cannot run inside the writer's transaction, and needs no queue.
            let readsOrMaintains = try statement.sql.hasPrefix("PRAGMA") || handle.isReadOnly(statement.sql)
            guard readsOrMaintains else { return false }
            try handle.run(statement.sql, statement.binds) { try onRow($0) }
            return true
        }
    }

    /// A write outside a transaction (a session saved, an attempt counted) joins the one writer's queue like every
    /// other write. On its own it would wait for the write lock the writer holds, and SQLite waits by sleeping the
    /// thread: on a thread that runs tasks, two such waits would keep the writer itself from finishing.
    private func runThroughWriter(_ statement: Statement) async throws -> [InlineSQLiteRow] {
        let rows = try await WriteGate.shared.write(
            { tx in
                guard let handle = (tx as? InlineSQLiteDatabase)?.pinned else {
                    throw SQLiteFailure(code: SQLITE_MISUSE, message: "The writer's transaction is not on this database.")
                }
                var rows: [InlineSQLiteRow] = []
                try handle.run(statement.sql, statement.binds) { rows.append($0) }
                return rows
            }, on: self)
        return rows as? [InlineSQLiteRow] ?? []
    }

    private func execute(_ query: () -> any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            let statement = try statement(query())
            if try runHere(statement, onRow) { return eventLoop.makeSucceededVoidFuture() }
            // Rows are handed over on the event loop, where Fluent's future-based queries expect them.
            return eventLoop.makeFutureWithTask { try await runThroughWriter(statement) }.map { rows in rows.forEach(onRow) }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    /// Runs one statement and returns when it has.
    func run(_ query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let statement = try statement(query)
        if try runHere(statement, onRow) { return }
        for row in try await runThroughWriter(statement) { onRow(row) }
    }

    // MARK: Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        execute({ Self.sql(of: query) }) { onOutput(InlineSQLiteOutput(row: $0, schema: nil)) }
    }

    /// Fluent's query as SQLite's driver says it, returning the new row's id on a create.
    private static func sql(of query: DatabaseQuery) -> any SQLExpression {
        let converted = SQLQueryConverter(delegate: SQLiteSchemaDelegate()).convert(query)
        guard case .create = query.action, query.customIDKey != .some(.string("")) else { return converted }
        return SQLKit.SQLList([converted, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        var schema = schema
        if schema.action == .update {
            // SQLite has no enum types to change, and no ALTER TABLE beyond adding and dropping columns.
            schema.updateFields = schema.updateFields.filter {
                if case .dataType(_, .enum) = $0 { return false }
                return true
            }
            guard schema.createConstraints.isEmpty, schema.updateFields.isEmpty, schema.deleteConstraints.isEmpty else {
                return eventLoop.makeFailedFuture(UnsupportedAlter())
            }
            if schema.createFields.isEmpty, schema.deleteFields.isEmpty { return eventLoop.makeSucceededVoidFuture() }
        }
        return execute({ SQLSchemaConverter(delegate: SQLiteSchemaDelegate()).convert(schema) }) { _ in }
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { eventLoop.makeSucceededVoidFuture() }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction else { return closure(self) }
        return eventLoop.makeFutureWithTask { try await self.transaction { try await closure($0).get() } }
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction(beginning: "BEGIN TRANSACTION", closure)
    }

    /// A transaction that holds the write lock from its first statement, so everything it reads is as the
    /// database stands when it writes (the one writer's batches).
    func immediateTransaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction(beginning: "BEGIN IMMEDIATE TRANSACTION", closure)
    }

    private func transaction<T: Sendable>(beginning begin: String, _ closure: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        guard !inTransaction else { return try await closure(self) }
        // Inside `withConnection` the transaction is on the connection already held.
        let handle = try pinned ?? pool.checkOut()
        defer { if pinned == nil { pool.checkIn(handle) } }
        try handle.run(begin, []) { _ in }
        do {
            let result = try await closure(pinning(handle, inTransaction: true))
            if pool.durable {
                // The commit waits for the disk: on a thread of its own, not on one that runs tasks (nor behind the
                // password hashes of the shared thread pool); and not cancellable once asked for, as before.
                try await Self.commits.runIfActive(eventLoop: eventLoop) { try handle.run("COMMIT TRANSACTION", []) { _ in } }.get()
            } else {
                try handle.run("COMMIT TRANSACTION", []) { _ in }
            }
            return result
        } catch {
            if handle.inTransaction { try? handle.run("ROLLBACK TRANSACTION", []) { _ in } }
            throw error
        }
    }

    private static let commits: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard pinned == nil else { return closure(self) }
        return eventLoop.makeFutureWithTask { try await self.withConnection { try await closure($0).get() } }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await onOneConnection(closure)
    }

    /// Runs `body` with every statement on one connection (the one already held, or one taken for it).
    private func onOneConnection<T>(_ body: (InlineSQLiteDatabase) async throws -> T) async throws -> T {
        guard pinned == nil else { return try await body(self) }
        let handle = try pool.checkOut()
        defer { pool.checkIn(handle) }
        return try await body(pinning(handle, inTransaction: inTransaction))
    }

    // MARK: SQLDatabase

    var dialect: any SQLDialect { SQLiteDialect() }
    var version: (any SQLDatabaseReportedVersion)? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        execute({ query }, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await onOneConnection(closure)
    }
}

/// A schema change SQLite cannot make (the same error Fluent's SQLite driver gives).
private struct UnsupportedAlter: Error, CustomStringConvertible {
    var description: String { "SQLite only supports adding columns in ALTER TABLE statements." }
}
