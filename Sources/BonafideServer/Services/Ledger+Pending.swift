import BonafideCore
import Fluent
import Foundation

extension Ledger {
    /// The log entries a write transaction makes, appended when its work is done rather than where each change is
    /// made. An append locks the partnership's log head, and every other write to the partnership waits for that lock
    /// until the transaction ends: taken last, it is held for the append and the commit, not for every statement the
    /// work runs after its first change (on PostgreSQL each a round trip). Entries of one partnership go in one append
    /// (one lock, one write), in the order they were made; partnerships are appended in the order of their ids, so
    /// two transactions that both write to two partnerships cannot each hold the lock the other waits for.
    /// `writeTransaction` collects them; outside one an entry is appended at once.
    final class Pending: @unchecked Sendable {
        // @unchecked: `entries` and `appended` are only touched under `lock`.

        /// The write transaction the current task is in, set by `writeTransaction` inside its work.
        @TaskLocal static var current: Pending?

        private let lock = NSLock()
        private var entries: [(partnership: UUID, entry: LedgerEntry)] = []
        private var appended = false

        /// Appends the entry when the current write transaction's work is done, or now when there is none.
        static func append(_ entry: LedgerEntry, partnership id: UUID, on db: any Database) async throws {
            if let current, current.add(entry, partnership: id) { return }
            try await Ledger.append(entry, partnership: id, on: db)
        }

        private func add(_ entry: LedgerEntry, partnership id: UUID) -> Bool {
            lock.withLock {
                // A task started inside the work that outlives it finds the entries appended: its entry goes in at once.
                guard !appended else { return false }
                entries.append((id, entry))
                return true
            }
        }

        /// Appends what was collected, inside the transaction; `writeTransaction` calls it when the work is done.
        func appendAll(on tx: any Database) async throws {
            let due = lock.withLock { () -> [(partnership: UUID, entry: LedgerEntry)] in
                appended = true
                defer { entries.removeAll() }
                return entries
            }
            var byPartnership: [UUID: [LedgerEntry]] = [:]
            for (id, entry) in due { byPartnership[id, default: []].append(entry) }
            for id in byPartnership.keys.sorted(by: { $0.uuidString < $1.uuidString }) {
                try await Ledger.append(contentsOf: byPartnership[id]!, partnership: id, on: tx)
            }
        }
    }
}
