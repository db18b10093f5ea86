import Foundation

/// The stems of texts matched before, as sets (`TextMatch.matches`): a search matches the same organizations' texts on
/// every request, and folding, splitting and stemming them was a seventh of a search. Bounded by entries and by the
/// bytes kept (texts and their stems); once full it keeps what it has and stems anything new afresh. A text's stems
/// never change, so nothing kept goes stale, and emptying it when full would, in a search over more texts than it
/// holds, throw away every answer before it is asked for again.
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
        // A set's element costs about a String's 16 bytes plus what does not fit in it.
        let size = text.utf8.count + made.reduce(0) { $0 + 16 + ($1.utf8.count > 15 ? $1.utf8.count : 0) }
        lock.withLock {
            guard sets.count < maxEntries, kept + size <= maxBytes, sets[text] == nil else { return }
            sets[text] = made
            kept += size
        }
        return made
    }

    var count: Int { lock.withLock { sets.count } }
}
