import Foundation

/// Standing that a ring of fake accounts cannot inflate: SybilRank's early-terminated walk, over signed ratings.
///
/// ```swift
/// let rank = SybilRank(network: network)
/// let result = rank.run(start: rank.startVector(seeds: EigenTrust.defaultSeeds(network)))
/// result.scores[2]   // node 2's standing from the seeds: higher is more trustworthy
/// ```
///
/// Rules, each with its reason (after Cao et al., "Aiding the Detection of Fake Accounts in Large Scale Social
/// Online Services", NSDI 2012):
/// - Trust starts at the seeds and walks along positive ratings, each rater splitting what it holds in proportion
///   to its ratings, for only ⌈log₂ n⌉ steps: about the time a walk needs to spread over an honest network, too
///   short for the little that leaks through a few attack edges to be amplified inside a ring that rates itself.
///   A walk run to its stationary state (EigenTrust, PageRank) lets a ring keep and multiply whatever reaches it.
/// - A member's trust is what the walk brought it, averaged over the steps (the start included), so one the seeds
///   trust directly, or one at the end of a chain, keeps what reached it instead of depending on where the walk
///   happens to be at the last step.
/// - That trust is divided by the number of members that rate it positively, so standing does not grow by
///   collecting ratings: a member well connected to honest raters holds a share like theirs, a ring member a
///   sliver of the leak.
/// - Negative ratings are distrust, one step and not transitive (as in `EigenTrust`): each rater sends its trust
///   times its share of negative rating. Standing is then multiplied by the share of trust in all that arrived
///   (trust / (trust + distrust)), so distrust from those the walk trusts weighs as much as their trust, on the
///   same scale and with nothing to tune. A member who received only distrust ranks below one nobody knows.
/// - Trust held by a member that rates nobody positively stops there; it is not sent back to the seeds, because
///   that return is the restart that lets a ring accumulate.
///
/// The cost is ⌈log₂ n⌉ passes over the positive ratings: linear in the network, no convergence to wait for.
public struct SybilRank: Sendable {
    public struct Result: Sendable {
        /// Standing: trust per positive rater, times the share of trust in what arrived. Higher is more trustworthy.
        public var scores: [Double]
        /// What the walk brought each member, averaged over the steps (sums to at most 1).
        public var trust: [Double]
        public var steps: Int
    }

    public let nodeCount: Int
    // Positive ratings grouped by rater, each with the rater's share of its positive rating.
    private let trustStart: [Int]
    private let trustTarget: [Int32]
    private let trustShare: [Double]
    // Negative ratings grouped by rater, each with the rater's share of all its rating (positive and negative).
    private let distrustStart: [Int]
    private let distrustTarget: [Int32]
    private let distrustShare: [Double]
    /// Members rating each member positively, at least 1.
    private let positiveRaters: [Double]

    public init(network: SignedNetwork) {
        self.init(nodeCount: network.nodeCount, sources: network.sources, targets: network.targets, ratings: network.ratings)
    }

    /// Several ratings of one member by the same rater add up to one rating of their sum.
    public init(nodeCount: Int, sources: [Int32], targets: [Int32], ratings: [Double]) {
        self.nodeCount = nodeCount
        var net: [Int64: Double] = [:]
        net.reserveCapacity(sources.count)
        for e in sources.indices where sources[e] != targets[e] && (0..<Int32(nodeCount)).contains(sources[e]) {
            guard (0..<Int32(nodeCount)).contains(targets[e]) else { continue }
            net[Int64(sources[e]) << 32 | Int64(targets[e]), default: 0] += ratings[e]
        }
        let pairs = net.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        var positiveOut = [Double](repeating: 0, count: nodeCount)
        var absoluteOut = [Double](repeating: 0, count: nodeCount)
        var positiveRaters = [Double](repeating: 0, count: nodeCount)
        for (key, rating) in pairs {
            let source = Int(key >> 32)
            absoluteOut[source] += abs(rating)
            if rating > 0 {
                positiveOut[source] += rating
                positiveRaters[Int(key & 0xFFFF_FFFF)] += 1
            }
        }
        var trustStart = [Int](repeating: 0, count: nodeCount + 1)
        var distrustStart = [Int](repeating: 0, count: nodeCount + 1)
        var trustTarget: [Int32] = [], trustShare: [Double] = []
        var distrustTarget: [Int32] = [], distrustShare: [Double] = []
        for (key, rating) in pairs {
            let source = Int(key >> 32)
            let target = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
            if rating > 0 {
                trustTarget.append(target)
                trustShare.append(rating / positiveOut[source])
                trustStart[source + 1] += 1
            } else {
                distrustTarget.append(target)
                distrustShare.append(-rating / absoluteOut[source])
                distrustStart[source + 1] += 1
            }
        }
        for v in 0..<nodeCount {
            trustStart[v + 1] += trustStart[v]
            distrustStart[v + 1] += distrustStart[v]
        }
        self.trustStart = trustStart
        self.trustTarget = trustTarget
        self.trustShare = trustShare
        self.distrustStart = distrustStart
        self.distrustTarget = distrustTarget
        self.distrustShare = distrustShare
        self.positiveRaters = positiveRaters.map { max($0, 1) }
    }

    /// ⌈log₂ n⌉, at least 1: the walk's length unless told otherwise.
    public var defaultSteps: Int { max(1, Int(ceil(log2(Double(max(nodeCount, 2)))))) }

    /// Trust split evenly among the seeds (all members when none is valid).
    public func startVector(seeds: [Int32]) -> [Double] { WalkStart.seeds(seeds, nodeCount: nodeCount) }

    /// Trust split in proportion to the given positive weights (a viewer's own ratings); nil when none is positive.
    public func startVector(weights: [Int32: Double]) -> [Double]? { WalkStart.weights(weights, nodeCount: nodeCount) }

    public func run(start: [Double], steps: Int? = nil) -> Result {
        precondition(start.count == nodeCount, "one starting value per node")
        let steps = max(1, steps ?? defaultSteps)
        var current = start
        var next = [Double](repeating: 0, count: nodeCount)
        var trust = start
        for _ in 0..<steps {
            for v in 0..<nodeCount { next[v] = 0 }
            for source in 0..<nodeCount where current[source] > 0 {
                let held = current[source]
                for e in trustStart[source]..<trustStart[source + 1] { next[Int(trustTarget[e])] += held * trustShare[e] }
            }
            swap(&current, &next)
            for v in 0..<nodeCount { trust[v] += current[v] }
        }
        for v in 0..<nodeCount { trust[v] /= Double(steps + 1) }
        var distrust = [Double](repeating: 0, count: nodeCount)
        for source in 0..<nodeCount where trust[source] > 0 {
            for e in distrustStart[source]..<distrustStart[source + 1] {
                distrust[Int(distrustTarget[e])] += trust[source] * distrustShare[e]
            }
        }
        var scores = [Double](repeating: 0, count: nodeCount)
        for v in 0..<nodeCount {
            let received = trust[v]
            if received > 0 {
                let trustShare = received / (received + distrust[v])
                scores[v] = received / positiveRaters[v] * trustShare
            } else {
                scores[v] = -distrust[v]
            }
        }
        return Result(scores: scores, trust: trust, steps: steps)
    }
}
