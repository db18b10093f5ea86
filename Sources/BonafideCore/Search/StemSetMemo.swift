import Foundation

/// The stems of texts matched before, as sets (`TextMatch.matches`): a search matches the same organizations' texts on
/// every request, and folding, splitting and stemming them was a seventh of a search. Once full it keeps what it has
/// and stems anything new afresh: emptying it, in a search over more texts than it holds, would throw away every
/// answer before it is asked for again.
typealias StemSetMemo = BoundedMemo<TextKey, Set<String>>

extension BoundedMemo where Key == TextKey, Value == Set<String> {
    /// Bounded by entries and by the bytes of the texts and their stems.
    convenience init(maxEntries: Int = 4096, maxBytes: Int = 8 << 20) {
        // A set's element costs about a String's 16 bytes plus what does not fit in it.
        self.init(maxEntries: maxEntries, maxBytes: maxBytes, whenFull: .keepWhatItHas) { text, stems in
            text.text.utf8.count + stems.reduce(0) { $0 + 16 + ($1.utf8.count > 15 ? $1.utf8.count : 0) }
        }
    }

    /// The stems of `text`, computed by `make` the first time.
    func stems(of text: String, _ make: (String) -> Set<String>) -> Set<String> {
        value(of: TextKey(text), always: { make($0.text) })
    }
}
