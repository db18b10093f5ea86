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
    /// The bundled lexicons, from their prebuilt table: one file read at start-up.
    public static let shared: SentimentAnalyzer = {
        do { return try SentimentAnalyzer(bundle: .module) } catch { fatalError("The sentiment lexicons are missing: \(error)") }
    }()

    /// Multi-word entries, lower-case words joined by single spaces.
    let phrases: [String: Double]
    let longestPhrase: Int
    let emoji: EmojiTable
    /// Everything the rules ask about an ASCII word, looked up by its bytes: no String and no SipHash per token.
    let table: WordTable
    /// The same for the few entries with non-ASCII letters, keyed by their Unicode lower-case form.
    let nonASCII: [String: WordInfo]
    /// First and last byte (lower-cased) of every lexicon entry with punctuation in it (":)", "</3", "can't"): a
    /// cheap test before looking a punctuated token up whole. A bitmap: many words end in a comma or full stop.
    let punctuatedKeyEnds: PairSet

    /// Builds the tables from the three lexicon files' bytes. Start-up of the `sentiment` command is mostly this, so
    /// it works on bytes throughout: no Strings for ASCII words, no Foundation string search, no per-line arrays.
    public init(lexicon: [UInt8], domain: String, emoji emojiText: [UInt8]) {
        var builder = WordTable.Builder(capacity: lexicon.count / 40 + 1_024)
        var nonASCII: [String: WordInfo] = [:]
        func update(_ key: some Collection<UInt8>, _ change: (inout WordInfo) -> Void) {
            if key.allSatisfy({ $0 < 0x80 }) {
                builder.update(key, change)
            } else {
                change(&nonASCII[String(decoding: key, as: UTF8.self), default: WordInfo()])
            }
        }
        var ends: [UInt16] = Self.caseSensitiveEmoticons.keys.sorted().map { Self.ends($0.lowercased().utf8) }
        func noteValence(_ key: some BidirectionalCollection<UInt8>, _ value: Double) {
            update(key) { $0.valence = value }
            if key.contains(where: Self.isASCIIPunctuation) { ends.append(Self.ends(key)) }
        }
        Self.forEachLine(lexicon) { line in
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else { return }
            let rest = line[(tab + 1)...]
            let valueEnd = rest.firstIndex(of: UInt8(ascii: "\t")) ?? rest.endIndex
            guard let value = Self.decimal(rest[..<valueEnd]) else { return }
            noteValence(line[..<tab], value)
        }
        // The domain lexicon is a few dozen hand-written lines with comments: read as text.
        var phrases: [String: Double] = [:]
        for line in domain.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(separator: "\t")
            guard fields.count >= 2, let value = Double(fields[1].trimmingCharacters(in: .whitespaces)) else { continue }
            let parts = fields[0].lowercased().split(separator: " ")
            if parts.count == 1 { noteValence(Array(parts[0].utf8), value) } else { phrases[parts.joined(separator: " ")] = value }
        }
        // Sorted wherever a Set or Dictionary is walked: keys enter the table in the same order in every process, so
        // the prebuilt table (`serialized()`) is the same bytes every time.
        for (w, b) in Self.boosters.sorted(by: { $0.key < $1.key }) where !w.utf8.contains(UInt8(ascii: " ")) {
            update(w.utf8) { $0.booster = b }
        }
        for w in Self.negations.sorted() { update(w.utf8) { $0.negation = true } }
        for p in phrases.keys.sorted() {
            let parts = p.split(separator: " ")
            update(parts[0].utf8) { $0.phraseStart = true }
            for w in parts.dropFirst() { update(w.utf8) { $0.flags.insert(.phraseRest) } }
        }
        for (w, f) in Self.specialWords { update(w.utf8) { $0.flags.insert(f) } }
        for w in Self.hypotheticals.sorted() { update(w.utf8) { $0.flags.insert(.hypothetical) } }
        for w in Self.cannot.sorted() { update(w.utf8) { $0.flags.insert(.cannot) } }
        for phrase in (Array(Self.specialCases.keys) + Self.boosters.keys.filter({ $0.utf8.contains(UInt8(ascii: " ")) })).sorted() {
            let parts = phrase.split(separator: " ")
            update(parts[0].utf8) { $0.flags.insert(.idiomStart) }
            for w in parts.dropFirst() { update(w.utf8) { $0.flags.insert(.idiomRest) } }
        }
        // Every listed word with "n't" in it negates, whatever list it came from.
        builder.updateAll { key, info in if Self.containsNotContraction(key) { info.negation = true } }
        for key in nonASCII.keys where key.contains("n't") { nonASCII[key]!.negation = true }

        self.phrases = phrases
        self.longestPhrase = phrases.keys.map { $0.split(separator: " ").count }.max() ?? 0
        self.emoji = EmojiTable(emojiText)
        self.table = builder.table()
        self.nonASCII = nonASCII
        self.punctuatedKeyEnds = PairSet(ends)
    }

    /// Calls `body` with each line of a lexicon file, without its line end ("\n" or "\r\n"); blank lines left out.
    static func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            let end = i > start && bytes[i - 1] == UInt8(ascii: "\r") ? i - 1 : i
            if end > start { body(bytes[start..<end]) }
            start = i + 1
        }
        if start < bytes.count { body(bytes[start...]) }
    }

    /// A decimal such as "-1.25" or "3", as `Double(String)` reads it: the digits as an integer divided by a power
    /// of ten, both exact, so the one rounding of the division gives the nearest Double. Nil for anything else.
    static func decimal(_ text: ArraySlice<UInt8>) -> Double? {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        var mantissa: Int64 = 0
        var scale = 0
        var seenPoint = false
        var seenDigit = false
        for c in digits {
            if c == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if (48...57).contains(c), mantissa < 1_000_000_000_000_000 {
                mantissa = mantissa * 10 + Int64(c - 48)
                if seenPoint { scale += 1 }
                seenDigit = true
            } else {
                return nil
            }
        }
        guard seenDigit else { return nil }
        var power = 1.0
        for _ in 0..<scale { power *= 10 }
        let value = Double(mantissa) / power
        return negative ? -value : value
    }

    static func ends(_ word: some BidirectionalCollection<UInt8>) -> UInt16 {
        UInt16(WordTable.lower(word.first ?? 0)) << 8 | UInt16(WordTable.lower(word.last ?? 0))
    }

    /// The lexicon valence of a lower-case word.
    func valence(_ lowercased: String) -> Double? {
        var word = lowercased
        return word.withUTF8 { bytes in
            table.withLookup { lookup in
                let (known, ascii) = lookup.find(bytes)
                return ascii ? known?.valence : nonASCII[lowercased]?.valence
            }
        }
    }

    /// The prebuilt table in the bundle (`Resources/Sentiment/lexicon.table`): one read, no parsing. The text
    /// lexicons beside it are the source; `SentimentTableTests` fails when the table is not what they build.
    public convenience init(bundle: Bundle) throws {
        try self.init(table: try Self.resource("lexicon", "table", in: bundle))
    }

    /// Builds the tables from the text lexicons in the bundle (what the prebuilt table is made from).
    static func fromTextLexicons(in bundle: Bundle = .module) throws -> SentimentAnalyzer {
        SentimentAnalyzer(
            lexicon: try resource("vader_lexicon", "txt", in: bundle),
            domain: String(decoding: try resource("domain_lexicon", "tsv", in: bundle), as: UTF8.self),
            emoji: try resource("emoji_utf8_lexicon", "txt", in: bundle))
    }

    static func resource(_ name: String, _ ext: String, in bundle: Bundle) throws -> [UInt8] {
        guard
            let url = bundle.url(forResource: name, withExtension: ext, subdirectory: "Sentiment")
                ?? bundle.url(forResource: name, withExtension: ext)
        else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(name).\(ext)"]) }
        return try readFile(url.path)
    }

    /// The file's bytes, read straight into the array: `Data(contentsOf:)` and a copy into `[UInt8]` were a fifth of
    /// the start-up that was left.
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        let size = Int(status.st_size)
        return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = read(fd, buffer.baseAddress! + count, size - count)
                guard n > 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
                count += n
            }
        }
    }

    // MARK: Prebuilt table

    static let tableMagic = Array("BFSENT01".utf8)

    /// Every table the analyzer uses, as bytes (little-endian, lengths before contents): what `init(table:)` reads.
    func serialized() -> [UInt8] {
        var out = TableWriter()
        out.raw(Self.tableMagic)
        table.write(to: &out)
        out.count(nonASCII.count)
        for (key, info) in nonASCII.sorted(by: { $0.key < $1.key }) {
            out.bytes(Array(key.utf8))
            out.info(info)
        }
        out.count(phrases.count)
        for (phrase, value) in phrases.sorted(by: { $0.key < $1.key }) {
            out.bytes(Array(phrase.utf8))
            out.double(value)
        }
        punctuatedKeyEnds.write(to: &out)
        emoji.write(to: &out)
        return out.bytes
    }

    /// Reads what `serialized()` wrote; a damaged or foreign table is refused, not half read.
    init(table bytes: [UInt8]) throws {
        var input = TableReader(bytes)
        guard try input.raw(Self.tableMagic.count) == Self.tableMagic else { throw TableReader.Damaged() }
        table = try WordTable(from: &input)
        var nonASCII: [String: WordInfo] = [:]
        for _ in 0..<(try input.count()) { nonASCII[String(decoding: try input.bytes(), as: UTF8.self)] = try input.info() }
        var phrases: [String: Double] = [:]
        for _ in 0..<(try input.count()) {
            phrases[String(decoding: try input.bytes(), as: UTF8.self)] = try input.double() ?? 0
        }
        punctuatedKeyEnds = try PairSet(from: &input)
        emoji = try EmojiTable(from: &input)
        guard input.atEnd else { throw TableReader.Damaged() }
        self.nonASCII = nonASCII
        self.phrases = phrases
        self.longestPhrase = phrases.keys.map { $0.split(separator: " ").count }.max() ?? 0
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

    /// The words VADER's rules name one by one.
    static let specialWords: [(String, Flags)] = [
        ("no", .no), ("but", .but), ("least", .least), ("kind", .kind), ("of", .of), ("so", .soOrThis), ("this", .soOrThis),
        ("never", .never), ("without", .without), ("doubt", .doubt), ("any", .any), ("enough", .enough),
        ("better", .betterOrHappier), ("happier", .betterOrHappier), ("or", .orNor), ("nor", .orNor), ("at", .atOrVery),
        ("very", .atOrVery),
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

    struct Flags: OptionSet {
        let rawValue: UInt32
        static let no = Flags(rawValue: 1 << 0)
        static let but = Flags(rawValue: 1 << 1)
        static let least = Flags(rawValue: 1 << 2)
        static let kind = Flags(rawValue: 1 << 3)
        static let of = Flags(rawValue: 1 << 4)
        static let soOrThis = Flags(rawValue: 1 << 5)
        static let never = Flags(rawValue: 1 << 6)
        static let without = Flags(rawValue: 1 << 7)
        static let doubt = Flags(rawValue: 1 << 8)
        static let any = Flags(rawValue: 1 << 9)
        static let enough = Flags(rawValue: 1 << 10)
        static let betterOrHappier = Flags(rawValue: 1 << 11)
        static let hypothetical = Flags(rawValue: 1 << 12)
        static let cannot = Flags(rawValue: 1 << 13)
        static let orNor = Flags(rawValue: 1 << 14)
        static let atOrVery = Flags(rawValue: 1 << 15)
        /// The first word of an idiom or two-word dampener ("the bomb", "kind of"), and any later word of one:
        /// only where both follow each other are the word n-grams built.
        static let idiomStart = Flags(rawValue: 1 << 16)
        static let idiomRest = Flags(rawValue: 1 << 17)
        /// A word of a domain phrase after its first ("support" in "contacted support"): phrase strings are built
        /// only over runs of such words.
        static let phraseRest = Flags(rawValue: 1 << 18)
    }

    struct WordInfo {
        var valence: Double?
        var booster: Double?
        var negation = false
        var phraseStart = false
        var flags: Flags = []
    }

    /// A token is plain data (its lower-case text is built only where phrases and idioms need it), so copying one
    /// costs no reference counting: this loop runs for every word of every text.
    struct Token {
        /// Where the word is in the prepared text, for the drivers.
        var range: Range<Int>
        var isUpper: Bool
        var boundary: Boundary
        var flags: Flags = []
        var booster: Double?
        var negation = false
        var phraseStart = false
        /// The lexicon valence, if the word (or its un-stretched form) is in the lexicon.
        var valence: Double?
        var stretched = false
        var clause = 0
        var sentence = 0
    }

    /// What scoring writes per token.
    struct Slot {
        var valence = 0.0
        var covered = false
        var phraseValence: Double?
        var phraseLength = 0
        /// The first token of the phrase that shaped the valence (negation, intensifier), -1 when unscored.
        var spanStart = -1
    }

    static func isASCIIPunctuation(_ b: UInt8) -> Bool {
        switch b {
        case 33...47, 58...64, 91...96, 123...126: return true
        default: return false
        }
    }

    static func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 32 || (9...13).contains(b) || (28...31).contains(b) }
    static func isASCIILetter(_ b: UInt8) -> Bool { (65...90).contains(b) || (97...122).contains(b) }

    static func boundary(of punctuation: some Sequence<UInt8>) -> Boundary {
        var b = Boundary.none
        for c in punctuation {
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") { return .sentence }
            if c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: ":") { b = .clause }
        }
        return b
    }

    /// Python's `str.isupper`: at least one cased letter, and no lowercase ones.
    static func isUppercaseWord(_ word: some Collection<UInt8>) -> Bool {
        var cased = false
        for c in word {
            // An ASCII lower-case letter before the first non-ASCII byte decides it either way.
            if c >= 0x80 { return isUppercaseUnicode(word) }
            if (97...122).contains(c) { return false }
            if (65...90).contains(c) { cased = true }
        }
        return cased
    }

    static func isUppercaseUnicode(_ word: some Collection<UInt8>) -> Bool {
        var cased = false
        for s in String(decoding: word, as: UTF8.self).unicodeScalars {
            if s.properties.isLowercase { return false }
            if s.properties.isUppercase { cased = true }
        }
        return cased
    }

    static func lowercase(_ word: some Collection<UInt8>) -> String {
        if word.allSatisfy({ $0 < 0x80 }) {
            return String(unsafeUninitializedCapacity: word.count) { buffer in
                for (k, c) in word.enumerated() { buffer[k] = WordTable.lower(c) }
                return word.count
            }
        }
        return String(decoding: word, as: UTF8.self).lowercased()
    }

    /// The text as UTF-8, ready to split on ASCII whitespace: emoji become their descriptions ("😡" -> "enraged
    /// face"), other whitespace becomes spaces, entities and curly quotes become plain characters, and words glued
    /// by "...", ",", ";", "!", "?" or "/" are split ("good...but" -> "good... but").
    func prepare(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        if bytes.contains(where: { $0 >= 0x80 }) {
            var replaced = ""
            var previousSpace = true
            for c in text {
                if let description = emoji.description(of: c) {
                    if !previousSpace { replaced.append(" ") }
                    replaced += description
                    previousSpace = false
                } else if c.isWhitespace {
                    replaced.append(" ")
                    previousSpace = true
                } else {
                    switch c {
                    case "\u{2019}", "\u{2018}": replaced.append("'")
                    case "\u{201C}", "\u{201D}": replaced.append("\"")
                    default: replaced.append(c)
                    }
                    previousSpace = false
                }
            }
            bytes = Array(replaced.utf8)
        }
        if bytes.contains(UInt8(ascii: "&")) { bytes = Array(HTMLEntities.decode(String(decoding: bytes, as: UTF8.self)).utf8) }
        return Self.splitGluedWords(bytes)
    }

    static func splitGluedWords(_ bytes: [UInt8]) -> [UInt8] {
        func glue(_ c: UInt8) -> Bool {
            c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") || c == UInt8(ascii: "/")
        }
        // Bit c is set for "." and the glue bytes, all below 64: one branch per byte, rarely taken. Testing the
        // letter before first, or a byte's range, branches on letter or not: mispredicted at every word boundary.
        let splitters: UInt64 =
            1 << UInt8(ascii: ".") | 1 << UInt8(ascii: ",") | 1 << UInt8(ascii: ";") | 1 << UInt8(ascii: "!")
            | 1 << UInt8(ascii: "?") | 1 << UInt8(ascii: "/")
        return bytes.withUnsafeBufferPointer { b in
            var out: [UInt8] = []
            var i = 1
            var copied = 0
            while i < b.count {
                let c = b[i]
                if (c < 64 ? splitters : 0) >> (c & 63) & 1 != 0, isASCIILetter(b[i - 1]) {
                    var j = i
                    if c == UInt8(ascii: ".") {
                        while j < b.count, b[j] == UInt8(ascii: ".") { j += 1 }
                        // One dot splits only before a capital ("end.Next"), as in a missing space after a sentence.
                        if j - i == 1 && !(j < b.count && (65...90).contains(b[j])) { j = i }
                    } else {
                        while j < b.count, glue(b[j]) { j += 1 }
                    }
                    if j > i, j < b.count, isASCIILetter(b[j]) {
                        if out.isEmpty { out.reserveCapacity(b.count + 8) }
                        out.append(contentsOf: b[copied..<j])
                        out.append(UInt8(ascii: " "))
                        copied = j
                        i = j
                        continue
                    }
                }
                i += 1
            }
            if copied == 0 { return bytes }
            out.append(contentsOf: b[copied...])
            return out
        }
    }

    /// En dash and em dash (U+2013, U+2014) in UTF-8.
    static func isDash(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        word.count == 3 && word[0] == 0xE2 && word[1] == 0x80 && (word[2] == 0x93 || word[2] == 0x94)
    }

    /// The words of a prepared text and what the lexicons say about each. No lower-case strings are built here:
    /// ASCII words are looked up by their bytes, and only phrases and idioms need the text (see `analyze`).
    func tokens(_ bytes: [UInt8]) -> [Token] {
        bytes.withUnsafeBufferPointer { b in
            table.withLookup { table in
                var tokens: [Token] = []
                tokens.reserveCapacity(b.count / 4 + 1)
                var clause = 0
                var sentence = 0
                func append(_ range: Range<Int>, isUpper: Bool, boundary: Boundary) {
                    // Only punctuation after a word raises its boundary, so the previous word's is final here.
                    if let previous = tokens.last?.boundary {
                        if previous != .none { clause += 1 }
                        if previous == .sentence { sentence += 1 }
                    }
                    var token = Token(range: range, isUpper: isUpper, boundary: boundary)
                    token.clause = clause
                    token.sentence = sentence
                    describe(&token, UnsafeBufferPointer(rebasing: b[range]), table)
                    tokens.append(token)
                }
                var i = 0
                let n = b.count
                while i < n {
                    while i < n, Self.isASCIIWhitespace(b[i]) { i += 1 }
                    if i == n { break }
                    let start = i
                    while i < n, !Self.isASCIIWhitespace(b[i]) { i += 1 }
                    let raw = UnsafeBufferPointer(rebasing: b[start..<i])
                    if raw.contains(where: Self.isASCIIPunctuation), punctuatedKeyEnds.contains(Self.ends(raw)) {
                        if valence(Self.lowercase(raw)) != nil || Self.caseSensitiveEmoticons[String(decoding: raw, as: UTF8.self)] != nil {
                            // An emoticon such as ":)" or "<3": kept whole.
                            append(start..<i, isUpper: Self.isUppercaseWord(raw), boundary: .none)
                            continue
                        }
                    }
                    var s = start
                    var e = i
                    while s < e, Self.isASCIIPunctuation(b[s]) { s += 1 }
                    while e > s, Self.isASCIIPunctuation(b[e - 1]) { e -= 1 }
                    let word = UnsafeBufferPointer(rebasing: b[s..<e])
                    if word.isEmpty || Self.isDash(word) {
                        // Punctuation alone is not a word, but it ends the clause or sentence of the word before it.
                        let dash = word.isEmpty ? raw.allSatisfy { $0 == UInt8(ascii: "-") } && raw.count <= 3 : true
                        let boundary = dash ? Boundary.clause : Self.boundary(of: raw)
                        if !tokens.isEmpty, boundary > tokens[tokens.count - 1].boundary { tokens[tokens.count - 1].boundary = boundary }
                        continue
                    }
                    append(s..<e, isUpper: Self.isUppercaseWord(word), boundary: Self.boundary(of: b[e..<i]))
                }
                return tokens
            }
        }
    }

    /// What the lexicons say about one word.
    func describe(_ token: inout Token, _ word: UnsafeBufferPointer<UInt8>, _ table: WordTable.Lookup) {
        if word.count == 2, word[0] == UInt8(ascii: "D"),
            let special = Self.caseSensitiveEmoticons[String(decoding: word, as: UTF8.self)]
        {
            token.valence = special
            return
        }
        let (known, ascii) = table.find(word)
        // Non-ASCII words go through Unicode lower-casing ("É" -> "é") and the String-keyed `nonASCII`.
        let lower = ascii ? nil : Self.lowercase(word)
        if let w = known ?? lower.flatMap({ nonASCII[$0] }) {
            token.valence = w.valence
            token.booster = w.booster
            token.negation = w.negation
            token.phraseStart = w.phraseStart
            token.flags = w.flags
            if w.valence != nil || w.booster != nil || w.negation { return }
        } else if Self.containsNotContraction(word) {
            token.negation = true
            return
        }
        let stretched: Double?
        if let lower {
            stretched = unstretched(lower)
        } else {
            stretched = Self.hasStretch(word) ? unstretched(Self.lowercase(word)) : nil
        }
        if let stretched {
            token.valence = stretched
            token.stretched = true
        }
    }

    /// Whether a word contains "n't" (wouldn't, shouldn't've): a negation even when it is not listed.
    static func containsNotContraction(_ word: some Collection<UInt8>) -> Bool {
        guard word.count >= 3, word.contains(UInt8(ascii: "'")) else { return false }
        var previous: (UInt8, UInt8) = (0, 0)
        for c in word {
            let lower = (65...90).contains(c) ? c + 32 : c
            if previous == (UInt8(ascii: "n"), UInt8(ascii: "'")) && lower == UInt8(ascii: "t") { return true }
            previous = (previous.1, lower)
        }
        return false
    }

    /// Whether an ASCII word, lower-cased, has a run of three of a letter: the first test of `unstretched`,
    /// without the lower-case String that most words never need.
    static func hasStretch(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        var run: (UInt8, UInt8) = (0, 0)
        for c in word {
            let c = WordTable.lower(c)
            if c == run.0 && c == run.1 && (97...122).contains(c) { return true }
            run = (run.1, c)
        }
        return false
    }

    /// "goooood" -> "good", "yesss" -> "yes": runs of three or more of a letter collapsed to two, then to one.
    func unstretched(_ word: String) -> Double? {
        var hasRun = false
        var run: (UInt8, UInt8) = (0, 0)
        for c in word.utf8 {
            if c == run.0 && c == run.1 && (97...122).contains(c) {
                hasRun = true
                break
            }
            run = (run.1, c)
        }
        guard hasRun else { return nil }
        let bytes = Array(word.utf8)
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
            if let v = valence(String(decoding: out, as: UTF8.self)) { return v }
        }
        return nil
    }

    // MARK: Scoring

    /// The sentiment of one text; without `drivers` the phrases are not collected (faster for bulk scoring).
    public func analyze(_ text: String, drivers wantDrivers: Bool = true) -> Sentiment {
        let bytes = prepare(text)
        let tokens = tokens(bytes)
        let n = tokens.count
        guard n > 0 else { return Sentiment(score: 0, label: .neutral, drivers: []) }
        // Only phrases and idioms compare text, and only at the few words that can start one.
        func lowered(_ k: Int) -> String { Self.lowercase(bytes[tokens[k].range]) }
        let upper = tokens.reduce(0) { $0 + ($1.isUpper ? 1 : 0) }
        let capsStandOut = upper > 0 && upper < n

        // Domain phrases, longest first, within a clause: each scores once, at its first word.
        // One array of plain structs for everything per token that scoring writes: one allocation per text.
        var slots = [Slot](repeating: Slot(), count: n)
        if longestPhrase >= 2 {
            var i = 0
            while i < n {
                var matched = false
                if tokens[i].phraseStart {
                    // Every later word of a phrase is marked: no string is built for lengths that cannot match.
                    var length = 1
                    while length < longestPhrase, i + length < n, tokens[i + length].flags.contains(.phraseRest) { length += 1 }
                    while length >= 2 {
                        if (i..<(i + length - 1)).allSatisfy({ tokens[$0].boundary == .none }),
                            let v = phrases[(i..<(i + length)).map(lowered).joined(separator: " ")]
                        {
                            slots[i].phraseValence = v
                            slots[i].phraseLength = length
                            for k in i..<(i + length) { slots[k].covered = true }
                            i += length
                            matched = true
                            break
                        }
                        length -= 1
                    }
                }
                if !matched { i += 1 }
            }
        }

        func has(_ k: Int, _ f: Flags) -> Bool { tokens[k].flags.contains(f) }
        func sameClause(_ a: Int, _ b: Int) -> Bool { tokens[a].clause == tokens[b].clause }

        for i in 0..<n {
            if slots[i].covered {
                guard var v = slots[i].phraseValence else { continue }
                var start = i
                for k in 1...3 where i - k >= 0 && sameClause(i - k, i) && tokens[i - k].negation {
                    v *= Self.negationScale
                    start = i - k
                    break
                }
                slots[i].valence = v
                slots[i].spanStart = start
                continue
            }
            if tokens[i].booster != nil { continue }
            if has(i, .kind), i + 1 < n, has(i + 1, .of) { continue }
            guard let base = tokens[i].valence else { continue }
            var v = base
            var start = i
            if has(i, .no), i + 1 < n, tokens[i + 1].valence != nil, sameClause(i, i + 1) { v = 0 }
            if (i > 0 && has(i - 1, .no) && sameClause(i - 1, i)) || (i > 1 && has(i - 2, .no) && sameClause(i - 2, i))
                || (i > 2 && has(i - 3, .no) && has(i - 1, .orNor) && sameClause(i - 3, i))
            {
                v = base * Self.negationScale
                start = i > 0 && has(i - 1, .no) ? i - 1 : i > 1 && has(i - 2, .no) ? i - 2 : i - 3
            }
            if tokens[i].isUpper && capsStandOut { v += v > 0 ? Self.emphasis : -Self.emphasis }
            if tokens[i].stretched && v != 0 { v += v > 0 ? Self.emphasis : -Self.emphasis }
            for distance in 1...3 {
                let j = i - distance
                if j < 0 || !sameClause(j, i) || slots[j].covered { break }
                if tokens[j].valence != nil { continue }
                if var b = tokens[j].booster {
                    if v < 0 { b = -b }
                    if tokens[j].isUpper && capsStandOut { b += v > 0 ? Self.emphasis : -Self.emphasis }
                    v += b * (distance == 1 ? 1 : distance == 2 ? 0.95 : 0.9)
                    start = min(start, j)
                }
                v = negationCheck(v, distance: distance, at: i, tokens: tokens, start: &start)
                if distance == 3, (i - 3...i).contains(where: { $0 + 1 < n && has($0, .idiomStart) && has($0 + 1, .idiomRest) }) {
                    v = idioms(v, at: i, count: n, lower: lowered)
                }
            }
            if i > 1, tokens[i - 1].valence == nil, has(i - 1, .least) {
                if !has(i - 2, .atOrVery) {
                    v *= Self.negationScale
                    start = min(start, i - 1)
                }
            } else if i > 0, tokens[i - 1].valence == nil, has(i - 1, .least) {
                v *= Self.negationScale
                start = min(start, i - 1)
            }
            // "can't recommend them enough", "couldn't be any happier": the negation praises.
            if v * base < 0 {
                let cannot = (max(0, i - 4)..<i).contains { sameClause($0, i) && has($0, .cannot) }
                let enough = ((i + 1)..<min(n, i + 4)).contains { sameClause($0, i) && has($0, .enough) }
                let anyBetter = has(i, .betterOrHappier) && (max(0, i - 2)..<i).contains { has($0, .any) }
                if (cannot && enough) || anyBetter { v = -v }
            }
            var k = i - 1
            while k >= 0 && sameClause(k, i) {
                if has(k, .hypothetical) {
                    v *= Self.hypotheticalScale
                    break
                }
                k -= 1
            }
            if v < 0 { v *= Self.negativityBias }
            slots[i].valence = v
            slots[i].spanStart = start
        }

        // "but": the first one in each sentence halves what precedes it there and raises what follows by half.
        if tokens.contains(where: { $0.flags.contains(.but) }) {
            var butIndex: [Int: Int] = [:]
            for i in 0..<n where has(i, .but) && butIndex[tokens[i].sentence] == nil { butIndex[tokens[i].sentence] = i }
            for i in 0..<n where slots[i].valence != 0 {
                guard let but = butIndex[tokens[i].sentence] else { continue }
                if i < but { slots[i].valence *= 0.5 } else if i > but { slots[i].valence *= 1.5 }
            }
        }

        var sum = slots.reduce(0) { $0 + $1.valence }
        let emphasis = Self.punctuationEmphasis(bytes)
        if sum > 0 { sum += emphasis } else if sum < 0 { sum -= emphasis }
        let score = max(-1, min(1, sum / (sum * sum + Self.normalizationAlpha).squareRoot()))
        var drivers: [Sentiment.Driver] = []
        if wantDrivers {
            for i in 0..<n where slots[i].valence != 0 && slots[i].spanStart >= 0 {
                let span = slots[i].spanStart..<(i + max(1, slots[i].phraseLength))
                let phrase = span.map { String(decoding: bytes[tokens[$0].range], as: UTF8.self) }.joined(separator: " ")
                drivers.append(.init(phrase: phrase, valence: (slots[i].valence * 1000).rounded() / 1000))
            }
            drivers.sort { abs($0.valence) > abs($1.valence) }
        }
        return Sentiment(score: (score * 10_000).rounded() / 10_000, label: Sentiment.label(for: score), drivers: drivers)
    }

    /// VADER's negation rules one, two and three words back, including its quirk that "so" or "this" right before a
    /// word strengthens it by a quarter at the third step (fixing it measurably hurts both rated sets).
    func negationCheck(_ v: Double, distance: Int, at i: Int, tokens: [Token], start: inout Int) -> Double {
        func has(_ k: Int, _ f: Flags) -> Bool { tokens[k].flags.contains(f) }
        switch distance {
        case 1:
            if tokens[i - 1].negation {
                start = min(start, i - 1)
                return v * Self.negationScale
            }
        case 2:
            if has(i - 2, .never) && has(i - 1, .soOrThis) { return v * 1.25 }
            if has(i - 2, .without) && has(i - 1, .doubt) { return v }
            if tokens[i - 2].negation {
                start = min(start, i - 2)
                return v * Self.negationScale
            }
        default:
            if (has(i - 3, .never) && has(i - 2, .soOrThis)) || has(i - 1, .soOrThis) { return v * 1.25 }
            if has(i - 3, .without) && (has(i - 2, .doubt) || has(i - 1, .doubt)) { return v }
            if tokens[i - 3].negation {
                start = min(start, i - 3)
                return v * Self.negationScale
            }
        }
        return v
    }

    func idioms(_ v: Double, at i: Int, count: Int, lower: (Int) -> String) -> Double {
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
        if i + 1 < count, let special = Self.specialCases["\(lower(i)) \(lower(i + 1))"] { v = special }
        if i + 2 < count, let special = Self.specialCases["\(lower(i)) \(lower(i + 1)) \(lower(i + 2))"] { v = special }
        // Two-word dampeners ("kind of", "sort of") just before the word.
        for gram in [threeTwoOne, threeTwo, twoOne] { if let b = Self.boosters[gram] { v += b } }
        return v
    }

    static func punctuationEmphasis(_ bytes: [UInt8]) -> Double {
        let (exclamations, questions) = bytes.withUnsafeBufferPointer { bytes in
            var exclamations = 0
            var questions = 0
            for byte in bytes {
                exclamations &+= byte == UInt8(ascii: "!") ? 1 : 0
                questions &+= byte == UInt8(ascii: "?") ? 1 : 0
            }
            return (exclamations, questions)
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

/// A set of byte pairs (`SentimentAnalyzer.ends`) as a bitmap: one shift and mask, no hashing.
struct PairSet: Sendable {
    private let bits: [UInt64]

    init(_ pairs: some Sequence<UInt16>) {
        var bits = [UInt64](repeating: 0, count: 1 << 10)
        for p in pairs { bits[Int(p >> 6)] |= 1 << (p & 63) }
        self.bits = bits
    }

    func contains(_ pair: UInt16) -> Bool { bits[Int(pair >> 6)] & (1 << (pair & 63)) != 0 }

    func write(to out: inout TableWriter) {
        for word in bits { out.u64(word) }
    }

    init(from input: inout TableReader) throws {
        bits = try (0..<(1 << 10)).map { _ in try input.u64() }
    }
}

/// Emoji descriptions ("😡" -> "enraged face") keyed by the emoji's UTF-8 bytes in an open-addressing table
/// (FNV-1a, as `WordTable`), over the lexicon file's own bytes: start-up makes no Character and no String of its
/// 3,570 entries (a `[Character: String]` of them was the largest part of loading). A key of several characters
/// can never equal one character's bytes, so such lines are inert, as they were.
struct EmojiTable: Sendable {
    private struct Entry {
        var key: Range<Int>
        var description: Range<Int>
    }

    private let mask: Int
    /// Entry + 1; 0 is empty.
    private let slots: [UInt32]
    private let entries: [Entry]
    private let file: [UInt8]

    init(_ file: [UInt8]) {
        var lines: [Entry] = []
        lines.reserveCapacity(file.count / 32)
        SentimentAnalyzer.forEachLine(file) { line in
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")), tab > line.startIndex else { return }
            let rest = line[(tab + 1)...]
            let end = rest.firstIndex(of: UInt8(ascii: "\t")) ?? rest.endIndex
            guard end > rest.startIndex else { return }
            lines.append(Entry(key: line.startIndex..<tab, description: rest.startIndex..<end))
        }
        var size = 16
        while size < lines.count * 2 { size *= 2 }
        var slots = [UInt32](repeating: 0, count: size)
        var entries: [Entry] = []
        entries.reserveCapacity(lines.count)
        for line in lines {
            let key = file[line.key]
            var slot = Int(truncatingIfNeeded: Self.hash(key)) & (size - 1)
            while true {
                let s = slots[slot]
                if s == 0 {
                    slots[slot] = UInt32(entries.count + 1)
                    entries.append(line)
                    break
                }
                // A later line for the same emoji wins, as it did in a dictionary.
                if file[entries[Int(s) - 1].key].elementsEqual(key) {
                    entries[Int(s) - 1] = line
                    break
                }
                slot = (slot + 1) & (size - 1)
            }
        }
        self.mask = size - 1
        self.slots = slots
        self.entries = entries
        self.file = file
    }

    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in bytes {
            h ^= UInt64(c)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    func write(to out: inout TableWriter) {
        out.count(slots.count)
        for s in slots { out.u32(s) }
        out.count(entries.count)
        for e in entries {
            for bound in [e.key.lowerBound, e.key.upperBound, e.description.lowerBound, e.description.upperBound] { out.count(bound) }
        }
        out.bytes(file)
    }

    init(from input: inout TableReader) throws {
        let size = try input.count()
        guard size > 0, size & (size - 1) == 0 else { throw TableReader.Damaged() }
        let slots = try (0..<size).map { _ in try input.u32() }
        let entries = try (0..<(try input.count())).map { _ in
            let (a, b, c, d) = (try input.count(), try input.count(), try input.count(), try input.count())
            guard a <= b, c <= d else { throw TableReader.Damaged() }
            return Entry(key: a..<b, description: c..<d)
        }
        let file = try input.bytes()
        guard slots.allSatisfy({ Int($0) <= entries.count }),
            entries.allSatisfy({ $0.key.upperBound <= file.count && $0.description.upperBound <= file.count })
        else { throw TableReader.Damaged() }
        self.mask = size - 1
        self.slots = slots
        self.entries = entries
        self.file = file
    }

    func description(of c: Character) -> String? {
        let utf8 = c.utf8
        var slot = Int(truncatingIfNeeded: Self.hash(utf8)) & mask
        while true {
            let s = slots[slot]
            if s == 0 { return nil }
            let entry = entries[Int(s) - 1]
            if file[entry.key].elementsEqual(utf8) { return String(decoding: file[entry.description], as: UTF8.self) }
            slot = (slot + 1) & mask
        }
    }
}

/// Word information keyed by lower-case ASCII bytes, in an open-addressing table hashed with FNV-1a: the
/// per-token lookup of the tokenizer without building a String or running SipHash. Each slot keeps the upper half
/// of its key's hash, so a probe that misses (most words are in no lexicon) rarely touches the keys.
struct WordTable: Sendable {
    struct Entry {
        var keyStart: Int32
        var keyEnd: Int32
        var info: SentimentAnalyzer.WordInfo
    }

    private let mask: Int
    /// The upper 32 bits of the key's hash, and the entry + 1 below them; 0 is empty.
    private let slots: [UInt64]
    private let entries: [Entry]
    private let keys: [UInt8]

    /// Fills a table key by key; a key given again updates its entry (the lexicon's later line wins).
    struct Builder {
        private var slots: [UInt64]
        private var entries: [Entry] = []
        private var keys: [UInt8] = []

        /// Room for `capacity` keys at most half full; the lexicons decide it from their size.
        init(capacity: Int) {
            var size = 16
            while size < capacity * 2 { size *= 2 }
            slots = [UInt64](repeating: 0, count: size)
            entries.reserveCapacity(capacity)
            keys.reserveCapacity(capacity * 8)
        }

        /// Changes the entry of an ASCII key, added empty first if it is new. Keys are stored as given and
        /// compared exactly here; lookups lower-case only the word looked up, as `[String: WordInfo]` did.
        mutating func update(_ bytes: some Collection<UInt8>, _ change: (inout SentimentAnalyzer.WordInfo) -> Void) {
            let h = WordTable.hash(bytes)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] != 0 {
                let entry = Int(slots[slot] & 0xFFFF_FFFF) - 1
                if keys[Int(entries[entry].keyStart)..<Int(entries[entry].keyEnd)].elementsEqual(bytes) {
                    change(&entries[entry].info)
                    return
                }
                slot = (slot + 1) & mask
            }
            if entries.count * 2 >= slots.count { grow() }
            var info = SentimentAnalyzer.WordInfo()
            change(&info)
            insert(Entry(keyStart: Int32(keys.count), keyEnd: Int32(keys.count + bytes.count), info: info), hash: h)
            keys.append(contentsOf: bytes)
        }

        /// Changes every entry, given its key.
        mutating func updateAll(_ change: (ArraySlice<UInt8>, inout SentimentAnalyzer.WordInfo) -> Void) {
            for i in entries.indices { change(keys[Int(entries[i].keyStart)..<Int(entries[i].keyEnd)], &entries[i].info) }
        }

        private mutating func insert(_ entry: Entry, hash h: UInt64) {
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(entries.count + 1)
            entries.append(entry)
        }

        private mutating func grow() {
            let old = entries
            slots = [UInt64](repeating: 0, count: slots.count * 2)
            entries.removeAll(keepingCapacity: true)
            for entry in old { insert(entry, hash: WordTable.hash(keys[Int(entry.keyStart)..<Int(entry.keyEnd)])) }
        }

        func table() -> WordTable { WordTable(mask: slots.count - 1, slots: slots, entries: entries, keys: keys) }
    }

    private init(mask: Int, slots: [UInt64], entries: [Entry], keys: [UInt8]) {
        self.mask = mask
        self.slots = slots
        self.entries = entries
        self.keys = keys
    }

    func write(to out: inout TableWriter) {
        out.count(slots.count)
        for s in slots { out.u64(s) }
        out.count(entries.count)
        for e in entries {
            out.count(Int(e.keyStart))
            out.count(Int(e.keyEnd))
            out.info(e.info)
        }
        out.bytes(keys)
    }

    init(from input: inout TableReader) throws {
        let size = try input.count()
        guard size > 0, size & (size - 1) == 0 else { throw TableReader.Damaged() }
        let slots = try (0..<size).map { _ in try input.u64() }
        let entries = try (0..<(try input.count())).map { _ in
            Entry(keyStart: Int32(try input.count()), keyEnd: Int32(try input.count()), info: try input.info())
        }
        let keys = try input.bytes()
        guard slots.allSatisfy({ Int($0 & 0xFFFF_FFFF) <= entries.count }),
            entries.allSatisfy({ $0.keyStart <= $0.keyEnd && Int($0.keyEnd) <= keys.count })
        else { throw TableReader.Damaged() }
        self.init(mask: size - 1, slots: slots, entries: entries, keys: keys)
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }

    static func hash(_ word: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in word {
            h ^= UInt64(lower(c))
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// The table's storage for the duration of `body`, so that lookups (one per word) retain and release nothing.
    /// The lookup must not escape `body`.
    func withLookup<R>(_ body: (Lookup) throws -> R) rethrows -> R {
        try slots.withUnsafeBufferPointer { slots in
            try entries.withUnsafeBufferPointer { entries in
                try keys.withUnsafeBufferPointer { keys in
                    try body(Lookup(mask: mask, slots: slots, entries: entries, keys: keys))
                }
            }
        }
    }

    struct Lookup {
        let mask: Int
        let slots: UnsafeBufferPointer<UInt64>
        let entries: UnsafeBufferPointer<Entry>
        let keys: UnsafeBufferPointer<UInt8>

        /// The entry for a word, compared without case; `ascii` is false when the word has non-ASCII bytes (then
        /// the caller looks it up by its Unicode lower-case form).
        func find(_ word: UnsafeBufferPointer<UInt8>) -> (info: SentimentAnalyzer.WordInfo?, ascii: Bool) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for c in word {
                if c >= 0x80 { return (nil, false) }
                h ^= UInt64(WordTable.lower(c))
                h = h &* 0x100_0000_01b3
            }
            let tag = h & 0xFFFF_FFFF_0000_0000
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let s = slots[slot]
                if s == 0 { return (nil, true) }
                if s & 0xFFFF_FFFF_0000_0000 == tag {
                    let entry = entries[Int(s & 0xFFFF_FFFF) - 1]
                    if Int(entry.keyEnd - entry.keyStart) == word.count
                        && zip(keys[Int(entry.keyStart)...], word).allSatisfy({ $0 == WordTable.lower($1) })
                    {
                        return (entry.info, true)
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// Little-endian bytes of the prebuilt sentiment table; counts and offsets as UInt32, a missing Double as NaN.
struct TableWriter {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ b: [UInt8]) { bytes += b }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func count(_ n: Int) { u32(UInt32(n)) }
    mutating func double(_ v: Double?) { u64((v ?? .nan).bitPattern) }
    mutating func bytes(_ b: [UInt8]) {
        count(b.count)
        raw(b)
    }
    mutating func info(_ i: SentimentAnalyzer.WordInfo) {
        double(i.valence)
        double(i.booster)
        raw([i.negation ? 1 : 0, i.phraseStart ? 1 : 0])
        u32(i.flags.rawValue)
    }
}

/// Reads a `TableWriter`'s bytes, checking every length against what is left.
struct TableReader {
    struct Damaged: Error, CustomStringConvertible {
        var description: String { "The prebuilt sentiment table is damaged or from another version." }
    }

    private let input: [UInt8]
    private var at = 0

    init(_ input: [UInt8]) { self.input = input }

    var atEnd: Bool { at == input.count }

    mutating func raw(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= input.count - at else { throw Damaged() }
        defer { at += n }
        return Array(input[at..<(at + n)])
    }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        guard MemoryLayout<T>.size <= input.count - at else { throw Damaged() }
        let v = input.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: T.self) }
        at += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func u64() throws -> UInt64 { try load(UInt64.self) }
    mutating func count() throws -> Int { Int(try u32()) }
    mutating func double() throws -> Double? {
        let v = Double(bitPattern: try u64())
        return v.isNaN ? nil : v
    }
    mutating func bytes() throws -> [UInt8] { try raw(try count()) }
    mutating func info() throws -> SentimentAnalyzer.WordInfo {
        var i = SentimentAnalyzer.WordInfo()
        i.valence = try double()
        i.booster = try double()
        let flags = try raw(2)
        i.negation = flags[0] == 1
        i.phraseStart = flags[1] == 1
        i.flags = SentimentAnalyzer.Flags(rawValue: try u32())
        return i
    }
}
