import Foundation

/// Values worked out before, by a key that fully decides them, so nothing kept ever goes stale: a report decoded from
/// its text, a text's stems, a working week's hours over given days. Bounded by entries and by the bytes `size` counts;
/// what it does when full is each user's choice (`WhenFull`). Safe to share between threads.
///
/// ```swift
/// let memo = BoundedMemo<String, Int>(maxEntries: 100, maxBytes: 1 << 20, whenFull: .startOver) { key, _ in key.utf8.count }
/// let length = memo.value(of: "text") { $0.count }
/// ```
public final class BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    // @unchecked: `values` and `held` are only touched under `lock`.

    public enum WhenFull: Sendable {
        /// Keep what it has and work anything new out afresh: right when the same keys come back over and over but
        /// more of them than it holds (emptying it would throw every answer away before it is asked for again).
        case keepWhatItHas
        /// Empty it and keep the new one: right when old keys stop coming (yesterday's days, replaced reports). A
        /// single value of more than a sixteenth of the bytes is not kept, so it cannot empty the memo each time.
        case startOver
    }

    private let lock = NSLock()
    private var values: [Key: Value] = [:]
    private var held = 0
    public let maxEntries: Int
    public let maxBytes: Int
    private let whenFull: WhenFull
    private let size: @Sendable (Key, Value) -> Int

    public init(maxEntries: Int, maxBytes: Int, whenFull: WhenFull, size: @escaping @Sendable (Key, Value) -> Int) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.whenFull = whenFull
        self.size = size
    }

    /// The value of `key`, made by `make` the first time; nil, and nothing kept, when `make` gives nil. `make` runs
    /// outside the lock: two callers may both make a key new to both, and keep the same value.
    public func value(of key: Key, _ make: (Key) throws -> Value?) rethrows -> Value? {
        if let known = lock.withLock({ values[key] }) { return known }
        guard let made = try make(key) else { return nil }
        keep(made, for: key)
        return made
    }

    /// The same for a `make` that always gives a value.
    public func value(of key: Key, always make: (Key) throws -> Value) rethrows -> Value {
        if let known = lock.withLock({ values[key] }) { return known }
        let made = try make(key)
        keep(made, for: key)
        return made
    }

    private func keep(_ made: Value, for key: Key) {
        let bytes = size(key, made)
        lock.withLock {
            switch whenFull {
            case .keepWhatItHas:
                guard values.count < maxEntries, held + bytes <= maxBytes, values[key] == nil else { return }
            case .startOver:
                guard bytes <= maxBytes / 16 else { return }
                if values.count >= maxEntries || held + bytes > maxBytes {
                    values = [:]
                    held = 0
                }
            }
            if values.updateValue(made, forKey: key) == nil { held += bytes }
        }
    }

    public var count: Int { lock.withLock { values.count } }
}
