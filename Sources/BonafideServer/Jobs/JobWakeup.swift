import Foundation

/// Ends a background job's sleep early: a write pokes it once the rows the job works on are committed, and the job
/// starts at once instead of at its next tick (its interval stays, for rows a poke never announces: those other
/// servers wrote). Pokes coalesce: however many come while the job works or sleeps, it runs once more, and that run
/// keeps going while it finds work. One per kind of work for the whole process: tests run many applications in one
/// process, where a poke also wakes another application's job, which then finds nothing of its own to do (waking too
/// often costs one empty look; too rarely, the wait for the tick).
final class JobWakeup: @unchecked Sendable {
    // @unchecked: `pokes` and `sleepers` are only touched under `lock`.

    /// The trust recompute: woken by every committed write that queued pairs (`TrustService.enqueue`).
    static let trustQueue = JobWakeup()

    private let lock = NSLock()
    private var pokes: UInt64 = 0
    private var sleepers: [UUID: CheckedContinuation<Void, Never>] = [:]

    /// How many pokes so far. A job reads it before it works: a poke while it works may announce rows it looked for
    /// too early, so the sleep after that work ends at once.
    var generation: UInt64 { lock.withLock { pokes } }

    func poke() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            pokes &+= 1
            let woken = Array(sleepers.values)
            sleepers.removeAll()
            return woken
        }
        for sleeper in woken { sleeper.resume() }
    }

    /// Sleeps for `interval`, or until a poke later than `seen` (at once when one came already), or until the task is
    /// cancelled.
    func sleep(for interval: Duration, unlessPokedSince seen: UInt64) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: interval) }
            group.addTask { await self.poked(since: seen, id: id) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Returns at a poke later than `seen`, or when cancelled. The check and the parking share the lock with `poke`
    /// and with the cancellation handler, so neither a poke nor a cancellation can slip between them.
    private func poked(since seen: UInt64, id: UUID) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (sleeper: CheckedContinuation<Void, Never>) in
                let now = self.lock.withLock { () -> Bool in
                    if self.pokes != seen || Task.isCancelled { return true }
                    self.sleepers[id] = sleeper
                    return false
                }
                if now { sleeper.resume() }
            }
        } onCancel: {
            self.lock.withLock { self.sleepers.removeValue(forKey: id) }?.resume()
        }
    }
}
