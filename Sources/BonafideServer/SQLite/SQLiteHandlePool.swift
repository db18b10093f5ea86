import Foundation
import NIOConcurrencyHelpers
import VaporCSQLite

/// The open connections to one SQLite file: a statement borrows one for its few microseconds, a transaction keeps
/// one to its end. Connections are opened when none is free and kept up to `maxIdle`.
final class SQLiteHandlePool: Sendable {
    /// Where the connections point (a path or a `file:` URI); two pools with the same key write the same database.
    let key: String
    /// A scratch database (`sqliteMemory`): its commits need not wait for the disk, and its files go at shutdown.
    let scratch: Bool
    var durable: Bool { !scratch }
    private let pragmas: [String]
    private let state = NIOLockedValueBox(State())

    private struct State {
        var idle: [SQLiteHandle] = []
        var closed = false
    }

    /// The part of the database file read through a memory map (address space, not memory: the kernel's page cache
    /// holds the pages either way).
    static let mappedBytes = 1 << 30

    /// Enough for the statements of every thread that runs requests and the transactions waiting on the one writer.
    static let maxIdle = 16

    init(path: String, scratch: Bool) {
        self.key = path
        self.scratch = scratch
        // Foreign keys as SQLiteKit turned them on; WAL so readers never wait for the writer; FULL so every
        // acknowledged commit survives a power cut (OFF for a scratch database, which dies with the process). The
        // savepoint of each piece of a writer's batch keeps its undo pages in memory, not in a temporary file; and
        // pages are read through a memory map, not copied in by a system call each (9% of a busy writer's time).
        self.pragmas = [
            "PRAGMA foreign_keys = ON",
            "PRAGMA journal_mode = WAL",
            scratch ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL",
            "PRAGMA temp_store = MEMORY",
            "PRAGMA mmap_size = \(Self.mappedBytes)",
        ]
    }

    func withHandle<T>(_ body: (SQLiteHandle) throws -> T) throws -> T {
        let handle = try checkOut()
        defer { checkIn(handle) }
        return try body(handle)
    }

    func checkOut() throws -> SQLiteHandle {
        if let reused = try state.withLockedValue({ state in
            guard !state.closed else { throw Self.shutDown }
            return state.idle.popLast()
        }) {
            return reused
        }
        let opened = try SQLiteHandle(path: key, pragmas: pragmas)
        // Shut down while it opened: a scratch file opened again must not outlive the pool.
        guard state.withLockedValue({ !$0.closed }) else {
            opened.close()
            removeScratchFiles()
            throw Self.shutDown
        }
        return opened
    }

    private static let shutDown = SQLiteFailure(code: SQLITE_MISUSE, message: "The database is shut down.")

    /// A connection comes back; one still inside a transaction (its rollback failed) is closed, never reused.
    func checkIn(_ handle: SQLiteHandle) {
        let keep =
            !handle.inTransaction
            && state.withLockedValue { state in
                guard !state.closed, state.idle.count < Self.maxIdle else { return false }
                state.idle.append(handle)
                return true
            }
        if !keep { handle.close() }
    }

    func shutdown() {
        let idle = state.withLockedValue { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for handle in idle { handle.close() }
        removeScratchFiles()
    }

    private func removeScratchFiles() {
        guard scratch else { return }
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: key + suffix) }
    }
}
