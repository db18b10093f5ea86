import FluentKit
import FluentSQL
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

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

    /// Runs one statement now, on this thread.
    func run(_ query: any SQLExpression, _ onRow: (any SQLRow) throws -> Void) throws {
        let (sql, rawBinds) = serialize(query)
        if let queryLogLevel {
            logger.log(
                level: queryLogLevel, "Executing query",
                metadata: ["sql": .string(sql), "binds": .array(rawBinds.map { .string("\($0)") })])
        }
        let binds = try rawBinds.map { try Self.encoder.encode($0) }
        if let pinned {
            try pinned.run(sql, binds) { try onRow($0) }
        } else {
            try pool.withHandle { try $0.run(sql, binds) { try onRow($0) } }
        }
    }

    private func completed(_ work: () throws -> Void) -> EventLoopFuture<Void> {
        do {
            try work()
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    // MARK: Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        completed { try run(Self.sql(of: query)) { onOutput(InlineSQLiteOutput(row: $0, schema: nil)) } }
    }

    /// Fluent's query as SQLite's driver says it, returning the new row's id on a create.
    private static func sql(of query: DatabaseQuery) -> any SQLExpression {
        let converted = SQLQueryConverter(delegate: SQLiteSchemaDelegate()).convert(query)
        guard case .create = query.action, query.customIDKey != .some(.string("")) else { return converted }
        return SQLList([converted, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
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
                return eventLoop.makeFailedFuture(
                    SQLiteFailure(code: 1, message: "SQLite only supports adding columns in ALTER TABLE statements."))
            }
            if schema.createFields.isEmpty, schema.deleteFields.isEmpty { return eventLoop.makeSucceededVoidFuture() }
        }
        return completed {
            try run(SQLSchemaConverter(delegate: SQLiteSchemaDelegate()).convert(schema)) { _ in }
        }
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { eventLoop.makeSucceededVoidFuture() }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction else { return closure(self) }
        return eventLoop.makeFutureWithTask { try await self.transaction { try await closure($0).get() } }
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction else { return try await closure(self) }
        let handle = try pool.checkOut()
        defer { pool.checkIn(handle) }
        try handle.run("BEGIN TRANSACTION", []) { _ in }
        do {
            let result = try await closure(pinning(handle, inTransaction: true))
            if pool.durable {
                // The commit waits for the disk: on NIO's thread pool, not on a thread that runs requests.
                try await NIOThreadPool.singleton.runIfActive { try handle.run("COMMIT TRANSACTION", []) { _ in } }
            } else {
                try handle.run("COMMIT TRANSACTION", []) { _ in }
            }
            return result
        } catch {
            if handle.inTransaction { try? handle.run("ROLLBACK TRANSACTION", []) { _ in } }
            throw error
        }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard pinned == nil else { return closure(self) }
        return eventLoop.makeFutureWithTask { try await self.withConnection { try await closure($0).get() } }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard pinned == nil else { return try await closure(self) }
        let handle = try pool.checkOut()
        defer { pool.checkIn(handle) }
        return try await closure(pinning(handle, inTransaction: inTransaction))
    }

    // MARK: SQLDatabase

    var dialect: any SQLDialect { SQLiteDialect() }
    var version: (any SQLDatabaseReportedVersion)? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        completed { try run(query) { onRow($0) } }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query) { onRow($0) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        guard pinned == nil else { return try await closure(self) }
        let handle = try pool.checkOut()
        defer { pool.checkIn(handle) }
        return try await closure(pinning(handle, inTransaction: inTransaction))
    }
}
