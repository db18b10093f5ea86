import Foundation

/// A who-rates-whom network: the SNAP signed-network format `SOURCE,TARGET,RATING,TIME`, one rating a line.
///
/// ```swift
/// let network = try SignedNetwork.parse(Array("1,2,10,1289241911\n2,1,-3,1289241999\n".utf8))
/// network.nodeIDs        // ["1", "2"]
/// network.ratings        // [10, -3]
/// ```
///
/// - Node ids are kept as written and numbered in order of first appearance, so output follows the file.
/// - Every rating is kept (a pair may rate each other many times); the algorithms decide how to combine them.
/// - A rating of oneself is kept in the file but ignored by every algorithm: it says nothing about trust.
/// - Blank lines and lines starting with `#` (SNAP's comment lines) are skipped; TIME may be absent (then 0).
public struct SignedNetwork: Sendable {
    public private(set) var nodeIDs: [String] = []
    public private(set) var sources: [Int32] = []
    public private(set) var targets: [Int32] = []
    public private(set) var ratings: [Double] = []
    public private(set) var times: [Double] = []
    private var index: [String: Int32] = [:]

    public init() {}

    public var nodeCount: Int { nodeIDs.count }
    public var edgeCount: Int { sources.count }

    /// The dense number of a node id, if it appears in the network.
    public func node(_ id: String) -> Int32? { index[id] }

    /// Adds a node if it is new and returns its number.
    @discardableResult
    public mutating func addNode(_ id: String) -> Int32 {
        if let found = index[id] { return found }
        let number = Int32(nodeIDs.count)
        nodeIDs.append(id)
        index[id] = number
        return number
    }

    public mutating func addRating(source: String, target: String, rating: Double, time: Double = 0) {
        let s = addNode(source)
        let t = addNode(target)
        sources.append(s)
        targets.append(t)
        ratings.append(rating)
        times.append(time)
    }

    /// What a member said of each other member: its ratings of them summed (self-ratings left out). A viewer's
    /// positive ones are its own trusted set, the restart of a personalized ranking.
    public func ratingsGiven(by node: Int32) -> [Int32: Double] {
        var given: [Int32: Double] = [:]
        for e in 0..<edgeCount where sources[e] == node && targets[e] != node { given[targets[e], default: 0] += ratings[e] }
        return given
    }

    /// The same network keeping only the ratings at the given positions (node numbering unchanged).
    public func keepingRatings(_ positions: some Sequence<Int>) -> SignedNetwork {
        var copy = self
        copy.sources = []
        copy.targets = []
        copy.ratings = []
        copy.times = []
        for position in positions {
            copy.sources.append(sources[position])
            copy.targets.append(targets[position])
            copy.ratings.append(ratings[position])
            copy.times.append(times[position])
        }
        return copy
    }

    /// A problem in a ratings file, with the 1-based line it is on.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Ratings must lie in `ratingRange` (the scale the file uses); anything else is refused with its line.
    public static func parse(_ bytes: [UInt8], ratingRange: ClosedRange<Double> = -10...10) throws(ParseError) -> SignedNetwork {
        var parser = Parser(ratingRange: ratingRange)
        try bytes.withUnsafeBufferPointer { buffer throws(ParseError) in try parser.run(buffer) }
        return parser.finish()
    }

    public static func read(path: String, ratingRange: ClosedRange<Double> = -10...10) throws -> SignedNetwork {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return try parse([UInt8](data), ratingRange: ratingRange)
    }

    /// A one-pass byte parser: ids that are plain decimal numbers (the SNAP convention) are interned through
    /// an array instead of a dictionary, which is what makes a 10-million-line file take a second, not ten.
    private struct Parser {
        let ratingRange: ClosedRange<Double>
        var network = SignedNetwork()
        var numericSlot: [Int32] = []
        var line = 0

        init(ratingRange: ClosedRange<Double>) { self.ratingRange = ratingRange }

        mutating func finish() -> SignedNetwork { network }

        mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) throws(ParseError) {
            let estimate = buffer.count / 24
            network.sources.reserveCapacity(estimate)
            network.targets.reserveCapacity(estimate)
            network.ratings.reserveCapacity(estimate)
            network.times.reserveCapacity(estimate)
            var position = 0
            let end = buffer.count
            while position < end {
                line += 1
                var lineEnd = position
                while lineEnd < end && buffer[lineEnd] != 0x0A { lineEnd += 1 }
                var contentEnd = lineEnd
                if contentEnd > position && buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                try parseLine(buffer, position, contentEnd)
                position = lineEnd + 1
            }
        }

        private mutating func parseLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(ParseError) {
            var fields: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var fieldStart = start
            var i = start
            // Skip blank lines and comments without allocating.
            var first = start
            while first < end && (b[first] == 0x20 || b[first] == 0x09) { first += 1 }
            if first == end || b[first] == UInt8(ascii: "#") { return }
            while i <= end {
                if i == end || b[i] == UInt8(ascii: ",") {
                    switch count {
                    case 0: fields.0 = fieldStart; fields.1 = i
                    case 1: fields.2 = fieldStart; fields.3 = i
                    case 2: fields.4 = fieldStart; fields.5 = i
                    case 3: fields.6 = fieldStart; fields.7 = i
                    default: break
                    }
                    count += 1
                    fieldStart = i + 1
                }
                i += 1
            }
            guard count == 3 || count == 4 else {
                throw ParseError(line: line, message: "expected SOURCE,TARGET,RATING,TIME but found \(count) field\(count == 1 ? "" : "s")")
            }
            let source = try intern(b, fields.0, fields.1, role: "SOURCE")
            let target = try intern(b, fields.2, fields.3, role: "TARGET")
            guard let rating = Self.number(b, fields.4, fields.5), rating.isFinite else {
                throw ParseError(line: line, message: "RATING \(Self.quoted(b, fields.4, fields.5)) is not a number")
            }
            guard ratingRange.contains(rating) else {
                throw ParseError(
                    line: line,
                    message: "RATING \(Self.quoted(b, fields.4, fields.5)) is outside the scale \(Self.format(ratingRange.lowerBound))"
                        + " to \(Self.format(ratingRange.upperBound))")
            }
            var time = 0.0
            if count == 4 {
                guard let parsed = Self.number(b, fields.6, fields.7), parsed.isFinite else {
                    throw ParseError(line: line, message: "TIME \(Self.quoted(b, fields.6, fields.7)) is not a number")
                }
                time = parsed
            }
            network.sources.append(source)
            network.targets.append(target)
            network.ratings.append(rating)
            network.times.append(time)
        }

        private mutating func intern(_ b: UnsafeBufferPointer<UInt8>, _ rawStart: Int, _ rawEnd: Int, role: String) throws(ParseError)
            -> Int32
        {
            var start = rawStart
            var end = rawEnd
            while start < end && (b[start] == 0x20 || b[start] == 0x09) { start += 1 }
            while end > start && (b[end - 1] == 0x20 || b[end - 1] == 0x09) { end -= 1 }
            guard start < end else { throw ParseError(line: line, message: "\(role) is empty") }
            guard end - start <= 256 else { throw ParseError(line: line, message: "\(role) is longer than 256 characters") }
            // Canonical small decimal ids ("0", "42", not "042") take the array path.
            if end - start <= 9, b[start] != UInt8(ascii: "0") || end - start == 1 {
                var value = 0
                var numeric = true
                for k in start..<end {
                    let digit = Int(b[k]) - 48
                    if digit < 0 || digit > 9 {
                        numeric = false
                        break
                    }
                    value = value * 10 + digit
                }
                if numeric && value < 1 << 26 {
                    if value >= numericSlot.count {
                        numericSlot.append(contentsOf: repeatElement(-1, count: max(value + 1, numericSlot.count * 2) - numericSlot.count))
                    }
                    if numericSlot[value] >= 0 { return numericSlot[value] }
                    let number = network.addNode(String(value))
                    numericSlot[value] = number
                    return number
                }
            }
            guard let text = String(validating: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self) else {
                throw ParseError(line: line, message: "\(role) is not valid UTF-8")
            }
            return network.addNode(text)
        }

        /// Decimal numbers with an optional sign, fraction and exponent; nil for anything else.
        static func number(_ b: UnsafeBufferPointer<UInt8>, _ rawStart: Int, _ rawEnd: Int) -> Double? {
            var start = rawStart
            var end = rawEnd
            while start < end && (b[start] == 0x20 || b[start] == 0x09) { start += 1 }
            while end > start && (b[end - 1] == 0x20 || b[end - 1] == 0x09) { end -= 1 }
            guard start < end, end - start <= 64 else { return nil }
            var i = start
            var negative = false
            if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                negative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var mantissa: UInt64 = 0
            var digits = 0
            var scale = 0
            var sawDigit = false
            while i < end, b[i] >= 48, b[i] <= 57 {
                if digits < 18 { mantissa = mantissa * 10 + UInt64(b[i] - 48); digits += mantissa == 0 ? 0 : 1 } else { scale += 1 }
                sawDigit = true
                i += 1
            }
            if i < end && b[i] == UInt8(ascii: ".") {
                i += 1
                while i < end, b[i] >= 48, b[i] <= 57 {
                    if digits < 18 {
                        mantissa = mantissa * 10 + UInt64(b[i] - 48)
                        digits += mantissa == 0 ? 0 : 1
                        scale -= 1
                    }
                    sawDigit = true
                    i += 1
                }
            }
            guard sawDigit else { return nil }
            if i < end && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
                i += 1
                var expNegative = false
                if i < end && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
                    expNegative = b[i] == UInt8(ascii: "-")
                    i += 1
                }
                var exponent = 0
                var sawExp = false
                while i < end, b[i] >= 48, b[i] <= 57, exponent < 10_000 {
                    exponent = exponent * 10 + Int(b[i] - 48)
                    sawExp = true
                    i += 1
                }
                guard sawExp else { return nil }
                scale += expNegative ? -exponent : exponent
            }
            guard i == end else { return nil }
            let value = scale == 0 ? Double(mantissa) : Double(mantissa) * pow(10, Double(scale))
            return negative ? -value : value
        }

        static func quoted(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<min(end, start + 40)]), as: UTF8.self)
            return "\"\(text)\""
        }

        static func format(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
    }
}

/// Reads a file of node ids, one a line (blank lines and `#` comments skipped).
public enum NodeList {
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
