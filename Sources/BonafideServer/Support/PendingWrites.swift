import BonafideCore
import Fluent
import Foundation
import SQLKit

/// What a write transaction's work leaves for its end, sent there in as few statements as the database allows: its
/// log entries, and the writes that answer nothing and that no later statement of the work reads (an event, a
/// message, the notifications and mails of a change, the trust recompute it queues).
///
/// An append locks the partnership's log head, and every other write to the partnership waits for that lock until
/// the transaction ends: taken last, it is held for the append and the commit, not for every statement the work runs
/// after its first change. On PostgreSQL each statement is a round trip of CPU on both sides, so the deferred writes
/// go out with the append as one statement (`CombinedWrites`); SQLite runs them one by one.
///
/// Entries of one partnership go in one append (one lock, one write), in the order they were made; partnerships are
/// appended in the order of their ids, so two transactions that both write to two partnerships cannot each hold the
/// lock the other waits for. Trust pairs are queued once each, in one order, for the same reason.
/// `writeTransaction` binds one to its work and sends it; outside one, or once it was sent, everything is written at
/// once. What the work reads of its own deferred rows it does not find: only writes nothing reads later are deferred.
final class PendingWrites: @unchecked Sendable {
    // @unchecked: every stored property is only touched under `lock`.

    /// The write transaction the current task is in, set by `writeTransaction` inside its work.
    @TaskLocal static var current: PendingWrites?

    private let lock = NSLock()
    private var entries: [(partnership: UUID, entry: LedgerEntry)] = []
    private var writes = CombinedWrites()
    private var afterWrites: [() throws -> Void] = []
    private var trustPairs: [TrustService.Pair: Date] = [:]
    private var mailKeys: Set<String> = []
    private var sent = false

    /// Appends the entry to the partnership's log when the current write transaction's work is done, or now.
    static func append(_ entry: LedgerEntry, partnership id: UUID, on db: any Database) async throws {
        if let current, current.collect({ $0.entries.append((id, entry)) }) { return }
        try await Ledger.append(entry, partnership: id, on: db)
    }

    /// Inserts the rows when the current write transaction's work is done, or now. Their ids are given out at once;
    /// they are marked stored once written.
    static func insert<M: HandSaved>(_ models: [M], on db: any Database) async throws {
        try await write(on: db) { writes in try models.insert(into: &writes) }
    }

    /// Adds writes that answer nothing to those sent when the current write transaction's work is done, or runs them
    /// now (always now with `deferring: false`). `add` answers what to call once they ran.
    static func write(
        on db: any Database, deferring: Bool = true, _ add: (inout CombinedWrites) throws -> () throws -> Void
    ) async throws {
        if deferring, let current {
            var failure: (any Error)?
            let collected = current.collect { pending in
                // Built apart and kept only whole: writes of an `add` that failed must not be sent by a caller that
                // catches its error.
                var writes = CombinedWrites()
                do {
                    pending.afterWrites.append(try add(&writes))
                    pending.writes.append(writes)
                } catch { failure = error }
            }
            if let failure { throw failure }
            if collected { return }
        }
        var writes = CombinedWrites()
        let done = try add(&writes)
        try await writes.run(on: try db.sql())
        try done()
    }

    /// Queues trust pairs when the current write transaction's work is done; false when there is none (the caller
    /// queues them now). A pair queued twice keeps its first time.
    static func queueTrust(_ pairs: [TrustService.Pair], at now: Date) -> Bool {
        guard let current else { return false }
        return current.collect { pending in
            for pair in pairs where pending.trustPairs[pair] == nil { pending.trustPairs[pair] = now }
        }
    }

    /// Notes the dedupe keys of mails deferred by the current write transaction: a later notice of the same event in
    /// the work (a status page's followers after the partnership's members) must find them, as it would find stored
    /// ones (`deferredMailKeys`).
    static func noteMailKeys(_ keys: [String]) {
        _ = current?.collect { $0.mailKeys.formUnion(keys) }
    }

    /// Which of the keys name mails the current write transaction deferred.
    static func deferredMailKeys(among keys: [String]) -> Set<String> {
        guard let current else { return [] }
        return current.lock.withLock { current.mailKeys.intersection(keys) }
    }

    private func collect(_ change: (PendingWrites) -> Void) -> Bool {
        lock.withLock {
            // A task started inside the work that outlives it finds everything sent: its write goes in at once.
            guard !sent else { return false }
            change(self)
            return true
        }
    }

    /// Sends what was collected, inside the transaction; `writeTransaction` calls it when the work is done.
    func send(on tx: any Database) async throws {
        let (collected, deferred, done, pairs) = lock.withLock {
            sent = true
            return (self.entries, self.writes, self.afterWrites, self.trustPairs)
        }
        guard !collected.isEmpty || !deferred.isEmpty || !pairs.isEmpty else { return }
        let sql = try tx.sql()
        var writes = deferred
        TrustService.queue(pairs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, into: &writes)
        var byPartnership: [UUID: [LedgerEntry]] = [:]
        for (id, entry) in collected { byPartnership[id, default: []].append(entry) }
        var appended: [() -> Void] = []
        for id in byPartnership.keys.sorted(by: { $0.uuidString < $1.uuidString }) {
            appended.append(try await Ledger.append(contentsOf: byPartnership[id]!, partnership: id, on: sql, into: &writes).written)
        }
        try await writes.run(on: sql)
        for stored in done { try stored() }
        for written in appended { written() }
    }
}
