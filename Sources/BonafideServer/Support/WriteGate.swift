import Fluent
import Foundation
import SQLKit

/// SQLite has one writer at a time, and a transaction that read before it writes fails at once with "database
/// is locked" when another connection wrote in between (waiting cannot help: its snapshot is stale). So on
/// SQLite, write transactions take turns here, in arrival order, and each takes the write lock with its first
/// statement; concurrent requests queue instead of failing. PostgreSQL needs none of this: rows are locked
/// with `SELECT … FOR UPDATE` (`lockedRow`).
actor WriteGate {
    static let shared = WriteGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Database {
    var isSQLite: Bool { (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    /// A transaction for work that writes: every state change goes through here.
    func writeTransaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard isSQLite, !inTransaction else { return try await transaction(work) }
        await WriteGate.shared.enter()
        do {
            let result = try await transaction { tx in
                try await tx.takeWriteLock()
                return try await work(tx)
            }
            await WriteGate.shared.leave()
            return result
        } catch {
            await WriteGate.shared.leave()
            throw error
        }
    }

    /// A write that matches nothing: on SQLite it takes the write lock together with the snapshot; anywhere it
    /// fails when the database cannot be written (the readiness check).
    func takeWriteLock() async throws {
        guard let sql = self as? any SQLDatabase else { return }
        try await sql.raw("UPDATE write_lock SET n = n WHERE 0 = 1").run()
    }

    /// The row as it is now, read inside a write transaction; on PostgreSQL it stays locked until the transaction
    /// ends, so two actions at once are decided one after the other (SQLite's write lock already serializes).
    func lockedRow<M: Model>(_ type: M.Type, _ id: UUID) async throws -> M? where M.IDValue == UUID {
        if let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT id FROM \(ident: M.schema) WHERE id = \(bind: id) FOR UPDATE").run()
        }
        return try await M.find(id, on: self)
    }
}
