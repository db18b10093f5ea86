import BonafideCore
import Foundation
import Testing

@Suite("SybilRank")
struct SybilRankTests {
    /// The rules of `SybilRank` written out plainly over dense matrices, to check the engine against.
    static func reference(nodes n: Int, edges: [(Int, Int, Double)], start: [Double], steps: Int) -> [Double] {
        var net = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for (s, t, r) in edges where s != t { net[s][t] += r }
        var walk = start
        var trust = start
        for _ in 0..<steps {
            var next = [Double](repeating: 0, count: n)
            for s in 0..<n {
                let positiveOut = net[s].filter { $0 > 0 }.reduce(0, +)
                for t in 0..<n where net[s][t] > 0 { next[t] += walk[s] * net[s][t] / positiveOut }
            }
            walk = next
            for v in 0..<n { trust[v] += walk[v] }
        }
        trust = trust.map { $0 / Double(steps + 1) }
        return (0..<n).map { v in
            var distrust = 0.0
            for s in 0..<n where net[s][v] < 0 {
                distrust += trust[s] * -net[s][v] / net[s].map(abs).reduce(0, +)
            }
            let raters = max(1, (0..<n).filter { net[$0][v] > 0 }.count)
            return trust[v] > 0 ? trust[v] / Double(raters) * trust[v] / (trust[v] + distrust) : -distrust
        }
    }

    /// Random signed networks with repeated ratings, self-ratings and members nobody rates.
    @Test func agreesWithThePlainReferenceOnRandomNetworks() {
        var rng = SplitMix64(seed: 42)
        for round in 0..<300 {
            let n = Int.random(in: 2...12, using: &rng)
            let edges = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                (
                    Int.random(in: 0..<n, using: &rng), Int.random(in: 0..<n, using: &rng),
                    Double(Int.random(in: -10...10, using: &rng))
                )
            }
            let rank = SybilRank(
                nodeCount: n, sources: edges.map { Int32($0.0) }, targets: edges.map { Int32($0.1) }, ratings: edges.map(\.2))
            let seeds = (0..<Int.random(in: 1...3, using: &rng)).map { _ in Int32.random(in: 0..<Int32(n), using: &rng) }
            let start = rank.startVector(seeds: seeds)
            let steps = Int.random(in: 1...6, using: &rng)
            let got = rank.run(start: start, steps: steps).scores
            let want = Self.reference(nodes: n, edges: edges, start: start, steps: steps)
            for v in 0..<n {
                #expect(abs(got[v] - want[v]) < 1e-12, "round \(round), node \(v): \(got[v]) vs \(want[v])")
            }
        }
    }

    /// The viewer trusts Ann, Ann trusts Bob, Bob rates nobody: both keep what reached them; Carl, whom only
    /// Ann distrusts, ranks below Dora, whom nobody rates.
    @Test func aChainKeepsWhatReachedItAndDistrustRanksBelowUnknown() {
        var network = SignedNetwork()
        network.addRating(source: "viewer", target: "ann", rating: 10)
        network.addRating(source: "ann", target: "bob", rating: 8)
        network.addRating(source: "ann", target: "carl", rating: -10)
        network.addNode("dora")
        let rank = SybilRank(network: network)
        let start = rank.startVector(weights: network.ratingsGiven(by: network.node("viewer")!))!
        let scores = rank.run(start: start).scores
        let score = { (id: String) in scores[Int(network.node(id)!)] }
        #expect(score("ann") > 0 && score("bob") > 0)
        #expect(score("dora") == 0)
        #expect(score("carl") < score("dora"))
        #expect(rank.startVector(weights: network.ratingsGiven(by: network.node("dora")!)) == nil)
    }

    /// The marketplace of `CollusionTests` with its ring of 50 fakes: no fake reaches the honest median, and the
    /// fakes hold less than their share of the population.
    @Test func aRingOfFakeAccountsGainsNoStanding() {
        var rng = SplitMix64(seed: 2_016)
        var network = SignedNetwork()
        for i in 0..<1_000 { network.addNode("h\(i)") }
        var time = 0.0
        for _ in 0..<8_000 {
            let s = Int.random(in: 0..<1_000, using: &rng)
            let t = Int(1_000 * pow(Double.random(in: 0..<1, using: &rng), 1.5))
            guard s != t else { continue }
            time += 1
            network.addRating(source: "h\(s)", target: "h\(t)", rating: Double(Int.random(in: 1...5, using: &rng)), time: time)
        }
        let fakes = (0..<50).map { "f\($0)" }
        for a in fakes { for b in fakes where a != b { network.addRating(source: a, target: b, rating: 10, time: time + 1) } }
        for k in 0..<3 { network.addRating(source: "h\(900 + k)", target: fakes[k], rating: 10, time: time + 2) }
        let rank = SybilRank(network: network)
        let result = rank.run(start: rank.startVector(seeds: EigenTrust.defaultSeeds(network)))
        let honest = (0..<1_000).map { result.scores[Int(network.node("h\($0)")!)] }.sorted()
        let fakeNodes = fakes.map { Int(network.node($0)!) }
        let bestFake = fakeNodes.map { result.scores[$0] }.max()!
        #expect(bestFake < honest[500], "best fake \(bestFake), honest median \(honest[500])")
        #expect(fakeNodes.map { result.trust[$0] }.reduce(0, +) < 0.01)
        #expect(result.steps == Int(ceil(log2(1_050.0))))
    }
}
