import Foundation

/// Lets a message through once per key and interval in this process: for an error every view of a page would repeat
/// (a damaged log), so that the operator's log says it once every few minutes, not once per visitor.
final class LogThrottle: @unchecked Sendable {
    // @unchecked: `lastLogged` is only touched under `lock`.
    private let lock = NSLock()
    private var lastLogged: [String: ContinuousClock.Instant] = [:]
    private let interval: Duration

    init(every interval: Duration) {
        self.interval = interval
    }

    /// How many keys are remembered: what a process running for months holds on to.
    var count: Int { lock.withLock { lastLogged.count } }

    /// Whether to log for `key` now; after a yes, the next yes for that key is `interval` away.
    func allows(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        lock.withLock {
            if let last = lastLogged[key], now < last.advanced(by: interval) { return false }
            // Keys whose interval has passed are forgotten once there are many, so a process running for months keeps
            // only those of the last interval.
            if lastLogged.count >= 1_000 { lastLogged = lastLogged.filter { now < $0.value.advanced(by: interval) } }
            lastLogged[key] = now
            return true
        }
    }
}
