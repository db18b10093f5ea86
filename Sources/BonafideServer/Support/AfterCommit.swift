import Foundation

/// What a write transaction does once it has committed: telling others about rows they can only see from then on
/// (waking the trust job for the pairs a write queued: woken before the commit, the job would look, find nothing yet,
/// and leave the rows to its next tick). `Database.writeTransaction` collects it and runs it after the commit, and
/// drops it when the transaction rolls back. Outside a write transaction it runs at once: a statement on its own has
/// committed when it returns. (Inside a plain `transaction`, which nothing that serves requests uses, it also runs at
/// once, before the commit; the job's interval then picks the rows up.)
final class AfterCommit: @unchecked Sendable {
    // @unchecked: `actions` is only touched under `lock`.

    /// The write transaction the current task is in, set by `writeTransaction` inside its work.
    @TaskLocal static var current: AfterCommit?

    private let lock = NSLock()
    private var actions: [@Sendable () -> Void] = []
    /// Set once the transaction has committed: a task started inside the work inherits the value and may schedule
    /// later, and its action must run then, not wait in a list nobody reads again.
    private var ran = false

    /// Runs `action` once the enclosing write transaction has committed, or now when there is none (or it has).
    static func schedule(_ action: @escaping @Sendable () -> Void) {
        guard let current else { return action() }
        let queued = current.lock.withLock { () -> Bool in
            if current.ran { return false }
            current.actions.append(action)
            return true
        }
        if !queued { action() }
    }

    /// Runs what was scheduled; `writeTransaction` calls it after the commit.
    func run() {
        let due = lock.withLock { () -> [@Sendable () -> Void] in
            ran = true
            defer { actions.removeAll() }
            return actions
        }
        for action in due { action() }
    }
}
