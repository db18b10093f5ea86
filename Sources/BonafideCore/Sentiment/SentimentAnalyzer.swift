import Foundation

/// The sentiment of one text: a compound score in [-1, 1], its label, and the phrases that drove it.
public struct Sentiment: Sendable, Codable, Equatable {
    public enum Label: String, Sendable, Codable { case positive, neutral, negative }

    /// One scored word or phrase with its modifiers ("not helpful at all") and its contribution on the
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

/// Offline English sentiment from a lexicon and rules: negation, intensifiers, contrast ("but"), capitals,
/// exclamation marks, emoticons and emoji, and phrases of partnership feedback ("took forever", "on time").
///
/// ```swift
/// let s = SentimentAnalyzer.shared.analyze("Great product, but support is slow.")
/// s.label            // .negative
/// s.drivers.first    // Driver(phrase: "but ... slow", ...)
/// ```
///
/// Built on the VADER lexicon (MIT, C.J. Hutto; shipped in the resources with its licence) and VADER's rules,
/// with these changes, each measured in `benchmarks/sentiment.sh`:
/// - A domain lexicon (`domain_lexicon.tsv`) adds words and phrases VADER lacks (late, outage, refund, slow,
///   "no response") and neutralizes words that are neutral in business use ("support", "free", "help desk").
/// - "but" lowers everything before the first "but" and raises everything after it, by position (VADER compares
///   values, so equal scores on both sides were weighted wrongly).
public final class SentimentAnalyzer: Sendable {
    /// The bundled lexicons; loading takes a few milliseconds, once.
    public static let shared: SentimentAnalyzer = {
        do { return try SentimentAnalyzer(bundle: .module) } catch { fatalError("The sentiment lexicons are missing: \(error)") }
    }()

    let words: [String: Double]
    /// Multi-word entries by their first word: the rest of the words and the valence, longest first.
    let phrases: [String: [(rest: [String], valence: Double)]]
    let emoji: [Character: String]

    public init(lexicon: String, domain: String, emoji emojiText: String) {
        var words: [String: Double] = [:]
        for line in lexicon.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let value = Double(fields[1]) else { continue }
            words[String(fields[0])] = value
        }
        var phrases: [String: [(rest: [String], valence: Double)]] = [:]
        for line in domain.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            guard fields.count >= 2, let value = Double(fields[1].trimmingCharacters(in: .whitespaces)) else { continue }
            let parts = fields[0].lowercased().split(separator: " ").map(String.init)
            if parts.count == 1 {
                words[parts[0]] = value
            } else if let first = parts.first {
                phrases[first, default: []].append((Array(parts.dropFirst()), value))
            }
        }
        for key in phrases.keys { phrases[key]!.sort { $0.rest.count > $1.rest.count } }
        var emoji: [Character: String] = [:]
        for line in emojiText.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t")
            if fields.count >= 2, let c = fields[0].first, fields[0].count == 1 { emoji[c] = String(fields[1]) }
        }
        self.words = words
        self.phrases = phrases
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

    // MARK: Rules

    static let intensify = 0.293
    static let capitalBoost = 0.733
    static let negationScale = -0.74
    static let normalizationAlpha = 15.0

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
        slightly somewhat kinda kindof kind-of sorta sortof sort-of
        """.split(separator: " ") { b[String(w)] = -intensify }
        return b
    }()

    static let twoWordBoosters: [String: Double] = ["kind of": -intensify, "sort of": -intensify, "just enough": -intensify]

    static let specialCases: [String: Double] = [
        "the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0, "yeah right": -2, "kiss of death": -1.5,
        "to die for": 3, "beating heart": 3.5,
    ]

    struct Token {
        let text: Substring
        let lower: String
        let isUpper: Bool
    }

    /// Whitespace-separated words with surrounding punctuation removed, unless that leaves two characters or
    /// fewer (then it is likely an emoticon such as ":)" and kept whole).
    static func tokens(_ text: String) -> [Token] {
        text.split(whereSeparator: \.isWhitespace).map { raw in
            let stripped = raw.drop(while: isPunctuation).reversed().drop(while: isPunctuation).reversed()
            let word = stripped.count <= 2 ? raw : Substring(String(stripped))
            return Token(text: word, lower: word.lowercased(), isUpper: isUppercaseWord(word))
        }
    }

    static func isPunctuation(_ c: Character) -> Bool { c.isASCII && (c.isPunctuation || c.isSymbol) }

    /// Python's `str.isupper`: at least one cased letter, and no lowercase ones.
    static func isUppercaseWord(_ word: Substring) -> Bool {
        var cased = false
        for c in word where c.isCased {
            if c.isLowercase { return false }
            cased = true
        }
        return cased
    }

    /// Emoji become their descriptions ("😡" -> "enraged face"), which the lexicon scores.
    func describeEmoji(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        var out = ""
        var previousSpace = true
        for c in text {
            if let description = emoji[c] {
                if !previousSpace { out.append(" ") }
                out += description
                previousSpace = false
            } else {
                out.append(c)
                previousSpace = c == " "
            }
        }
        return out
    }

    public func analyze(_ text: String) -> Sentiment {
        let prepared = describeEmoji(text).trimmingCharacters(in: .whitespacesAndNewlines)
        let tokens = Self.tokens(prepared)
        let upperCount = tokens.reduce(0) { $0 + ($1.isUpper ? 1 : 0) }
        let capsStandOut = upperCount > 0 && upperCount < tokens.count
        var valences = [Double](repeating: 0, count: tokens.count)
        var spans = [Range<Int>?](repeating: nil, count: tokens.count)
        var i = 0
        while i < tokens.count {
            let word = tokens[i].lower
            if Self.boosters[word] != nil || (word == "kind" && i + 1 < tokens.count && tokens[i + 1].lower == "of") {
                i += 1
                continue
            }
            if let (length, value) = phrase(at: i, in: tokens) {
                let end = i + length - 1
                var v = value
                var start = i
                if i > 0, isNegation(tokens[i - 1].lower) {
                    v *= Self.negationScale
                    start = i - 1
                }
                valences[end] = v
                spans[end] = start..<(end + 1)
                i = end + 1
                continue
            }
            if let base = words[word] {
                let (v, start) = valence(of: base, at: i, in: tokens, capsStandOut: capsStandOut)
                valences[i] = v
                spans[i] = start..<(i + 1)
            }
            i += 1
        }
        if let but = tokens.firstIndex(where: { $0.lower == "but" }) {
            for j in valences.indices where valences[j] != 0 {
                valences[j] *= j < but ? 0.5 : 1.5
                if j > but, let span = spans[j], span.lowerBound > but { spans[j] = but..<span.upperBound }
            }
        }
        var sum = valences.reduce(0, +)
        let emphasis = Self.punctuationEmphasis(prepared)
        if sum > 0 { sum += emphasis } else if sum < 0 { sum -= emphasis }
        let score = sum == 0 ? 0 : max(-1, min(1, sum / (sum * sum + Self.normalizationAlpha).squareRoot()))
        var drivers: [Sentiment.Driver] = []
        for j in valences.indices where valences[j] != 0 {
            guard let span = spans[j] else { continue }
            drivers.append(.init(phrase: Self.describe(span, in: tokens), valence: (valences[j] * 1000).rounded() / 1000))
        }
        drivers.sort { abs($0.valence) > abs($1.valence) }
        return Sentiment(score: (score * 10_000).rounded() / 10_000, label: Sentiment.label(for: score), drivers: drivers)
    }

    func isNegation(_ word: String) -> Bool { Self.negations.contains(word) || word.contains("n't") }

    /// The longest domain phrase starting at `i`: its length in tokens and valence.
    func phrase(at i: Int, in tokens: [Token]) -> (Int, Double)? {
        guard let candidates = phrases[tokens[i].lower] else { return nil }
        for candidate in candidates where i + candidate.rest.count < tokens.count {
            var match = true
            for (k, w) in candidate.rest.enumerated() where tokens[i + 1 + k].lower != w {
                match = false
                break
            }
            if match { return (candidate.rest.count + 1, candidate.valence) }
        }
        return nil
    }

    /// A lexicon word's valence after "no", capitals, up to three preceding intensifiers and negations, idioms
    /// and "least"; with the first token of the phrase that shaped it.
    func valence(of base: Double, at i: Int, in tokens: [Token], capsStandOut: Bool) -> (Double, Int) {
        var v = base
        var start = i
        let word = tokens[i].lower
        func lower(_ k: Int) -> String { tokens[k].lower }
        if word == "no", i + 1 < tokens.count, words[lower(i + 1)] != nil { v = 0 }
        if (i > 0 && lower(i - 1) == "no") || (i > 1 && lower(i - 2) == "no")
            || (i > 2 && lower(i - 3) == "no" && ["or", "nor"].contains(lower(i - 1)))
        {
            v = base * Self.negationScale
            start = i - 1
        }
        if tokens[i].isUpper && capsStandOut { v += v > 0 ? Self.capitalBoost : -Self.capitalBoost }
        for distance in 1...3 where i >= distance && words[lower(i - distance)] == nil {
            let previous = tokens[i - distance]
            var s = 0.0
            if var b = Self.boosters[previous.lower] {
                if v < 0 { b = -b }
                if previous.isUpper && capsStandOut { b += v > 0 ? Self.capitalBoost : -Self.capitalBoost }
                s = b * (distance == 1 ? 1 : distance == 2 ? 0.95 : 0.9)
                start = min(start, i - distance)
            }
            v += s
            v = negationCheck(v, distance: distance, at: i, tokens: tokens, start: &start)
            if distance == 3 { v = idioms(v, at: i, tokens: tokens) }
        }
        if i > 0, words[lower(i - 1)] == nil, lower(i - 1) == "least" {
            if i == 1 || (lower(i - 2) != "at" && lower(i - 2) != "very") {
                v *= Self.negationScale
                start = min(start, i - 1)
            }
        }
        return (v, start)
    }

    func negationCheck(_ v: Double, distance: Int, at i: Int, tokens: [Token], start: inout Int) -> Double {
        func lower(_ k: Int) -> String { tokens[k].lower }
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
        let oneZero = "\(lower(i - 1)) \(lower(i))"
        let twoOneZero = "\(lower(i - 2)) \(lower(i - 1)) \(lower(i))"
        let twoOne = "\(lower(i - 2)) \(lower(i - 1))"
        let threeTwoOne = "\(lower(i - 3)) \(lower(i - 2)) \(lower(i - 1))"
        let threeTwo = "\(lower(i - 3)) \(lower(i - 2))"
        for sequence in [oneZero, twoOneZero, twoOne, threeTwoOne, threeTwo] {
            if let special = Self.specialCases[sequence] {
                v = special
                break
            }
        }
        if i + 1 < tokens.count, let special = Self.specialCases["\(lower(i)) \(lower(i + 1))"] { v = special }
        if i + 2 < tokens.count, let special = Self.specialCases["\(lower(i)) \(lower(i + 1)) \(lower(i + 2))"] { v = special }
        for gram in [threeTwoOne, threeTwo, twoOne] { if let b = Self.twoWordBoosters[gram] { v += b } }
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

    /// The words of a span as written, with "..." where the contrast word and the scored word are far apart.
    static func describe(_ span: Range<Int>, in tokens: [Token]) -> String {
        let words = span.map { tokens[$0].text }
        if words.count > 5, words.first?.lowercased() == "but" {
            return "but ... " + words.suffix(3).joined(separator: " ")
        }
        return words.joined(separator: " ")
    }
}
