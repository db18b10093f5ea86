import Foundation
import Testing

@testable import BonafideCore

/// `TextMatch` stems ASCII words on bytes and remembers the stems of texts it matched: what it answers must be what
/// stemming every word character by character, every time, answered.
@Suite("Text match fast paths")
struct TextMatchFastPathTests {
    /// `TextMatch.stem` as it was before its byte path, to check against.
    static func characterStem(_ word: String) -> String {
        let suffixes: [(String, String)] = [
            ("ational", "ate"), ("ization", "ize"), ("isation", "ize"), ("ations", "ate"), ("ation", "ate"), ("iveness", "ive"),
            ("fulness", "ful"), ("ousness", "ous"), ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"),
            ("ers", ""), ("er", ""), ("edly", ""), ("ed", ""), ("es", ""), ("s", ""),
        ]
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

    /// `TextMatch.matches` as it was: fresh stems of both, every time.
    static func freshMatches(_ query: String, in text: String) -> Bool {
        func stems(_ s: String) -> [String] {
            s.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
                .split { !($0.isLetter || $0.isNumber) }.map { characterStem(String($0)) }
        }
        let wanted = stems(query)
        guard !wanted.isEmpty else { return true }
        let present = Set(stems(text))
        return wanted.allSatisfy(present.contains)
    }

    /// A fixed sequence of pseudo-random numbers (BonafideCore's `SplitMix64`), so a failure can be replayed.
    struct Dice {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
    }

    static let pieces: [String] = [
        "a", "e", "i", "o", "u", "s", "d", "r", "n", "g", "t", "l", "z", "y", "m", "ll", "ss", "E", "S", "ING", "Z", "é", "e\u{301}",
        "ß", "ı", "ﬁ", "Ω", "ü", "0", "7", "設", "計", "デ", "\r\n", "-", " ", "'", "\u{0}",
    ]

    static let texts = [
        "Design systems\nUX research", "UX designers", "designing", "Diseño UX; designers for storefronts", "Forecast modelling",
        "forecasting models", "Data pipelines", "pipeline", "Services and modelling", "services", "Café RÉSUMÉS naïve", "résumé",
        "設計 デザイン", "設計", "ＵＸ　ｄｅｓｉｇｎ", "ux design", "3D printing, CNC-milling", "3d print", "organizations' optimization",
        "organisation", "", "   ", "-", "English\nGerman", "english", "Hopefully carefulness", "careful", "studies studied",
        "study",
    ]

    @Test func byteStemsAreTheCharacterStems() {
        var words = Self.texts.flatMap { $0.split { !($0.isLetter || $0.isNumber) }.map(String.init) }
        for base in ["design", "model", "serv", "abc", "ab", "DESIGN", "Café", "設計x", "naïv", "stud"] {
            for suffix in ["ational", "ization", "isation", "ations", "ation", "iveness", "fulness", "ousness", "ments", "ment"]
                + ["ings", "ing", "ies", "ied", "ers", "er", "edly", "ed", "es", "s", "e", "ll", "ss", "ee", "LL", ""]
            {
                words.append(base + suffix)
            }
        }
        var dice = Dice(state: 19)
        for _ in 0..<5000 {
            words.append((0..<dice.next(12)).map { _ in Self.pieces[dice.next(Self.pieces.count)] }.joined())
        }
        for word in words {
            #expect(TextMatch.stem(word) == Self.characterStem(word), "\(word.debugDescription)")
        }
        // Both paths were taken: plain words and words of other letters.
        #expect(words.contains { word in word.count > 3 && word.utf8.allSatisfy { (0x61...0x7A).contains($0 | 0x20) } })
        #expect(words.contains { word in word.count > 3 && !word.utf8.allSatisfy { $0 < 0x80 } && word.allSatisfy(\.isLetter) })
    }

    @Test func rememberedStemsAreFreshStems() {
        var dice = Dice(state: 3)
        var texts = Self.texts
        for _ in 0..<300 {
            texts.append((0..<dice.next(30)).map { _ in Self.pieces[dice.next(Self.pieces.count)] }.joined())
        }
        // Twice: the second time the stems come from memory.
        for text in texts + texts {
            #expect(TextMatch.stemSet(text) == Set(TextMatch.stems(text)), "\(text.debugDescription)")
        }
        var found = 0
        for query in Self.texts {
            for text in texts {
                let matches = TextMatch.matches(query, in: text)
                #expect(matches == Self.freshMatches(query, in: text), "\(query.debugDescription) in \(text.debugDescription)")
                if matches && !query.isEmpty { found += 1 }
            }
        }
        #expect(found > Self.texts.count)
    }

    @Test func theMemoryStaysWithinItsBounds() {
        let memo = StemSetMemo(maxEntries: 3, maxBytes: 1000)
        var made = 0
        func stems(_ text: String) -> Set<String> {
            memo.stems(of: text) { text in
                made += 1
                return Set(TextMatch.stems(text))
            }
        }
        for _ in 0..<2 {
            for text in ["design a", "model b", "serve c"] { #expect(stems(text) == Set(TextMatch.stems(text))) }
        }
        #expect(made == 3 && memo.count == 3)
        // Full: a new text is stemmed afresh every time and not kept; what was kept still answers.
        #expect(stems("fourth text") == ["fourth", "text"])
        #expect(stems("fourth text") == ["fourth", "text"])
        #expect(made == 5 && memo.count == 3)
        #expect(stems("design a") == Set(TextMatch.stems("design a")) && made == 5)

        // Bytes count the text and its stems: "design" (6 + 16 for its one stem) fits in 30, a second does not.
        let small = StemSetMemo(maxEntries: 100, maxBytes: 30)
        _ = small.stems(of: "design") { Set(TextMatch.stems($0)) }
        _ = small.stems(of: "models") { Set(TextMatch.stems($0)) }
        #expect(small.count == 1)
        let tiny = StemSetMemo(maxEntries: 100, maxBytes: 10)
        _ = tiny.stems(of: "design") { Set(TextMatch.stems($0)) }
        #expect(tiny.count == 0)
    }

    /// A memo's text key is the text's bytes: the same bytes are one key (and hash alike), a text written with other
    /// bytes that `String` calls equal (an accent composed or not) is another key, so it is worked out anew, never
    /// answered with what another text gave.
    @Test func textKeysAreTheBytesOfTheText() {
        let composed = "Zo\u{EB}"
        let decomposed = "Zoe\u{308}"
        #expect(composed == decomposed)
        #expect(TextKey(composed) != TextKey(decomposed))
        #expect(TextKey(composed) == TextKey(String(decoding: Array(composed.utf8), as: UTF8.self)))
        #expect(TextKey(composed).hashValue == TextKey("Zo" + "\u{EB}").hashValue)
        let memo = BoundedMemo<TextKey, Int>(maxEntries: 8, maxBytes: 1 << 10, whenFull: .startOver) { key, _ in key.text.utf8.count }
        #expect(memo.value(of: TextKey(composed)) { $0.text.utf8.count } == 4)
        #expect(memo.value(of: TextKey(decomposed)) { $0.text.utf8.count } == 5)
        #expect(memo.count == 2)
    }
}
