import Foundation

/// Matching what someone types against what an organization wrote, the way a person would judge it: case and
/// accents do not matter, nor do word endings ("designers", "designing" and "design" are one word).
///
/// ```swift
/// TextMatch.matches("UX designers", in: "Design systems\nUX research")   // true
/// ```
///
/// Rules, each with its reason: every word typed must be found (more words narrow the search, as people expect);
/// words are reduced to a stem by a small English suffix stripper, enough for skills and services, and linear in
/// the text.
public enum TextMatch {
    /// The stems of the words of a text, in order.
    public static func stems(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        return folded.split { !($0.isLetter || $0.isNumber) }.map { stem(String($0)) }
    }

    /// Whether every word of the query is in the text.
    public static func matches(_ query: String, in text: String) -> Bool {
        let wanted = stemSet(query)
        guard !wanted.isEmpty else { return true }
        return wanted.isSubset(of: stemSet(text))
    }

    /// The stems of a text as a set, remembered (`StemSetMemo`): the same texts are matched on every search.
    public static func stemSet(_ text: String) -> Set<String> {
        memo.stems(of: text) { Set(stems($0)) }
    }

    static let memo = StemSetMemo()

    private static let suffixes: [(String, String)] = [
        ("ational", "ate"), ("ization", "ize"), ("isation", "ize"), ("ations", "ate"), ("ation", "ate"), ("iveness", "ive"),
        ("fulness", "ful"), ("ousness", "ous"), ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"),
        ("ers", ""), ("er", ""), ("edly", ""), ("ed", ""), ("es", ""), ("s", ""),
    ]

    /// A light stem: the first matching suffix goes (keeping at least three letters), a doubled final consonant is
    /// made single ("modell" → "model"), and a final "e" goes ("service" and "services" meet at "servic").
    public static func stem(_ word: String) -> String {
        if let stemmed = asciiStem(word) { return stemmed }
        var w = Array(word)
        guard w.count > 3, w.allSatisfy(\.isLetter) else { return word }
        for (suffix, replacement) in suffixes where word.hasSuffix(suffix) && w.count - suffix.count >= 3 {
            w = Array(w.dropLast(suffix.count)) + Array(replacement)
            break
        }
        if w.count > 3, w[w.count - 1] == w[w.count - 2], !"aeiou".contains(w[w.count - 1]) { w.removeLast() }
        if w.count > 3, w.last == "e" { w.removeLast() }
        return String(w)
    }

    private static let asciiSuffixes: [([UInt8], [UInt8])] = suffixes.map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// `stem` on bytes for a word of ASCII letters only (nearly every word of a profile), where each byte is one
    /// `Character` and comparing bytes is comparing characters; nil for any other word, which `stem` reads as
    /// characters. Building arrays of `Character`s for every word was most of the stemming.
    private static func asciiStem(_ word: String) -> String? {
        var w: [UInt8] = []
        w.reserveCapacity(word.utf8.count)
        for byte in word.utf8 {
            guard (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) else { return nil }
            w.append(byte)
        }
        guard w.count > 3 else { return word }
        for (suffix, replacement) in asciiSuffixes where w.count - suffix.count >= 3 && w.suffix(suffix.count).elementsEqual(suffix) {
            w.removeLast(suffix.count)
            w.append(contentsOf: replacement)
            break
        }
        let vowels: [UInt8] = Array("aeiou".utf8)
        if w.count > 3, w[w.count - 1] == w[w.count - 2], !vowels.contains(w[w.count - 1]) { w.removeLast() }
        if w.count > 3, w.last == UInt8(ascii: "e") { w.removeLast() }
        return String(decoding: w, as: UTF8.self)
    }

    /// How alike two texts read, from 0 to 1: the overlap of their three-word runs (of their words when either is
    /// shorter), after folding case and accents. Linear in the texts.
    public static func similarity(_ a: String, _ b: String) -> Double {
        func words(_ s: String) -> [String] {
            s.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
                .split { !($0.isLetter || $0.isNumber) }.map(String.init)
        }
        let x = words(a), y = words(b)
        guard !x.isEmpty || !y.isEmpty else { return 1 }
        func shingles(_ w: [String]) -> Set<String> {
            w.count < 3 ? Set(w) : Set((0...(w.count - 3)).map { w[$0..<($0 + 3)].joined(separator: " ") })
        }
        let (sx, sy) = x.count < 3 || y.count < 3 ? (Set(x), Set(y)) : (shingles(x), shingles(y))
        let union = sx.union(sy).count
        return union == 0 ? 1 : Double(sx.intersection(sy).count) / Double(union)
    }
}
