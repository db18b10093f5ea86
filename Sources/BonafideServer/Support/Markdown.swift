import Foundation

/// Markdown for user-written text, by hand because no Markdown library builds here on Linux: a safe, linear-time CommonMark subset.
enum Markdown {
    /// How deep block quotes nest; a deeper `>` is text, so nesting cannot multiply the work on a line.
    private static let maxQuoteDepth = 3
    private static let rel = "nofollow noopener noreferrer ugc"
    private static let escapable = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

    /// The text as HTML: paragraphs, headings (`#` is an h3, so they rank below the page's own), lists, quotes,
    /// fenced code, inline code, emphasis and links. Raw HTML in the text shows as text.
    static func html(_ source: String) -> HTML { HTML(raw: parse(source).map(render).joined(separator: "\n")) }

    /// The text with the markup removed, for mail text parts, feed summaries and previews. A link keeps its address
    /// in brackets after its text, so a mail reader can still follow it.
    static func plainText(_ source: String) -> String { parse(source).map(renderPlain).joined(separator: "\n\n") }

    private enum Block {
        case paragraph([Substring])
        case heading(Int, Substring)
        case code([Substring])
        case quote([Block])
        case list(start: Int?, items: [[Substring]])
    }

    // MARK: Blocks

    private static func parse(_ source: String) -> [Block] {
        blocks(source.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }), depth: 0)
    }

    private static func blocks(_ lines: [Substring], depth: Int) -> [Block] {
        func interrupts(_ line: Substring) -> Bool {
            isFence(line) || heading(line) != nil || (depth < maxQuoteDepth && isQuote(line)) || listItem(line) != nil
        }
        var out: [Block] = []
        var i = 0
        func take(while keep: (Substring) -> Bool) -> [Substring] {
            let start = i
            while i < lines.count, keep(lines[i]) { i += 1 }
            return Array(lines[start..<i])
        }
        while i < lines.count {
            let line = lines[i]
            if isBlank(line) {
                i += 1
            } else if isFence(line) {
                i += 1
                out.append(.code(take { !isClosingFence($0) }))
                i += 1  // past the closing fence; one that never closes runs to the end, as in CommonMark
            } else if let h = heading(line) {
                out.append(.heading(h.level, h.text))
                i += 1
            } else if depth < maxQuoteDepth, isQuote(line) {
                out.append(.quote(blocks(take(while: isQuote).map(unquoted), depth: depth + 1)))
            } else if let first = listItem(line) {
                // Indented items join the list rather than nesting: one level keeps the scan flat.
                let ordered = first.number != nil
                var items: [[Substring]] = [[first.text]]
                i += 1
                while i < lines.count {
                    if let item = listItem(lines[i]) {
                        guard (item.number != nil) == ordered else { break }
                        items.append([item.text])
                        i += 1
                    } else if isBlank(lines[i]) {
                        // A blank line ends the list unless another item of the same kind follows it.
                        var next = i + 1
                        while next < lines.count, isBlank(lines[next]) { next += 1 }
                        guard next < lines.count, let item = listItem(lines[next]), (item.number != nil) == ordered else { break }
                        i = next
                    } else if interrupts(lines[i]) {
                        break
                    } else {
                        items[items.count - 1].append(lines[i])
                        i += 1
                    }
                }
                out.append(.list(start: first.number, items: items))
            } else {
                i += 1
                out.append(.paragraph([line] + take { !isBlank($0) && !interrupts($0) }))
            }
        }
        return out
    }

    private static func isBlank(_ line: Substring) -> Bool { line.allSatisfy(\.isWhitespace) }
    private static func unindented(_ line: Substring) -> Substring { line.drop(while: { $0 == " " || $0 == "\t" }) }
    private static func isDigit(_ c: Character) -> Bool { c.asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }

    private static func trimmed(_ text: Substring) -> Substring {
        var s = text.drop(while: \.isWhitespace)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return s
    }

    private static func isFence(_ line: Substring) -> Bool {
        let s = unindented(line)
        // "```x```" on one line is inline code, not a fence (CommonMark).
        return s.hasPrefix("```") && !s.drop(while: { $0 == "`" }).contains(where: { $0 == "`" })
    }

    private static func isClosingFence(_ line: Substring) -> Bool {
        let s = unindented(line)
        return s.hasPrefix("```") && s.drop(while: { $0 == "`" }).allSatisfy(\.isWhitespace)
    }

    private static func heading(_ line: Substring) -> (level: Int, text: Substring)? {
        let s = unindented(line)
        let hashes = s.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let rest = s.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }  // "#tag" is text
        var text = trimmed(rest)
        // A closing run of #s is decoration when a space sets it off ("## Title ##"), part of the text when not.
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)] == "#" { end = text.index(before: end) }
        if end == text.startIndex || text[text.index(before: end)].isWhitespace { text = trimmed(text[..<end]) }
        return (min(hashes + 2, 6), text)
    }

    private static func isQuote(_ line: Substring) -> Bool { unindented(line).first == ">" }

    private static func unquoted(_ line: Substring) -> Substring {
        let s = unindented(line).dropFirst()
        return s.first == " " ? s.dropFirst() : s
    }

    /// A list item's number (nil for a bullet) and text, when the line starts one.
    private static func listItem(_ line: Substring) -> (number: Int?, text: Substring)? {
        let s = unindented(line)
        let digits = s.prefix(while: isDigit)
        var rest: Substring
        if digits.isEmpty {
            guard s.first == "-" || s.first == "*" else { return nil }
            rest = s.dropFirst()
        } else {
            rest = s[digits.endIndex...]
            guard digits.count <= 9, rest.first == "." || rest.first == ")" else { return nil }
            rest = rest.dropFirst()
        }
        // "-5", "**bold**" and "3.5" start paragraphs.
        guard rest.first == " " || rest.first == "\t" else { return nil }
        return (digits.isEmpty ? nil : Int(digits), rest.dropFirst())
    }

    // MARK: Inline

    private struct Token {
        enum Kind { case text, code, autolink, delimiter, bracket, linkOpen, linkClose, hardBreak }
        var kind: Kind
        var text = ""  // the text, code or address
        var char: Character = "*"  // a run of * or _, and how many of it are left over as text
        var count = 0
        var opens: [String] = []  // tags opened after the left-over characters, innermost first
        var closes: [String] = []  // tags closed before them, innermost first
    }

    /// One pass over the characters, CommonMark's delimiter algorithm cut down so that every step is O(1) amortized:
    /// emphasis pairs with the nearest opener of its character (the top of a stack, never a search), and a link's
    /// closing ")" and the code span closers are looked up in tables built before the pass.
    private static func inline(_ lines: [Substring]) -> [Token] {
        // Lines join with "\n" (a space), or "\r" (a <br>) after two trailing spaces; neither is left in a line.
        var chars: [Character] = []
        for (k, line) in lines.enumerated() {
            chars.append(contentsOf: trimmed(line))
            if k < lines.count - 1 { chars.append(line.hasSuffix("  ") ? "\r" : "\n") }
        }
        let n = chars.count
        var nextClose = [Int](repeating: n, count: n + 1)  // the first ")" at or after each position
        var nextStop = [Int](repeating: n, count: n + 1)  // the first character that cannot be in an address
        var opensBefore = [Int](repeating: 0, count: n + 1)  // how many "(" come before each position
        for i in 0..<n { opensBefore[i + 1] = opensBefore[i] + (chars[i] == "(" ? 1 : 0) }
        for i in stride(from: n - 1, through: 0, by: -1) {
            nextClose[i] = chars[i] == ")" ? i : nextClose[i + 1]
            nextStop[i] = chars[i].isWhitespace || chars[i] == "<" || chars[i] == ">" ? i : nextStop[i + 1]
        }
        // The starts of backtick runs by length, with a cursor per length that only moves forward, as the pass does.
        var runs: [Int: [Int]] = [:]
        var runCursor: [Int: Int] = [:]
        for (start, c) in chars.enumerated() where c == "`" && (start == 0 || chars[start - 1] != "`") {
            runs[chars[start...].prefix(while: { $0 == "`" }).count, default: []].append(start)
        }
        func closingRun(length: Int, from: Int) -> Int? {
            guard let starts = runs[length] else { return nil }
            var c = runCursor[length, default: 0]
            while c < starts.count, starts[c] < from { c += 1 }
            runCursor[length] = c
            return c < starts.count ? starts[c] : nil
        }
        func destination(at p: Int) -> (url: String, end: Int)? {
            guard p < n, chars[p] == "(" else { return nil }
            let start = p + 1
            var close = nextClose[start]
            guard close < n, close < nextStop[start] else { return nil }
            // One pair of parentheses inside, as in Wikipedia's ".../Mercury_(planet)", belongs to the address.
            if opensBefore[close] - opensBefore[start] == 1, close + 1 < n {
                let second = nextClose[close + 1]
                if second < nextStop[start], opensBefore[second] == opensBefore[close] { close = second }
            }
            // Checked on the first characters only, so a "(" that is no link costs nothing before it is read as text.
            guard isLinkable(chars[start..<close]) else { return nil }
            return (String(chars[start..<close]), close + 1)
        }
        func autolinkEnd(at p: Int) -> Int? {
            guard chars[p] == "h" || chars[p] == "H", p == 0 || !(chars[p - 1].isLetter || chars[p - 1].isNumber) else { return nil }
            let scheme = hasPrefix(chars[p...], "https://") ? 8 : hasPrefix(chars[p...], "http://") ? 7 : 0
            // A letter or digit must follow: then it always becomes a link, so no address is scanned twice.
            guard scheme > 0, p + scheme < n, chars[p + scheme].isLetter || chars[p + scheme].isNumber else { return nil }
            var end = p + scheme
            var (opens, closes) = (0, 0)
            while end < n, !(chars[end].isWhitespace || "<>\"`[]".contains(chars[end])) {
                if chars[end] == "(" { opens += 1 } else if chars[end] == ")" { closes += 1 }
                end += 1
            }
            // Punctuation that ends the sentence, or a ")" closing words around the address, is not part of it.
            while ".,:;!?'\"*_~".contains(chars[end - 1]) || (chars[end - 1] == ")" && closes > opens) {
                if chars[end - 1] == ")" { closes -= 1 }
                end -= 1
            }
            return end
        }
        func isPunctuation(_ c: Character) -> Bool { c.isPunctuation || c.isSymbol }

        var tokens: [Token] = []
        var pending = ""
        var openers: [[Int]] = [[], []]  // runs of * and of _ that may still open, as token indices
        var brackets: [Int] = []  // "[" tokens waiting for their "]"
        func flush() {
            if !pending.isEmpty { tokens.append(Token(kind: .text, text: pending)) }
            pending = ""
        }
        var i = 0
        while i < n {
            let c = chars[i]
            switch c {
            case "\\" where i + 1 < n && escapable.contains(chars[i + 1]):
                pending.append(chars[i + 1])
                i += 2
            case "\n":
                pending.append(" ")
                i += 1
            case "\r":
                flush()
                tokens.append(Token(kind: .hardBreak))
                i += 1
            case "`":
                var end = i
                while end < n, chars[end] == "`" { end += 1 }
                if let close = closingRun(length: end - i, from: end) {
                    flush()
                    tokens.append(Token(kind: .code, text: codeText(chars[end..<close])))
                    i = close + (end - i)
                } else {
                    pending.append(contentsOf: chars[i..<end])
                    i = end
                }
            case "*", "_":
                var end = i
                while end < n, chars[end] == c { end += 1 }
                let before: Character = i > 0 ? chars[i - 1] : " "
                let after: Character = end < n ? chars[end] : " "
                let left = !after.isWhitespace && (!isPunctuation(after) || before.isWhitespace || isPunctuation(before))
                let right = !before.isWhitespace && (!isPunctuation(before) || after.isWhitespace || isPunctuation(after))
                // "_" inside a word (snake_case) is part of it.
                let canOpen = c == "*" ? left : left && (!right || isPunctuation(before))
                let canClose = c == "*" ? right : right && (!left || isPunctuation(after))
                let k = c == "*" ? 0 : 1
                var remaining = end - i
                var closes: [String] = []
                let barrier = brackets.last ?? -1  // inside "[...]" emphasis pairs only with what opened inside
                while canClose, remaining > 0, let top = openers[k].last, top > barrier {
                    let used = remaining >= 2 && tokens[top].count >= 2 ? 2 : 1
                    let tag = used == 2 ? "strong" : "em"
                    tokens[top].count -= used
                    tokens[top].opens.append(tag)
                    closes.append(tag)
                    remaining -= used
                    if tokens[top].count == 0 { openers[k].removeLast() }
                    // Runs of the other character opened inside the pair can no longer close in it: they stay text.
                    while let other = openers[1 - k].last, other > top { openers[1 - k].removeLast() }
                }
                if closes.isEmpty && !canOpen {
                    pending.append(contentsOf: chars[i..<end])
                } else {
                    flush()
                    tokens.append(Token(kind: .delimiter, char: c, count: remaining, closes: closes))
                    if canOpen && remaining > 0 { openers[k].append(tokens.count - 1) }
                }
                i = end
            case "[":
                flush()
                tokens.append(Token(kind: .bracket))
                brackets.append(tokens.count - 1)
                i += 1
            case "]":
                if let open = brackets.popLast(), let link = destination(at: i + 1) {
                    flush()
                    tokens[open].kind = .linkOpen
                    tokens[open].text = link.url
                    tokens.append(Token(kind: .linkClose, text: link.url))
                    // Emphasis left open in the text stays text, and links do not nest, so every earlier "[" is text.
                    for k in 0..<2 {
                        while let top = openers[k].last, top > open { openers[k].removeLast() }
                    }
                    brackets.removeAll()
                    i = link.end
                } else {
                    pending.append("]")
                    i += 1
                }
            default:
                if let end = autolinkEnd(at: i) {
                    flush()
                    tokens.append(Token(kind: .autolink, text: String(chars[i..<end])))
                    i = end
                } else {
                    pending.append(c)
                    i += 1
                }
            }
        }
        flush()
        return tokens
    }

    /// Whether `chars` start with the ASCII `prefix`, in any case.
    private static func hasPrefix(_ chars: ArraySlice<Character>, _ prefix: String) -> Bool {
        var i = chars.startIndex
        for p in prefix.utf8 {
            guard i < chars.endIndex, let a = chars[i].asciiValue, (a >= 65 && a <= 90 ? a + 32 : a) == p else { return false }
            i += 1
        }
        return true
    }

    /// Only web and mail addresses become links; javascript:, data:, relative paths and the rest stay text.
    private static func isLinkable(_ address: ArraySlice<Character>) -> Bool {
        ["https://", "http://", "mailto:"].contains { hasPrefix(address, $0) && address.count > $0.utf8.count }
    }

    /// A code span's text: line breaks become spaces, and one space padding each end goes (CommonMark).
    private static func codeText(_ chars: ArraySlice<Character>) -> String {
        let s = String(chars.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        guard s.count >= 2, s.first == " ", s.last == " ", s.contains(where: { $0 != " " }) else { return s }
        return String(s.dropFirst().dropLast())
    }

    // MARK: Output

    private static func anchor(_ url: String) -> String { "<a href=\"\(HTML.escape(url))\" rel=\"\(rel)\">" }

    private static func render(_ block: Block) -> String {
        switch block {
        case .paragraph(let lines): return "<p>\(inlineHTML(lines))</p>"
        case .heading(let level, let text): return "<h\(level)>\(inlineHTML([text]))</h\(level)>"
        case .code(let lines): return "<pre><code>\(HTML.escape(lines.joined(separator: "\n")))</code></pre>"
        case .quote(let inner): return (["<blockquote>"] + inner.map(render) + ["</blockquote>"]).joined(separator: "\n")
        case .list(let start, let items):
            let open = start.map { $0 == 1 ? "<ol>" : "<ol start=\"\($0)\">" } ?? "<ul>"
            let close = start == nil ? "</ul>" : "</ol>"
            return ([open] + items.map { "<li>\(inlineHTML($0))</li>" } + [close]).joined(separator: "\n")
        }
    }

    private static func inlineHTML(_ lines: [Substring]) -> String {
        var out = ""
        var inLink = false
        for t in inline(lines) {
            switch t.kind {
            case .text: out += HTML.escape(t.text)
            case .code: out += "<code>\(HTML.escape(t.text))</code>"
            case .autolink: out += inLink ? HTML.escape(t.text) : "\(anchor(t.text))\(HTML.escape(t.text))</a>"  // links do not nest
            case .delimiter:
                for tag in t.closes { out += "</\(tag)>" }
                out += String(repeating: t.char, count: t.count)
                for tag in t.opens.reversed() { out += "<\(tag)>" }
            case .bracket: out += "["
            case .linkOpen:
                out += anchor(t.text)
                inLink = true
            case .linkClose:
                out += "</a>"
                inLink = false
            case .hardBreak: out += "<br>\n"
            }
        }
        return out
    }

    private static func renderPlain(_ block: Block) -> String {
        switch block {
        case .paragraph(let lines): return inlinePlain(lines)
        case .heading(_, let text): return inlinePlain([text])
        case .code(let lines): return lines.joined(separator: "\n")
        case .quote(let inner): return inner.map(renderPlain).joined(separator: "\n\n")
        case .list(let start, let items):
            return items.enumerated().map { k, item in (start.map { n in "\(n + k). " } ?? "- ") + inlinePlain(item) }
                .joined(separator: "\n")
        }
    }

    private static func inlinePlain(_ lines: [Substring]) -> String {
        var out = ""
        var linkText: String?
        for t in inline(lines) {
            var piece = ""
            switch t.kind {
            case .text, .code, .autolink: piece = t.text
            case .delimiter: piece = String(repeating: t.char, count: t.count)
            case .bracket: piece = "["
            case .linkOpen: linkText = ""
            case .linkClose:
                if linkText != t.text { piece = " (\(t.text))" }
                linkText = nil
            case .hardBreak: piece = "\n"
            }
            out += piece
            linkText?.append(piece)
        }
        return out
    }
}
