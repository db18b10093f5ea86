import Foundation

/// The mean of sentiment scores with a 95% interval, and whether it changed against another period.
///
/// ```swift
/// let lastWeek = MeanEstimate([-0.6, -0.4, -0.7, -0.2, -0.5])
/// lastWeek.change(since: MeanEstimate(before))   // .down only when Welch's interval for the difference excludes 0
/// ```
///
/// Intervals use Student's t (Welch–Satterthwaite degrees of freedom for differences), not 1.96: weekly counts of
/// mentions are often small, and a normal interval on five mentions would call noise a drop.
public struct MeanEstimate: Sendable, Equatable, Codable {
    public let n: Int
    public let mean: Double?
    /// The sample variance (n - 1 in the denominator); nil below two values.
    public let variance: Double?

    public init<S: Sequence>(_ values: S) where S.Element == Double {
        var n = 0
        var mean = 0.0
        var m2 = 0.0
        for x in values {  // Welford: one pass, stable
            n += 1
            let d = x - mean
            mean += d / Double(n)
            m2 += d * (x - mean)
        }
        self.init(n: n, mean: n > 0 ? mean : nil, variance: n > 1 ? m2 / Double(n - 1) : nil)
    }

    /// From aggregates a database returns: the count, the sum and the sum of squares.
    public init(n: Int, sum: Double, sumOfSquares: Double) {
        guard n > 0 else {
            self.init(n: 0, mean: nil, variance: nil)
            return
        }
        let mean = sum / Double(n)
        let variance = n > 1 ? max(0, (sumOfSquares - Double(n) * mean * mean) / Double(n - 1)) : nil
        self.init(n: n, mean: mean, variance: variance)
    }

    init(n: Int, mean: Double?, variance: Double?) {
        self.n = n
        self.mean = mean
        self.variance = variance
    }

    /// The 95% interval of the mean, clipped to the score's range [-1, 1]; nil below two values.
    public var interval: ClosedRange<Double>? {
        guard let mean, let variance else { return nil }
        let half = studentT975(degreesOfFreedom: Double(n - 1)) * (variance / Double(n)).squareRoot()
        return max(-1, mean - half)...min(1, mean + half)
    }

    /// `.down` or `.up` only when the 95% interval of the difference of means (Welch) excludes zero and the
    /// difference is at least `minimum` (a practical threshold, so that thousands of mentions do not turn a
    /// 0.01 shift into news).
    public func change(since earlier: MeanEstimate, minimum: Double = 0) -> Change {
        guard let mean, let variance, let before = earlier.mean, let beforeVariance = earlier.variance else {
            return .notEnoughData
        }
        let a = variance / Double(n)
        let b = beforeVariance / Double(earlier.n)
        let difference = mean - before
        let se = (a + b).squareRoot()
        guard se > 0 else {
            return difference == 0 || abs(difference) < minimum ? .noClearChange : difference > 0 ? .up : .down
        }
        let df = (a + b) * (a + b) / (a * a / Double(n - 1) + b * b / Double(earlier.n - 1))
        let half = studentT975(degreesOfFreedom: df) * se
        guard abs(difference) > half, abs(difference) >= minimum else { return .noClearChange }
        return difference > 0 ? .up : .down
    }
}

/// The 97.5th percentile of Student's t: exact table values for small degrees of freedom, where the
/// Cornish–Fisher expansion around the normal is poor, and the expansion above them (error < 1e-4).
public func studentT975(degreesOfFreedom df: Double) -> Double {
    let table: [Double] = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281]
    guard df.isFinite, df > 0 else { return .infinity }
    if df < 1 { return table[0] }
    if df <= 10 {
        let low = Int(df.rounded(.down))
        let high = min(low + 1, 10)
        let t = df - Double(low)
        return table[low - 1] * (1 - t) + table[high - 1] * t
    }
    let z = z95
    let z3 = z * z * z
    let z5 = z3 * z * z
    let z7 = z5 * z * z
    return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df)
}
