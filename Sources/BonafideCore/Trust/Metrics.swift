import Foundation

/// The accuracy figures used to validate the trust engine.
public enum Metrics {
    public static func rmse(_ predicted: [Double], _ actual: [Double]) -> Double {
        precondition(predicted.count == actual.count)
        guard !predicted.isEmpty else { return .nan }
        var sum = 0.0
        for i in predicted.indices { sum += (predicted[i] - actual[i]) * (predicted[i] - actual[i]) }
        return (sum / Double(predicted.count)).squareRoot()
    }

    /// Pearson correlation; nan when either side is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        let n = Double(x.count)
        guard x.count > 1 else { return .nan }
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx
            let dy = y[i] - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Area under the ROC curve: the chance that a random positive scores above a random negative (ties count
    /// half). Computed from ranks (Mann-Whitney U), so it is exact and O(n log n).
    public static func rocAUC(scores: [Double], positives: [Bool]) -> Double {
        precondition(scores.count == positives.count)
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        let p = Double(positives.filter { $0 }.count)
        let q = Double(positives.count) - p
        guard p > 0, q > 0 else { return .nan }
        var rankSum = 0.0
        for k in positives.indices where positives[k] { rankSum += ranks[k] }
        return (rankSum - p * (p + 1) / 2) / (p * q)
    }

    /// Splits 0..<count into k folds of near-equal size, shuffled by a fixed seed so runs repeat.
    public static func folds(count: Int, k: Int, seed: UInt64 = 20_161_212) -> [[Int]] {
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var folds = [[Int]](repeating: [], count: max(1, k))
        for (position, index) in order.enumerated() { folds[position % folds.count].append(index) }
        return folds
    }
}

/// A small, fast, seedable generator, so shuffles and generated networks are the same on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
