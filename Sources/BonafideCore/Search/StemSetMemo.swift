import Foundation

/// The stems of texts matched before, as sets (`TextMatch.matches`): a search matches the same organizations' texts on
/// every request, and folding, splitting and stemming them was a seventh of a search. Bounded by entries and by the
/// characters kept, emptied whole when either bound is passed: a fresh start costs one round of stemming, and an
/// eviction order would cost more bookkeeping than it saves at this size.
final class StemSetMemo: @unchecked Sendable {
    // @unchecked: `sets` and `kept` are only touched under `lock`.

    private let lock = NSLock()
    private var sets: [String: Set<String>] = [:]
    private var kept = 0
    let maxEntries: Int
    let maxBytes: Int

    init(maxEntries: Int = 4096, maxBytes: Int = 8 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    /// The stems of `text`, computed by `make` the first time (outside the lock: two requests may both compute a text
    /// new to both, and keep the same set).
    func stems(of text: String, _ make: (String) -> Set<String>) -> Set<String> {
        if let known = lock.withLock({ sets[text] }) { return known }
        let made = make(text)
        let size = text.utf8.count
        lock.withLock {
            if sets.count >= maxEntries || kept + size > maxBytes {
                sets.removeAll(keepingCapacity: true)
                kept = 0
            }
            if sets.updateValue(made, forKey: text) == nil { kept += size }
        }
        return made
    }

    var count: Int { lock.withLock { sets.count } }
}
