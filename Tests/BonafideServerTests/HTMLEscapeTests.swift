import Testing

@testable import BonafideServer

/// Escaping by UTF-8 byte gives the text that escaping by unicode scalar gave, for any text.
@Suite("HTML escaping")
struct HTMLEscapeTests {
    /// The escaping pages were written with before, scalar by scalar.
    static func escapedByScalar(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Characters of one to four UTF-8 bytes, the five escaped ones, combining marks and an emoji sequence.
    static let alphabet: [String] = [
        "a", "Z", "0", " ", "\n", "\t", "\0", "&", "<", ">", "\"", "'", ";", "#", "é", "e\u{301}", "\"\u{301}", "'\u{308}",
        "<\u{338}", "ß", "€", "中", "😀", "👩‍👩‍👧", "🇫🇷", "\u{200B}", "\u{FEFF}", "\u{7F}", "\u{80}", "\u{10FFFF}",
    ]

    static func randomText() -> String {
        var s = ""
        for _ in 0..<Int.random(in: 0...40) { s += alphabet.randomElement()! }
        return s
    }

    @Test func escapesTheFiveCharacters() {
        #expect(HTML.escape(#"<a href="x">Tom & Jerry's</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(HTML.escape("\"\u{301}") == "&quot;\u{301}")
        #expect(HTML.escape("") == "")
        #expect(HTML.escape("Café 中文 😀") == "Café 中文 😀")
    }

    @Test func sameTextAsEscapingByScalar() {
        var samples = Self.alphabet + Self.alphabet.map { $0 + $0 + "x" }
        for _ in 0..<20_000 { samples.append(Self.randomText()) }
        // A bridged or sliced string is not always stored as native UTF-8.
        samples.append(String(Substring("&é<中>😀'\"".dropFirst())))
        let differing = samples.filter { HTML.escape($0) != Self.escapedByScalar($0) }
        #expect(differing.isEmpty, "\(differing.prefix(3).map { ($0, HTML.escape($0), Self.escapedByScalar($0)) })")
        // Compared as bytes as well: String equality is canonical equivalence, escaping must keep the exact scalars.
        let differingBytes = samples.filter { Array(HTML.escape($0).utf8) != Array(Self.escapedByScalar($0).utf8) }
        #expect(differingBytes.isEmpty, "\(differingBytes.prefix(3))")
    }
}
