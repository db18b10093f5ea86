import Foundation

/// Signals about one (rater, rated) pair, computed from a set of ratings, for predicting the rating.
///
/// ```swift
/// let graph = RatingGraph(nodeCount: n, sources: s, targets: t, weights: w, times: time)
/// let rows = TrustFeatures.compute(graph, queries: [(source: 3, target: 9, time: now)])
/// ```
///
/// - Ratings are on [-1, 1]. Means are smoothed towards the network's mean (3 pseudo-ratings), so a member
///   with one rating is not taken at its word.
/// - Members: what the rated member received (mean, share negative, count), what the rater gives (its bias),
///   the rater's own reputation, the rated member's habits, fairness and goodness (Kumar et al. 2016), and a
///   rater-plus-target bias model.
/// - Pairs: the reciprocal rating, what those the rater trusts say of the target, signed two-step paths
///   (balance), whether the two are seen alike by the same raters and rate the same members alike.
/// - Time: ratings received and given near the moment of the rating (a 30-day kernel), and how long after
///   the target's first rating it comes; a member's standing drifts, and these follow it.
/// - `leaveOneOut`: when the queries are edges of the graph (training), each one's own contribution is taken
///   out, so the model learns from features computed as they will be for an unseen rating.
public enum TrustFeatures {
    public static let names = [
        "t_mean", "t_neg", "t_logn", "s_mean", "s_neg", "s_logn", "s_rep", "t_give", "has_r", "r_w", "f_u", "g_v", "fxg", "bias",
        "hop_trust", "hop_bal", "co_in", "co_out", "log_paths", "t_local", "t_local_w", "s_local", "t_age",
    ]

    static let smoothing = 3.0
    static let hopPrior = 1.0
    static let kernelSeconds = 30.0 * 86_400
    static let timePrior = 1.0

    public struct Query: Sendable {
        public var source: Int32
        public var target: Int32
        public var time: Double
        public init(source: Int32, target: Int32, time: Double) {
            self.source = source
            self.target = target
            self.time = time
        }
    }

    /// One row of `names.count` values per query, row after row.
    public static func compute(_ g: RatingGraph, queries: [Query], leaveOneOut ownWeights: [Double]? = nil) -> [Double] {
        let n = g.nodeCount
        let width = names.count
        var out = [Double](repeating: 0, count: queries.count * width)
        let loo = ownWeights != nil
        let L = loo ? 1.0 : 0.0
        let mu = g.meanWeight
        let pneg = g.negativeShare
        let (fairness, goodness) = g.fairnessGoodness()
        let (raterBias, targetBias) = g.biases(mean: mu)
        for (q, query) in queries.enumerated() {
            let u = Int(query.source)
            let v = Int(query.target)
            let qw = ownWeights?[q] ?? 0
            let qneg = loo && qw < 0 ? 1.0 : 0.0
            let inside = u < n && v < n
            let nIn = v < n ? g.inCount[v] : 0
            let sIn = v < n ? g.inSum[v] : 0
            let negIn = v < n ? g.inNegative[v] : 0
            let nOut = u < n ? g.outCount[u] : 0
            let sOut = u < n ? g.outSum[u] : 0
            let negOut = u < n ? g.outNegative[u] : 0
            let tn = nIn - L
            let tMean = (sIn - L * qw + smoothing * mu) / (tn + smoothing)
            let tNeg = (negIn - qneg + smoothing * pneg) / (tn + smoothing)
            let sn = nOut - L
            let sMean = (sOut - L * qw + smoothing * mu) / (sn + smoothing)
            let sNeg = (negOut - qneg + smoothing * pneg) / (sn + smoothing)
            let sRep = u < n ? g.smoothedMeanReceived(u) : mu
            let tGive = v < n ? (g.outSum[v] + smoothing * mu) / (g.outCount[v] + smoothing) : mu
            let reciprocal = inside ? g.pair(v, u) : nil
            // Fairness and goodness, with the query's own rating removed to first order.
            var fu = u < n ? fairness[u] : 1
            var gv = v < n ? goodness[v] : 0
            if loo {
                gv = tn > 0 ? (goodness[v] * nIn - fairness[u] * qw) / max(tn, 1) : 0
                let deviation = (1 - fairness[u]) * 2 * nOut
                fu = sn > 0 ? 1 - (deviation - abs(qw - goodness[v])) / (2 * max(sn, 1)) : 1
            }
            var bs = u < n ? raterBias[u] : 0
            var bt = v < n ? targetBias[v] : 0
            if loo {
                bt = (targetBias[v] * (nIn + 3) - (qw - mu - raterBias[u])) / (tn + 3)
                bs = (raterBias[u] * (nOut + 3) - (qw - mu - targetBias[v])) / (sn + 3)
            }
            // Two-step signals; the query's own edge never lies on a path between its ends (no self-ratings).
            var trustedSay = 0.0
            var trustedCount = 0.0
            var balance = 0.0
            var balanceNorm = 0.0
            var paths = 0.0
            var coIn = 0.0
            var coInNorm = 0.0
            var coOut = 0.0
            var coOutNorm = 0.0
            if inside {
                for k in g.outStart[u]..<g.outStart[u + 1] {
                    let x = Int(g.outNode[k])
                    let wux = g.outWeight[k]
                    if let xv = g.pair(x, v) {
                        trustedSay += max(wux, 0) * xv.sum
                        trustedCount += max(wux, 0) * xv.count
                        balance += wux * xv.sum
                        balanceNorm += abs(wux) * abs(xv.sum)
                        paths += g.outCountAt[k] * xv.count
                    }
                    if let vx = g.pair(v, x) {
                        coOut += wux * vx.sum
                        coOutNorm += abs(wux) * abs(vx.sum)
                    }
                }
                for k in g.inStart[u]..<g.inStart[u + 1] {
                    let x = Int(g.inNode[k])
                    if let xv = g.pair(x, v) {
                        coIn += g.inWeight[k] * xv.sum
                        coInNorm += abs(g.inWeight[k]) * abs(xv.sum)
                    }
                }
            }
            // Time-local means, excluding the query's own pair.
            var tLocal = 0.0
            var tLocalWeight = 0.0
            var firstTime = Double.infinity
            var secondTime = Double.infinity
            if v < n {
                for k in g.inEdgeStart[v]..<g.inEdgeStart[v + 1] {
                    let e = Int(g.inEdges[k])
                    let time = g.times[e]
                    if time < firstTime {
                        secondTime = firstTime
                        firstTime = time
                    } else if time < secondTime {
                        secondTime = time
                    }
                    if loo && Int(g.sources[e]) == u { continue }
                    let kernel = exp(-abs(time - query.time) / kernelSeconds)
                    tLocal += kernel * g.weights[e]
                    tLocalWeight += kernel
                }
            }
            var sLocal = 0.0
            var sLocalWeight = 0.0
            if u < n {
                for k in g.outEdgeStart[u]..<g.outEdgeStart[u + 1] {
                    let e = Int(g.outEdges[k])
                    if loo && Int(g.targets[e]) == v { continue }
                    let kernel = exp(-abs(g.times[e] - query.time) / kernelSeconds)
                    sLocal += kernel * g.weights[e]
                    sLocalWeight += kernel
                }
            }
            var first = firstTime
            if loo && first == query.time { first = secondTime }
            let age =
                first.isFinite ? (query.time > first ? 1.0 : query.time < first ? -1.0 : 0.0) * log1p(abs(query.time - first) / 86_400) : 0
            let row: [Double] = [
                tMean, tNeg, log1p(max(tn, 0)), sMean, sNeg, log1p(max(sn, 0)), sRep, tGive, reciprocal == nil ? 0 : 1,
                reciprocal.map { $0.sum / $0.count } ?? 0, fu, gv, fu * gv, mu + bs + bt,
                (trustedSay + hopPrior * tMean) / (trustedCount + hopPrior), balance / (balanceNorm + hopPrior),
                coIn / (coInNorm + hopPrior), coOut / (coOutNorm + hopPrior), log1p(paths),
                (tLocal + timePrior * tMean) / (tLocalWeight + timePrior), log1p(tLocalWeight),
                (sLocal + timePrior * sMean) / (sLocalWeight + timePrior), age,
            ]
            for (j, value) in row.enumerated() { out[q * width + j] = value.isFinite ? value : 0 }
        }
        return out
    }
}

/// Ratings on [-1, 1] indexed for the feature computations: per-member sums, per-pair totals, adjacency.
public struct RatingGraph: Sendable {
    public let nodeCount: Int
    let sources: [Int32]
    let targets: [Int32]
    let weights: [Double]
    let times: [Double]
    var inCount: [Double], inSum: [Double], inNegative: [Double]
    var outCount: [Double], outSum: [Double], outNegative: [Double]
    var pairs: [Int64: (sum: Double, count: Double)] = [:]
    // Pair-level adjacency (duplicates summed), out and in.
    var outStart: [Int], outNode: [Int32], outWeight: [Double], outCountAt: [Double]
    var inStart: [Int], inNode: [Int32], inWeight: [Double]
    // Edge-level adjacency, for time.
    var inEdgeStart: [Int], inEdges: [Int32], outEdgeStart: [Int], outEdges: [Int32]

    public let meanWeight: Double
    public let negativeShare: Double

    /// Self-ratings are dropped: they say nothing about trust.
    public init(nodeCount n: Int, sources s: [Int32], targets t: [Int32], weights w: [Double], times time: [Double]) {
        let keep = s.indices.filter { s[$0] != t[$0] }
        sources = keep.map { s[$0] }
        targets = keep.map { t[$0] }
        weights = keep.map { w[$0] }
        times = keep.map { time[$0] }
        nodeCount = n
        meanWeight = weights.isEmpty ? 0 : weights.reduce(0, +) / Double(weights.count)
        negativeShare = weights.isEmpty ? 0 : Double(weights.filter { $0 < 0 }.count) / Double(weights.count)
        inCount = [Double](repeating: 0, count: n)
        inSum = inCount
        inNegative = inCount
        outCount = inCount
        outSum = inCount
        outNegative = inCount
        for e in sources.indices {
            let u = Int(sources[e])
            let v = Int(targets[e])
            let x = weights[e]
            inCount[v] += 1
            inSum[v] += x
            outCount[u] += 1
            outSum[u] += x
            if x < 0 {
                inNegative[v] += 1
                outNegative[u] += 1
            }
            let key = Int64(u) * Int64(n) + Int64(v)
            let old = pairs[key] ?? (0, 0)
            pairs[key] = (old.sum + x, old.count + 1)
        }
        var outDegree = [Int](repeating: 0, count: n + 1)
        var inDegree = [Int](repeating: 0, count: n + 1)
        for key in pairs.keys {
            outDegree[Int(key / Int64(n)) + 1] += 1
            inDegree[Int(key % Int64(n)) + 1] += 1
        }
        for i in 0..<n {
            outDegree[i + 1] += outDegree[i]
            inDegree[i + 1] += inDegree[i]
        }
        outStart = outDegree
        inStart = inDegree
        outNode = [Int32](repeating: 0, count: pairs.count)
        outWeight = [Double](repeating: 0, count: pairs.count)
        outCountAt = outWeight
        inNode = outNode
        inWeight = outWeight
        var outFill = outDegree
        var inFill = inDegree
        // Sorted keys, so the adjacency (and every sum over it) is the same from run to run.
        for key in pairs.keys.sorted() {
            let value = pairs[key]!
            let u = Int(key / Int64(n))
            let v = Int(key % Int64(n))
            outNode[outFill[u]] = Int32(v)
            outWeight[outFill[u]] = value.sum
            outCountAt[outFill[u]] = value.count
            outFill[u] += 1
            inNode[inFill[v]] = Int32(u)
            inWeight[inFill[v]] = value.sum
            inFill[v] += 1
        }
        var inEdgeStart = [Int](repeating: 0, count: n + 1)
        var outEdgeStart = [Int](repeating: 0, count: n + 1)
        for e in sources.indices {
            inEdgeStart[Int(targets[e]) + 1] += 1
            outEdgeStart[Int(sources[e]) + 1] += 1
        }
        for i in 0..<n {
            inEdgeStart[i + 1] += inEdgeStart[i]
            outEdgeStart[i + 1] += outEdgeStart[i]
        }
        var inEdges = [Int32](repeating: 0, count: sources.count)
        var outEdges = inEdges
        var inEdgeFill = inEdgeStart
        var outEdgeFill = outEdgeStart
        for e in sources.indices {
            inEdges[inEdgeFill[Int(targets[e])]] = Int32(e)
            inEdgeFill[Int(targets[e])] += 1
            outEdges[outEdgeFill[Int(sources[e])]] = Int32(e)
            outEdgeFill[Int(sources[e])] += 1
        }
        self.inEdgeStart = inEdgeStart
        self.inEdges = inEdges
        self.outEdgeStart = outEdgeStart
        self.outEdges = outEdges
    }

    /// The mean rating a member received, pulled towards the network's mean by `TrustFeatures.smoothing`
    /// pseudo-ratings, so one rating does not make a reputation.
    public func smoothedMeanReceived(_ v: Int) -> Double {
        (inSum[v] + TrustFeatures.smoothing * meanWeight) / (inCount[v] + TrustFeatures.smoothing)
    }

    func pair(_ u: Int, _ v: Int) -> (sum: Double, count: Double)? {
        pairs[Int64(u) * Int64(nodeCount) + Int64(v)]
    }

    /// Fairness (how far a rater's ratings are from the consensus) and goodness (the fairness-weighted mean
    /// rating received), iterated to a fixed point as in Kumar et al., ICDM 2016.
    public func fairnessGoodness(tolerance: Double = 1e-6, maxIterations: Int = 200) -> (fairness: [Double], goodness: [Double]) {
        var f = [Double](repeating: 1, count: nodeCount)
        var g = [Double](repeating: 1, count: nodeCount)
        for _ in 0..<maxIterations {
            var gNew = [Double](repeating: 0, count: nodeCount)
            for e in sources.indices { gNew[Int(targets[e])] += f[Int(sources[e])] * weights[e] }
            for v in 0..<nodeCount { gNew[v] /= max(inCount[v], 1) }
            var deviation = [Double](repeating: 0, count: nodeCount)
            for e in sources.indices { deviation[Int(sources[e])] += abs(weights[e] - gNew[Int(targets[e])]) }
            var change = 0.0
            for u in 0..<nodeCount {
                let fNew = 1 - deviation[u] / (2 * max(outCount[u], 1))
                change = max(change, abs(fNew - f[u]), abs(gNew[u] - g[u]))
                f[u] = fNew
            }
            g = gNew
            if change < tolerance { break }
        }
        return (f, g)
    }

    /// rating ≈ mean + rater bias + target bias, ridge-regularized (3 pseudo-ratings), ten alternating sweeps.
    func biases(mean mu: Double) -> (rater: [Double], target: [Double]) {
        var bs = [Double](repeating: 0, count: nodeCount)
        var bt = bs
        for _ in 0..<10 {
            var sum = [Double](repeating: 0, count: nodeCount)
            for e in sources.indices { sum[Int(targets[e])] += weights[e] - mu - bs[Int(sources[e])] }
            for v in 0..<nodeCount { bt[v] = sum[v] / (inCount[v] + 3) }
            sum = [Double](repeating: 0, count: nodeCount)
            for e in sources.indices { sum[Int(sources[e])] += weights[e] - mu - bt[Int(targets[e])] }
            for u in 0..<nodeCount { bs[u] = sum[u] / (outCount[u] + 3) }
        }
        return (bs, bt)
    }
}
