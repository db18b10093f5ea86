import Foundation

/// The sentiment of one text: a compound score in [-1, 1], its label, and the phrases that drove it.
public struct Sentiment: Sendable, Codable, Equatable {
    public enum Label: String, Sendable, Codable { case positive, neutral, negative }

    /// One scored word or phrase with its modifiers ("not helpful", "really slow") and its contribution on the
    /// lexicon's -4..4 scale after negation, intensifiers and contrast.
    public struct Driver: Sendable, Codable, Equatable {
        public let phrase: String
        public let valence: Double
    }

    public let score: Double
    public let label: Label
    /// Drivers, strongest first.
    public let drivers: [Driver]

    /// Labels at ±0.05, as VADER and its published evaluations do.
    public static func label(for score: Double) -> Label {
        score >= 0.05 ? .positive : score <= -0.05 ? .negative : .neutral
    }
}

/// Offline English sentiment from a lexicon and rules: negation, intensifiers, contrast ("but"), capitals and
/// stretched words, exclamation marks, emoticons and emoji, hypotheticals, and the phrases of partnership feedback.
///
/// ```swift
/// let s = SentimentAnalyzer.shared.analyze("Great product, but support is slow.")
/// s.label            // .negative
/// s.drivers.first    // Driver(phrase: "slow", valence: -1.98)
/// ```
///
/// It starts from VADER (Hutto & Gilbert 2014; its MIT-licensed lexicon ships in the resources with the licence)
/// and changes what measurably helps on both of VADER's own human-rated sets (`benchmarks/sentiment.sh`):
/// - Negation, intensifiers and "no" stop at punctuation: "not bad, great" does not negate "great".
/// - "but" weighs down what comes before it and up what follows, by position and within its sentence (VADER
///   compared values, so equal scores on both sides were weighted wrongly, and a "but" reached across sentences).
/// - Tokens: "ok," and "no," match the lexicon; "good...but" is two words; HTML entities and curly quotes are
///   decoded; "goooood" is "good" with emphasis; the horror emoticons "D:" and "D=" keep their negative value.
/// - "can't recommend them enough" and "couldn't be any happier" are not negated.
/// - Words after would, could, might or if count half: hypotheticals are weaker than statements.
/// - Negative items count 1.1 times: people rate negatives more strongly than the lexicon does.
/// - A domain lexicon (`domain_lexicon.tsv`, written from general knowledge, not fitted to any data) adds late,
///   outage, refund, slow, "took forever", "no response", "above and beyond" and neutralizes business uses of
///   "support" and "free" ("contacted support", "free tier").
public final class SentimentAnalyzer: Sendable {
    /// The bundled lexicons; loading takes a few milliseconds, once.
    public static let shared: SentimentAnalyzer = {
        do { return try SentimentAnalyzer(bundle: .module) } catch { fatalError("The sentiment lexicons are missing: \(error)") }
    }()

    let words: [String: Double]
    /// Multi-word entries, lower-case words joined by single spaces.
    let phrases: [String: Double]
    let longestPhrase: Int
    let emoji: [Character: String]

    public init(lexicon: String, domain: String, emoji emojiText: String) {
        var words: [String: Double] = [:]
        for line in lexicon.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let value = Double(fields[1]) else { continue }
            words[String(fields[0])] = value
        }
        var phrases: [String: Double] = [:]
        for line in domain.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(separator: "\t")
            guard fields.count >= 2, let value = Double(fields[1].trimmingCharacters(in: .whitespaces)) else { continue }
            let parts = fields[0].lowercased().split(separator: " ")
            if parts.count == 1 { words[String(parts[0])] = value } else { phrases[parts.joined(separator: " ")] = value }
        }
        var emoji: [Character: String] = [:]
        for line in emojiText.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t")
            if fields.count >= 2, fields[0].count == 1, let c = fields[0].first { emoji[c] = String(fields[1]) }
        }
        self.words = words
        self.phrases = phrases
        self.longestPhrase = phrases.keys.map { $0.split(separator: " ").count }.max() ?? 0
        self.emoji = emoji
    }

    public convenience init(bundle: Bundle) throws {
        func read(_ name: String, _ ext: String) throws -> String {
            guard
                let url = bundle.url(forResource: name, withExtension: ext, subdirectory: "Sentiment")
                    ?? bundle.url(forResource: name, withExtension: ext)
            else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(name).\(ext)"]) }
            return try String(contentsOf: url, encoding: .utf8)
        }
        self.init(
            lexicon: try read("vader_lexicon", "txt"), domain: try read("domain_lexicon", "tsv"),
            emoji: try read("emoji_utf8_lexicon", "txt"))
    }

    // MARK: Constants and word lists

    static let intensify = 0.293
    static let emphasis = 0.733
    static let negationScale = -0.74
    static let normalizationAlpha = 15.0
    static let hypotheticalScale = 0.5
    static let negativityBias = 1.1

    static let negations: Set<String> = [
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't",
        "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "don't",
        "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor",
        "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't", "shan't",
        "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom",
        "despite",
    ]

    static let boosters: [String: Double] = {
        var b: [String: Double] = [:]
        for w in """
        absolutely amazingly awfully completely considerable considerably decidedly deeply effing enormous enormously \
        entirely especially exceptional exceptionally extreme extremely fabulously flipping flippin frackin fracking \
        fricking frickin frigging friggin fully fuckin fucking fuggin fugging greatly hella highly hugely incredible \
        incredibly intensely major majorly more most particularly purely quite really remarkably so substantially \
        thoroughly total totally tremendous tremendously uber unbelievably unusually utter utterly very
        """.split(separator: " ") { b[String(w)] = intensify }
        for w in """
        almost barely hardly less little marginal marginally occasional occasionally partly scarce scarcely slight \
        slightly somewhat sorta sortof sort-of kinda kindof kind-of
        """.split(separator: " ") { b[String(w)] = -intensify }
        b["just enough"] = -intensify
        b["kind of"] = -intensify
        b["sort of"] = -intensify
        return b
    }()

    static let specialCases: [String: Double] = [
        "the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0, "yeah right": -2, "kiss of death": -1.5,
        "to die for": 3, "beating heart": 3.5,
    ]

    static let hypotheticals: Set<String> = [
        "would", "could", "might", "if", "wouldn't", "couldn't", "would've", "could've", "i'd", "it'd",
    ]
    static let cannot: Set<String> = ["can't", "cannot", "cant", "couldn't", "couldnt"]
    /// VADER's file lists "d:" and "d=" twice, so the later, positive lines overwrite these horror emoticons.
    static let caseSensitiveEmoticons: [String: Double] = ["D:": -2.9, "D=": -3.0]

    // MARK: Tokens

    enum Boundary: UInt8, Comparable {
        case none = 0, clause = 1, sentence = 2
        static func < (a: Boundary, b: Boundary) -> Bool { a.rawValue < b.rawValue }
    }

    struct Token {
        var text: String
        var lower: String
        var isUpper: Bool
        var boundary: Boundary
        /// The lexicon valence, if the word (or its un-stretched form) is in the lexicon.
        var valence: Double?
        var stretched = false
        var clause = 0
        var sentence = 0
    }

    static func isASCIIPunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        default: return false
        }
    }

    static func boundary(of punctuation: Substring.UnicodeScalarView) -> Boundary {
        var b = Boundary.none
        for s in punctuation {
            if s == "." || s == "!" || s == "?" { return .sentence }
            if s == "," || s == ";" || s == ":" { b = .clause }
        }
        return b
    }

    /// Python's `str.isupper`: at least one cased letter, and no lowercase ones.
    static func isUppercaseWord(_ word: String) -> Bool {
        var cased = false
        for s in word.unicodeScalars {
            if s.properties.isLowercase { return false }
            if s.properties.isUppercase { cased = true }
        }
        return cased
    }

    /// Emoji become their descriptions ("😡" -> "enraged face"); entities and curly quotes become plain characters;
    /// words glued by "...", ",", ";", "!", "?" or "/" are split ("good...but" -> "good... but").
    func prepare(_ text: String) -> String {
        var out = text
        if text.utf8.contains(where: { $0 >= 0x80 }) {
            var replaced = ""
            var previousSpace = true
            for c in text {
                if let description = emoji[c] {
                    if !previousSpace { replaced.append(" ") }
                    replaced += description
                    previousSpace = false
                } else {
                    replaced.append(c)
                    previousSpace = c == " "
                }
            }
            out = replaced.trimmingCharacters(in: .whitespacesAndNewlines)
            out = out.replacingOccurrences(of: "\u{2019}", with: "'").replacingOccurrences(of: "\u{2018}", with: "'")
                .replacingOccurrences(of: "\u{201C}", with: "\"").replacingOccurrences(of: "\u{201D}", with: "\"")
        } else {
            out = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if out.utf8.contains(UInt8(ascii: "&")) { out = HTMLEntities.decode(out) }
        return Self.splitGluedWords(out)
    }

    static func isASCIILetter(_ s: Unicode.Scalar) -> Bool { (65...90).contains(s.value) || (97...122).contains(s.value) }

    static func splitGluedWords(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var changed = false
        while i < scalars.count {
            let s = scalars[i]
            if i > 0, isASCIILetter(scalars[i - 1]), ".,;!?/".unicodeScalars.contains(s) {
                var j = i
                if s == "." {
                    while j < scalars.count, scalars[j] == "." { j += 1 }
                    // One dot splits only before a capital ("end.Next"), as in a missing space after a sentence.
                    if j - i == 1 && !(j < scalars.count && (65...90).contains(scalars[j].value)) { j = i }
                } else {
                    while j < scalars.count, ",;!?/".unicodeScalars.contains(scalars[j]) { j += 1 }
                }
                if j > i, j < scalars.count, isASCIILetter(scalars[j]) {
                    out.append(contentsOf: scalars[i..<j])
                    out.append(" ")
                    i = j
                    changed = true
                    continue
                }
            }
            out.append(s)
            i += 1
        }
        return changed ? String(out) : text
    }

    static let dashes: Set<String> = ["-", "--", "---", "\u{2013}", "\u{2014}"]

    func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        for raw in text.split(whereSeparator: \.isWhitespace) {
            let rawText = String(raw)
            let rawLower = rawText.lowercased()
            let alphanumeric = rawText.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }
            if !alphanumeric, words[rawLower] != nil || Self.caseSensitiveEmoticons[rawText] != nil {
                // An emoticon such as ":)" or "<3": kept whole.
                tokens.append(Token(text: rawText, lower: rawLower, isUpper: Self.isUppercaseWord(rawText), boundary: .none))
                continue
            }
            let scalars = raw.unicodeScalars
            let start = scalars.firstIndex { !Self.isASCIIPunctuation($0) }
            guard let start else {
                // Pure punctuation: not a word, but it ends the clause or sentence of the word before it.
                let b = Self.dashes.contains(rawText) ? Boundary.clause : Self.boundary(of: scalars[...])
                if !tokens.isEmpty, b > tokens[tokens.count - 1].boundary { tokens[tokens.count - 1].boundary = b }
                continue
            }
            let end = scalars.lastIndex { !Self.isASCIIPunctuation($0) }!
            let word = String(String.UnicodeScalarView(scalars[start...end]))
            if Self.dashes.contains(word) {
                if !tokens.isEmpty, tokens[tokens.count - 1].boundary < .clause { tokens[tokens.count - 1].boundary = .clause }
                continue
            }
            let trailing = scalars[scalars.index(after: end)...]
            tokens.append(
                Token(text: word, lower: word.lowercased(), isUpper: Self.isUppercaseWord(word), boundary: Self.boundary(of: trailing)))
        }
        var clause = 0
        var sentence = 0
        for i in tokens.indices {
            tokens[i].clause = clause
            tokens[i].sentence = sentence
            if tokens[i].boundary != .none { clause += 1 }
            if tokens[i].boundary == .sentence { sentence += 1 }
            if let special = Self.caseSensitiveEmoticons[tokens[i].text] {
                tokens[i].valence = special
            } else if let v = words[tokens[i].lower] {
                tokens[i].valence = v
            } else if Self.boosters[tokens[i].lower] == nil, !Self.negations.contains(tokens[i].lower),
                let (v, _) = unstretched(tokens[i].lower)
            {
                tokens[i].valence = v
                tokens[i].stretched = true
            }
        }
        return tokens
    }

    /// "goooood" -> "good", "yesss" -> "yes": runs of three or more of a letter collapsed to two, then to one.
    func unstretched(_ word: String) -> (Double, String)? {
        let bytes = Array(word.utf8)
        var hasRun = false
        if bytes.count >= 3 {
            for k in 2..<bytes.count where bytes[k] == bytes[k - 1] && bytes[k] == bytes[k - 2] && (97...122).contains(bytes[k]) {
                hasRun = true
                break
            }
        }
        guard hasRun else { return nil }
        for keep in [2, 1] {
            var out: [UInt8] = []
            var k = 0
            while k < bytes.count {
                var j = k
                while j < bytes.count && bytes[j] == bytes[k] { j += 1 }
                let run = j - k
                let letter = (97...122).contains(bytes[k])
                out.append(contentsOf: repeatElement(bytes[k], count: letter && run >= 3 ? keep : run))
                k = j
            }
            let candidate = String(decoding: out, as: UTF8.self)
            if let v = words[candidate] { return (v, candidate) }
        }
        return nil
    }

    // MARK: Scoring

    public func analyze(_ text: String) -> Sentiment {
        let tokens = tokens(prepare(text))
        let n = tokens.count
        guard n > 0 else { return Sentiment(score: 0, label: .neutral, drivers: []) }
        let upper = tokens.reduce(0) { $0 + ($1.isUpper ? 1 : 0) }
        let capsStandOut = upper > 0 && upper < n

        // Domain phrases, longest first, within a clause: each scores once, at its first word.
        var phraseValence = [Double?](repeating: nil, count: n)
        var phraseLength = [Int](repeating: 0, count: n)
        var covered = [Bool](repeating: false, count: n)
        if longestPhrase >= 2 {
            var i = 0
            while i < n {
                var matched = false
                var length = min(longestPhrase, n - i)
                while length >= 2 {
                    if (i..<(i + length - 1)).allSatisfy({ tokens[$0].boundary == .none }),
                        let v = phrases[tokens[i..<(i + length)].map(\.lower).joined(separator: " ")]
                    {
                        phraseValence[i] = v
                        phraseLength[i] = length
                        for k in i..<(i + length) { covered[k] = true }
                        i += length
                        matched = true
                        break
                    }
                    length -= 1
                }
                if !matched { i += 1 }
            }
        }

        var valences = [Double](repeating: 0, count: n)
        var spans = [Range<Int>?](repeating: nil, count: n)
        func lower(_ k: Int) -> String { tokens[k].lower }
        func sameClause(_ a: Int, _ b: Int) -> Bool { tokens[a].clause == tokens[b].clause }
        func isNegation(_ w: String) -> Bool { Self.negations.contains(w) || w.contains("n't") }

        for i in 0..<n {
            if covered[i] {
                guard var v = phraseValence[i] else { continue }
                var start = i
                for k in 1...3 where i - k >= 0 && sameClause(i - k, i) && isNegation(lower(i - k)) {
                    v *= Self.negationScale
                    start = i - k
                    break
                }
                valences[i] = v
                spans[i] = start..<(i + phraseLength[i])
                continue
            }
            let word = lower(i)
            if Self.boosters[word] != nil { continue }
            if word == "kind", i + 1 < n, lower(i + 1) == "of" { continue }
            guard let base = tokens[i].valence else { continue }
            var v = base
            var start = i
            if word == "no", i + 1 < n, tokens[i + 1].valence != nil, sameClause(i, i + 1) { v = 0 }
            if (i > 0 && lower(i - 1) == "no" && sameClause(i - 1, i)) || (i > 1 && lower(i - 2) == "no" && sameClause(i - 2, i))
                || (i > 2 && lower(i - 3) == "no" && ["or", "nor"].contains(lower(i - 1)) && sameClause(i - 3, i))
            {
                v = base * Self.negationScale
                start = max(0, (i - 3...i - 1).first { $0 >= 0 && lower($0) == "no" } ?? i - 1)
            }
            if tokens[i].isUpper && capsStandOut { v += v > 0 ? Self.emphasis : -Self.emphasis }
            if tokens[i].stretched && v != 0 { v += v > 0 ? Self.emphasis : -Self.emphasis }
            for distance in 1...3 {
                let j = i - distance
                if j < 0 || !sameClause(j, i) || covered[j] { break }
                if tokens[j].valence != nil { continue }
                if var b = Self.boosters[lower(j)] {
                    if v < 0 { b = -b }
                    if tokens[j].isUpper && capsStandOut { b += v > 0 ? Self.emphasis : -Self.emphasis }
                    v += b * (distance == 1 ? 1 : distance == 2 ? 0.95 : 0.9)
                    start = min(start, j)
                }
                v = negationCheck(v, distance: distance, at: i, tokens: tokens, start: &start)
                if distance == 3 { v = idioms(v, at: i, tokens: tokens) }
            }
            if i > 1, tokens[i - 1].valence == nil, lower(i - 1) == "least" {
                if lower(i - 2) != "at" && lower(i - 2) != "very" {
                    v *= Self.negationScale
                    start = min(start, i - 1)
                }
            } else if i > 0, tokens[i - 1].valence == nil, lower(i - 1) == "least" {
                v *= Self.negationScale
                start = min(start, i - 1)
            }
            // "can't recommend them enough", "couldn't be any happier": the negation praises.
            if v * base < 0 {
                let cannot = (max(0, i - 4)..<i).contains { sameClause($0, i) && Self.cannot.contains(lower($0)) }
                let enough = ((i + 1)..<min(n, i + 4)).contains { sameClause($0, i) && lower($0) == "enough" }
                let anyBetter = (word == "better" || word == "happier") && (max(0, i - 2)..<i).contains { lower($0) == "any" }
                if (cannot && enough) || anyBetter { v = -v }
            }
            var k = i - 1
            while k >= 0 && sameClause(k, i) {
                if Self.hypotheticals.contains(lower(k)) {
                    v *= Self.hypotheticalScale
                    break
                }
                k -= 1
            }
            if v < 0 { v *= Self.negativityBias }
            valences[i] = v
            spans[i] = start..<(i + 1)
        }

        // "but": the first one in each sentence halves what precedes it there and raises what follows by half.
        var butIndex: [Int: Int] = [:]
        for i in 0..<n where lower(i) == "but" && butIndex[tokens[i].sentence] == nil { butIndex[tokens[i].sentence] = i }
        if !butIndex.isEmpty {
            for i in 0..<n where valences[i] != 0 {
                guard let but = butIndex[tokens[i].sentence] else { continue }
                if i < but { valences[i] *= 0.5 } else if i > but { valences[i] *= 1.5 }
            }
        }

        var sum = valences.reduce(0, +)
        let emphasis = Self.punctuationEmphasis(text)
        if sum > 0 { sum += emphasis } else if sum < 0 { sum -= emphasis }
        let score = max(-1, min(1, sum / (sum * sum + Self.normalizationAlpha).squareRoot()))
        var drivers: [Sentiment.Driver] = []
        for i in 0..<n where valences[i] != 0 {
            guard let span = spans[i] else { continue }
            drivers.append(
                .init(phrase: span.map { tokens[$0].text }.joined(separator: " "), valence: (valences[i] * 1000).rounded() / 1000))
        }
        drivers.sort { abs($0.valence) > abs($1.valence) }
        return Sentiment(score: (score * 10_000).rounded() / 10_000, label: Sentiment.label(for: score), drivers: drivers)
    }

    /// VADER's negation rules one, two and three words back, including its quirk that "so" or "this" right before a
    /// word strengthens it by a quarter at the third step (fixing it measurably hurts both rated sets).
    func negationCheck(_ v: Double, distance: Int, at i: Int, tokens: [Token], start: inout Int) -> Double {
        func lower(_ k: Int) -> String { tokens[k].lower }
        func isNegation(_ w: String) -> Bool { Self.negations.contains(w) || w.contains("n't") }
        switch distance {
        case 1:
            if isNegation(lower(i - 1)) {
                start = min(start, i - 1)
                return v * Self.negationScale
            }
        case 2:
            if lower(i - 2) == "never" && (lower(i - 1) == "so" || lower(i - 1) == "this") { return v * 1.25 }
            if lower(i - 2) == "without" && lower(i - 1) == "doubt" { return v }
            if isNegation(lower(i - 2)) {
                start = min(start, i - 2)
                return v * Self.negationScale
            }
        default:
            if (lower(i - 3) == "never" && (lower(i - 2) == "so" || lower(i - 2) == "this"))
                || (lower(i - 1) == "so" || lower(i - 1) == "this")
            {
                return v * 1.25
            }
            if lower(i - 3) == "without" && (lower(i - 2) == "doubt" || lower(i - 1) == "doubt") { return v }
            if isNegation(lower(i - 3)) {
                start = min(start, i - 3)
                return v * Self.negationScale
            }
        }
        return v
    }

    func idioms(_ v: Double, at i: Int, tokens: [Token]) -> Double {
        func lower(_ k: Int) -> String { tokens[k].lower }
        var v = v
        let twoOne = "\(lower(i - 2)) \(lower(i - 1))"
        let threeTwoOne = "\(lower(i - 3)) \(lower(i - 2)) \(lower(i - 1))"
        let threeTwo = "\(lower(i - 3)) \(lower(i - 2))"
        for sequence in ["\(lower(i - 1)) \(lower(i))", "\(lower(i - 2)) \(lower(i - 1)) \(lower(i))", twoOne, threeTwoOne, threeTwo] {
            if let special = Self.specialCases[sequence] {
                v = special
                break
            }
        }
        if i + 1 < tokens.count, let special = Self.specialCases["\(lower(i)) \(lower(i + 1))"] { v = special }
        if i + 2 < tokens.count, let special = Self.specialCases["\(lower(i)) \(lower(i + 1)) \(lower(i + 2))"] { v = special }
        // Two-word dampeners ("kind of", "sort of") just before the word.
        for gram in [threeTwoOne, threeTwo, twoOne] { if let b = Self.boosters[gram] { v += b } }
        return v
    }

    static func punctuationEmphasis(_ text: String) -> Double {
        var exclamations = 0
        var questions = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "!") { exclamations += 1 } else if byte == UInt8(ascii: "?") { questions += 1 }
        }
        let ep = Double(min(exclamations, 4)) * 0.292
        let qm = questions > 1 ? (questions <= 3 ? Double(questions) * 0.18 : 0.96) : 0
        return ep + qm
    }
}

/// HTML character references, enough for text pasted from web pages and feeds.
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "'", "rsquo": "'", "ldquo": "\"", "rdquo": "\"",
    ]

    static func decode(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(10).firstIndex(of: ";") {
                let name = after[..<semi]
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    replacement = named[String(name)]
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        out += rest
        return out
    }
}
