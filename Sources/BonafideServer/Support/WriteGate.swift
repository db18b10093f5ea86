import Fluent
import Foundation
import SQLKit

/// SQLite has one writer at a time, and a transaction that read before it writes fails at once with "database
/// is locked" when another connection wrote in between (waiting cannot help: its snapshot is stale). So on
/// SQLite every write transaction goes through this queue, in arrival order, to one writer. The writer takes all
/// the work waiting, runs each piece inside a savepoint of one database transaction and commits once: one sync
/// to disk for many requests (group commit). Each caller is answered only after that commit, so nothing is
/// acknowledged before it is durable; a piece that fails rolls back to its savepoint and fails alone, and a
/// commit that fails fails every piece in it. PostgreSQL needs none of this: it commits concurrent transactions
/// together itself, and rows are locked with `SELECT … FOR UPDATE` (`lockedRow`).
actor WriteGate {
    static let shared = WriteGate()
    /// Enough to share one sync among all the connections a busy server has; few enough that the first caller of
    /// a batch does not wait long for the last.
    static let maxBatch = 64

    typealias Work = @Sendable (any Database) async throws -> any Sendable

    private struct Pending: Sendable {
        /// The database file the work writes to; nil when it cannot be told, and then the work commits alone.
        let file: String?
        let database: any Database
        let work: Work
        let answer: CheckedContinuation<any Sendable, any Error>
    }

    private var pending: [Pending] = []
    private var writing = false

    func write(_ work: @escaping Work, on database: any Database) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { answer in
            pending.append(Pending(file: Self.file(of: database), database: database, work: work, answer: answer))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    /// Commits batches until nothing waits. Each commit runs off the actor, so callers queue up meanwhile.
    private func drain() async {
        while !pending.isEmpty {
            // One batch writes one database: tests run many apps, each with its own, in one process.
            let first = pending[0]
            var batch = [first]
            var rest: [Pending] = []
            for piece in pending.dropFirst() {
                if batch.count < Self.maxBatch, first.file != nil, piece.file == first.file {
                    batch.append(piece)
                } else {
                    rest.append(piece)
                }
            }
            pending = rest
            await Self.commit(batch)
        }
        writing = false
    }

    /// Which SQLite database a `Database` writes to.
    static func file(of database: any Database) -> String? { (database as? InlineSQLiteDatabase)?.pool.key }

    private static func commit(_ batch: [Pending]) async {
        let outcomes: [Result<any Sendable, any Error>]
        do {
            outcomes = try await batch[0].database.writerTransaction { tx in
                let sql = try tx.sql()
                var outcomes: [Result<any Sendable, any Error>] = []
                outcomes.reserveCapacity(batch.count)
                for piece in batch {
                    // A single piece needs no savepoint: its error rolls the whole transaction back.
                    if batch.count == 1 {
                        outcomes.append(.success(try await piece.work(tx)))
                        continue
                    }
                    try await sql.raw("SAVEPOINT piece").run()
                    do {
                        let result = try await piece.work(tx)
                        try await sql.raw("RELEASE piece").run()
                        outcomes.append(.success(result))
                    } catch {
                        try await sql.raw("ROLLBACK TO piece").run()
                        try await sql.raw("RELEASE piece").run()
                        outcomes.append(.failure(error))
                    }
                }
                return outcomes
            }
        } catch {
            for piece in batch { piece.answer.resume(throwing: error) }
            return
        }
        for (piece, outcome) in zip(batch, outcomes) { piece.answer.resume(with: outcome) }
    }
}

extension Database {
    /// The writer's transaction: on SQLite it takes the write lock together with its snapshot (a transaction that
    /// read before it writes fails at once when another connection wrote in between).
    fileprivate func writerTransaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let inline = self as? InlineSQLiteDatabase { return try await inline.immediateTransaction(work) }
        return try await transaction { tx in
            try await tx.takeWriteLock()
            return try await work(tx)
        }
    }

    var isSQLite: Bool { (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    /// A transaction for work that writes: every state change goes through here. What the work schedules with
    /// `AfterCommit` runs once it has committed (inside another transaction, once that one has).
    func writeTransaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if inTransaction { return try await transaction(work) }
        let afterCommit = AfterCommit()
        // Bound inside the work: on SQLite it runs in the gate's task, which carries the values of whichever caller
        // started that task, not this one's.
        let scoped: @Sendable (any Database) async throws -> T = { tx in
            let deferred = PendingWrites()
            return try await AfterCommit.$current.withValue(afterCommit) {
                try await PendingWrites.$current.withValue(deferred) {
                    let result = try await work(tx)
                    try await deferred.send(on: tx)
                    return result
                }
            }
        }
        let result: T
        if isSQLite {
            result = try await WriteGate.shared.write({ try await scoped($0) }, on: self) as! T
        } else {
            result = try await transaction(scoped)
        }
        afterCommit.run()
        return result
    }

    /// A write that matches nothing: on SQLite it takes the write lock together with the snapshot; anywhere it
    /// fails when the database cannot be written (the readiness check).
    func takeWriteLock() async throws {
        guard let sql = self as? any SQLDatabase else { return }
        try await sql.raw("UPDATE write_lock SET n = n WHERE 0 = 1").run()
    }

    /// The row as it is now, read inside a write transaction; on PostgreSQL it stays locked until the transaction
    /// ends, so two actions at once are decided one after the other (SQLite's write lock already serializes).
    /// `NO KEY UPDATE`, the lock an update of the row takes itself: it keeps out the other actions on the row but
    /// not the foreign key checks of rows that point at it. A write inserts those last (`PendingWrites`), after
    /// locking the partnership's log head; with `FOR UPDATE` here an action holding this lock and waiting for that
    /// head would wait on a write holding the head and waiting for this lock: a deadlock.
    func lockedRow<M: Model>(_ type: M.Type, _ id: UUID) async throws -> M? where M.IDValue == UUID {
        if let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT id FROM \(ident: M.schema) WHERE id = \(bind: id) FOR NO KEY UPDATE").run()
        }
        return try await M.find(id, on: self)
    }
}
