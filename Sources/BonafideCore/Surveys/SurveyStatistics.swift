import Foundation

/// Net Promoter Score with an honest 95% interval: the share of promoters (9-10) minus the share of detractors
/// (0-6), in points from -100 to 100.
///
/// ```swift
/// let nps = NPS(scores: [10, 9, 7, 3])   // 2 promoters, 1 passive, 1 detractor
/// nps.score                               // 25.0
/// nps.interval                            // (-47.1, 80.0) or so: four answers say little
/// ```
///
/// - Skipped answers (`nil`) are not answers: they count neither in `n` nor as passives. Counting them as
///   passives, as some tools do, pulls every score towards 0.
/// - The interval is the adjusted Wald interval (Sauro & Lewis): add 3/4 of a promoter, 3/4 of a detractor and
///   3/2 of a passive (3 answers in all), then NPS ± 1.96 × 100 × sqrt((p + d − (p − d)²) / n) on the adjusted
///   shares and count. It keeps its coverage near 95% for small samples and all-promoter samples, where the
///   plain Wald interval collapses to a point. It is clipped to [-100, 100].
/// - With no answers there is no score and no interval (`nil`), rather than a made-up 0.
public struct NPS: Sendable, Equatable, Codable {
    public let promoters: Int
    public let passives: Int
    public let detractors: Int

    public var n: Int { promoters + passives + detractors }

    public init(promoters: Int, passives: Int, detractors: Int) {
        self.promoters = promoters
        self.passives = passives
        self.detractors = detractors
    }

    /// Scores 0-10; `nil` is a skipped answer. Scores outside 0-10 are the caller's error (see `parse`).
    public init<S: Sequence>(scores: S) where S.Element == Int? {
        var p = 0
        var a = 0
        var d = 0
        for case let s? in scores {
            switch s {
            case 9...: p += 1
            case 7...8: a += 1
            default: d += 1
            }
        }
        self.init(promoters: p, passives: a, detractors: d)
    }

    public init<S: Sequence>(scores: S) where S.Element == Int { self.init(scores: scores.map { Optional($0) }) }

    /// The score in points, `nil` without answers.
    public var score: Double? {
        guard n > 0 else { return nil }
        return 100 * Double(promoters - detractors) / Double(n)
    }

    /// The adjusted Wald estimate and its standard error, both in points.
    var adjusted: (center: Double, standardError: Double) {
        let total = Double(n) + 3
        let p = (Double(promoters) + 0.75) / total
        let d = (Double(detractors) + 0.75) / total
        let variance = max(0, p + d - (p - d) * (p - d))
        return (100 * (p - d), 100 * (variance / total).squareRoot())
    }

    /// The 95% interval in points, `nil` without answers. The adjusted interval is centred on the adjusted estimate,
    /// so with very few answers it can miss the score itself (one promoter: 100, adjusted −48 to 98); it is then
    /// widened to include the score, which only makes it more cautious, never narrower.
    public var interval: ClosedRange<Double>? {
        guard n > 0, let score else { return nil }
        let (center, se) = adjusted
        return max(-100, min(score, center - z95 * se))...min(100, max(score, center + z95 * se))
    }

    /// Whether `self` differs from `earlier` beyond chance: the difference of the adjusted estimates against
    /// 1.96 standard errors of the difference (independent samples). Overlapping intervals are not the test:
    /// two intervals can overlap while the difference is still clear.
    public func change(since earlier: NPS) -> Change {
        guard n > 0, earlier.n > 0 else { return .notEnoughData }
        let (a, sa) = adjusted
        let (b, sb) = earlier.adjusted
        let diff = a - b
        let margin = z95 * (sa * sa + sb * sb).squareRoot()
        return abs(diff) > margin ? (diff > 0 ? .up : .down) : .noClearChange
    }

    /// Parses one score a line (0-10); blank lines are skipped answers. Errors name the line.
    public static func parse(_ text: String) throws(SurveyInputError) -> [Int?] {
        try SurveyInput.scores(text, in: 0...10)
    }
}

/// Customer satisfaction: the share of answers of 4 or 5 on a 1-5 scale, with the Wilson score interval
/// (good coverage at small n and near 0% or 100%, where the plain Wald interval fails).
public struct CSAT: Sendable, Equatable, Codable {
    /// How many answered 1, 2, 3, 4, 5.
    public let counts: [Int]

    public init(counts: [Int]) {
        precondition(counts.count == 5)
        self.counts = counts
    }

    /// Parses one score a line (1-5); blank lines are skipped answers. Errors name the line.
    public static func parse(_ text: String) throws(SurveyInputError) -> [Int?] {
        try SurveyInput.scores(text, in: 1...5)
    }

    public init<S: Sequence>(scores: S) where S.Element == Int? {
        var counts = [0, 0, 0, 0, 0]
        for case let s? in scores where (1...5).contains(s) { counts[s - 1] += 1 }
        self.init(counts: counts)
    }

    public var n: Int { counts.reduce(0, +) }
    public var satisfied: Int { counts[3] + counts[4] }

    /// Percent satisfied, `nil` without answers.
    public var score: Double? { n > 0 ? 100 * Double(satisfied) / Double(n) : nil }

    public var mean: Double? {
        n > 0 ? Double(counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }) / Double(n) : nil
    }

    /// The 95% Wilson interval of the satisfied share, in percent.
    public var interval: ClosedRange<Double>? {
        wilson(successes: satisfied, n: n).map { (100 * $0.lowerBound)...(100 * $0.upperBound) }
    }

    /// Newcombe's hybrid Wilson interval for the difference of two shares: a change only when it excludes 0.
    public func change(since earlier: CSAT) -> Change {
        guard n > 0, earlier.n > 0, let w1 = wilson(successes: satisfied, n: n),
            let w2 = wilson(successes: earlier.satisfied, n: earlier.n)
        else { return .notEnoughData }
        let p1 = Double(satisfied) / Double(n)
        let p2 = Double(earlier.satisfied) / Double(earlier.n)
        let d = p1 - p2
        let low = d - ((p1 - w1.lowerBound) * (p1 - w1.lowerBound) + (w2.upperBound - p2) * (w2.upperBound - p2)).squareRoot()
        let high = d + ((w1.upperBound - p1) * (w1.upperBound - p1) + (p2 - w2.lowerBound) * (p2 - w2.lowerBound)).squareRoot()
        if low > 0 { return .up }
        if high < 0 { return .down }
        return .noClearChange
    }
}

/// Whether a figure moved between two periods or segments, by the intervals rather than by eye.
public enum Change: String, Sendable, Codable {
    case up, down, noClearChange = "no clear change", notEnoughData = "not enough data"
}

let z95 = 1.959963984540054

/// The Wilson score interval of a proportion at 95%.
public func wilson(successes: Int, n: Int) -> ClosedRange<Double>? {
    guard n > 0 else { return nil }
    let nn = Double(n)
    let p = Double(successes) / nn
    let z2 = z95 * z95
    let denominator = 1 + z2 / nn
    let center = (p + z2 / (2 * nn)) / denominator
    let half = z95 * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denominator
    return max(0, center - half)...min(1, center + half)
}

public struct SurveyInputError: Error, CustomStringConvertible, Equatable {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

enum SurveyInput {
    static func scores(_ text: String, in range: ClosedRange<Int>) throws(SurveyInputError) -> [Int?] {
        var result: [Int?] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so split on newline characters rather than on "\n".
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty {
                result.append(nil)
                continue
            }
            guard let value = Int(line) else {
                throw SurveyInputError(
                    line: lineNumber,
                    message: "\"\(line.prefix(40))\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            guard range.contains(value) else {
                throw SurveyInputError(line: lineNumber, message: "\(value) is outside \(range.lowerBound) to \(range.upperBound)")
            }
            result.append(value)
        }
        // A final newline ends the last line; it is not one more skipped answer.
        if text.last?.isNewline == true, result.last == .some(nil) { result.removeLast() }
        return result
    }
}
