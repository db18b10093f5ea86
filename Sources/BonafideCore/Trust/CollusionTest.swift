import Foundation

/// How well the network's trust resists a collusion ring: fake accounts rating each other +10, attached to a real
/// network by a few ratings from honest members. Honest members (rated by at least 5, at least 80% positively)
/// should rank above every fake by standing from the network's founders: `SybilRank` (what the server uses) and, for
/// comparison, `EigenTrust`.
///
/// ```swift
/// let r = CollusionTest.run(otc, fakes: 300, attackEdges: 10)
/// r.sybilRank.auc          // the chance an honest member ranks above a fake
/// r.sybilRank.fakesInTop   // fakes among the best `top` members
/// ```
public enum CollusionTest {
    public struct Result: Sendable {
        public var honest: Int
        public var fakes: Int
        public var attackEdges: Int
        public var top: Int
        public var sybilRank: Ranking
        public var eigenTrust: Ranking
        /// The AUC by the naive score the attack targets: the mean rating received.
        public var aucByMeanRating: Double
    }

    /// How one ranking placed honest members and fakes.
    public struct Ranking: Sendable {
        public var auc: Double
        public var fakesInTop: Int
        /// The best rank (1 = highest standing) any fake reaches.
        public var bestFakeRank: Int
    }

    /// Adds `fakes` accounts, each rating `ringDegree` others of the ring +10, and `attackEdges` ratings of +10
    /// from random honest members to random fakes, after every real rating; then ranks everyone.
    public static func run(
        _ base: SignedNetwork, fakes: Int = 300, ringDegree: Int = 20, attackEdges: Int = 10, top: Int = 1_000, seed: UInt64 = 1
    ) -> Result {
        var rng = SplitMix64(seed: seed)
        var network = base
        let real = base.nodeCount
        var received = [Int](repeating: 0, count: real), positive = [Int](repeating: 0, count: real)
        var sum = [Double](repeating: 0, count: real)
        for e in 0..<base.edgeCount where base.sources[e] != base.targets[e] {
            let t = Int(base.targets[e])
            received[t] += 1
            sum[t] += base.ratings[e]
            if base.ratings[e] > 0 { positive[t] += 1 }
        }
        let honest = (0..<real).filter { received[$0] >= 5 && Double(positive[$0]) >= 0.8 * Double(received[$0]) }
        var time = (base.times.max() ?? 0) + 1
        let names = (0..<fakes).map { "collusion-fake-\($0)" }
        for name in names { _ = network.addNode(name) }
        for (i, name) in names.enumerated() {
            for k in 1...min(ringDegree, fakes - 1) {
                network.addRating(source: name, target: names[(i + k) % fakes], rating: 10, time: time)
                time += 1
            }
        }
        for _ in 0..<attackEdges {
            let from = base.nodeIDs[honest[Int(rng.next() % UInt64(honest.count))]]
            network.addRating(source: from, target: names[Int(rng.next() % UInt64(fakes))], rating: 10, time: time)
            time += 1
        }
        let seeds = EigenTrust.defaultSeeds(network)
        let fakeNodes = names.map { Int(network.node($0)!) }
        let positives = honest.map { _ in true } + fakeNodes.map { _ in false }
        func ranking(_ scores: [Double]) -> Ranking {
            let ranked = (0..<network.nodeCount).sorted { scores[$0] > scores[$1] }
            let fakeSet = Set(fakeNodes)
            return Ranking(
                auc: Metrics.rocAUC(scores: honest.map { scores[$0] } + fakeNodes.map { scores[$0] }, positives: positives),
                fakesInTop: ranked.prefix(top).filter { fakeSet.contains($0) }.count,
                bestFakeRank: (ranked.firstIndex { fakeSet.contains($0) } ?? ranked.count) + 1)
        }
        let sybilRank = SybilRank(network: network)
        let eigenTrust = EigenTrust(network: network)
        // Fakes' mean received rating is 10 (or nearly): the naive score puts them first.
        let means = honest.map { sum[$0] / Double(received[$0]) } + fakeNodes.map { _ in 10.0 }
        return Result(
            honest: honest.count, fakes: fakes, attackEdges: attackEdges, top: top,
            sybilRank: ranking(sybilRank.run(start: sybilRank.startVector(seeds: seeds)).scores),
            eigenTrust: ranking(eigenTrust.run(restart: eigenTrust.restartVector(seeds: seeds)).scores),
            aucByMeanRating: Metrics.rocAUC(scores: means, positives: positives))
    }
}
