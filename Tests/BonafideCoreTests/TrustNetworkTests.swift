import BonafideCore
import Foundation
import Testing

/// A plain dense power iteration of the same walk, written for clarity, to check the fast engine against.
func referenceTrust(nodes: Int, edges: [(Int, Int, Double)], restart r: [Double], damping: Double) -> [Double] {
    var out = [Double](repeating: 0, count: nodes)
    for (s, t, w) in edges where w > 0 && s != t { out[s] += w }
    var x = r
    for _ in 0..<2_000 {
        var next = [Double](repeating: 0, count: nodes)
        var dangling = 0.0
        for v in 0..<nodes where out[v] == 0 { dangling += x[v] }
        for (s, t, w) in edges where w > 0 && s != t { next[t] += damping * x[s] * w / out[s] }
        for v in 0..<nodes { next[v] += (damping * dangling + (1 - damping)) * r[v] }
        let change = zip(next, x).map { abs($0 - $1) }.reduce(0, +)
        x = next
        if change < 1e-15 { break }
    }
    let total = x.reduce(0, +)
    return x.map { $0 / total }
}

func randomNetwork(nodes: Int, edges: Int, negativeShare: Double, seed: UInt64) -> SignedNetwork {
    var rng = SplitMix64(seed: seed)
    var network = SignedNetwork()
    for v in 0..<nodes { network.addNode("n\(v)") }
    for e in 0..<edges {
        let s = Int.random(in: 0..<nodes, using: &rng)
        // A skewed choice of target, as in real networks: a few members are rated a lot.
        let t = Int(Double(nodes) * pow(Double.random(in: 0..<1, using: &rng), 2))
        let negative = Double.random(in: 0..<1, using: &rng) < negativeShare
        let rating = negative ? -Double(Int.random(in: 1...10, using: &rng)) : Double(Int.random(in: 1...10, using: &rng))
        network.addRating(source: "n\(s)", target: "n\(t)", rating: rating, time: Double(e))
    }
    return network
}

@Suite("Signed network files")
struct SignedNetworkParseTests {
    @Test func readsSNAPLinesInOrderOfFirstAppearance() throws {
        let text = "# comment\n6,2,4,1289241911.72836\r\n\n2,6,-10,1289241912\n 7 , 2 , 1 , 1e9 \nalice,bob,3\n"
        let network = try SignedNetwork.parse(Array(text.utf8))
        #expect(network.nodeIDs == ["6", "2", "7", "alice", "bob"])
        #expect(network.ratings == [4, -10, 1, 3])
        #expect(network.sources == [0, 1, 2, 3])
        #expect(network.targets == [1, 0, 1, 4])
        #expect(abs(network.times[0] - 1_289_241_911.72836) < 1e-4)
        #expect(network.times[2] == 1e9)
        #expect(network.times[3] == 0)
    }

    @Test func leadingZerosAreDifferentIds() throws {
        let network = try SignedNetwork.parse(Array("007,7,1,0\n".utf8))
        #expect(network.nodeIDs == ["007", "7"])
    }

    @Test(arguments: [
        ("1,2,5,1\n1,2\n", "line 2: expected SOURCE,TARGET,RATING,TIME but found 2 fields"),
        ("1,2,five,1\n", "line 1: RATING \"five\" is not a number"),
        ("1,2,11,1\n", "line 1: RATING \"11\" is outside the scale -10 to 10"),
        ("1,2,3,yesterday\n", "line 1: TIME \"yesterday\" is not a number"),
        ("\n\n,2,3,4\n", "line 3: SOURCE is empty"),
        ("1,2,3,4,5\n", "line 1: expected SOURCE,TARGET,RATING,TIME but found 5 fields"),
        ("1,2,nan,4\n", "line 1: RATING \"nan\" is not a number"),
    ])
    func refusesBadLinesWithTheirNumber(text: String, message: String) {
        #expect(throws: SignedNetwork.ParseError.self) { try SignedNetwork.parse(Array(text.utf8)) }
        do {
            _ = try SignedNetwork.parse(Array(text.utf8))
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func otherScalesAreAccepted() throws {
        let network = try SignedNetwork.parse(Array("1,2,-1\n2,1,1\n".utf8), ratingRange: -1...1)
        #expect(network.ratings == [-1, 1])
        #expect(throws: SignedNetwork.ParseError.self) { try SignedNetwork.parse(Array("1,2,5\n".utf8), ratingRange: -1...1) }
    }
}

@Suite("EigenTrust")
struct EigenTrustTests {
    @Test func matchesAPlainPowerIterationOnOneAndTwoThreads() {
        for (nodes, threads) in [(300, 1), (12_000, 2)] {
            let network = randomNetwork(nodes: nodes, edges: nodes * 6, negativeShare: 0.1, seed: UInt64(nodes))
            let engine = EigenTrust(network: network, threads: threads)
            let seeds: [Int32] = [0, 5, 9]
            var options = EigenTrust.Options()
            options.tolerance = 1e-13
            let result = engine.run(restart: engine.restartVector(seeds: seeds), options: options)
            var restart = [Double](repeating: 0, count: nodes)
            for s in seeds { restart[Int(s)] = 1.0 / 3 }
            let edges = (0..<network.edgeCount).map { (Int(network.sources[$0]), Int(network.targets[$0]), network.ratings[$0]) }
            let expected = referenceTrust(nodes: nodes, edges: edges, restart: restart, damping: 0.85)
            let error = zip(result.trust, expected).map { abs($0 - $1) }.reduce(0, +)
            #expect(result.converged)
            #expect(error < 1e-9, "L1 error \(error) with \(nodes) nodes on \(threads) threads")
            #expect(abs(result.trust.reduce(0, +) - 1) < 1e-12)
        }
    }

    @Test func distrustIsSubtractedNotDropped() throws {
        // s trusts a and b equally; s also distrusts b.
        let network = try SignedNetwork.parse(Array("s,a,10,1\ns,b,10,2\ns,b,-10,3\n".utf8))
        let engine = EigenTrust(network: network, threads: 1)
        let result = engine.run(restart: engine.restartVector(seeds: [network.node("s")!]))
        let a = Int(network.node("a")!)
        let b = Int(network.node("b")!)
        #expect(abs(result.trust[a] - result.trust[b]) < 1e-12)
        #expect(result.distrust[b] > 0)
        #expect(result.distrust[a] == 0)
        #expect(result.scores[b] < result.scores[a])
    }

    @Test func membersWhoTrustNobodyDeferToTheSeeds() throws {
        // d rates nobody: its share goes back to the seed, not evenly to everyone (c would get some otherwise).
        let network = try SignedNetwork.parse(Array("s,d,10,1\nc,s,1,2\n".utf8))
        let engine = EigenTrust(network: network, threads: 1)
        let result = engine.run(restart: engine.restartVector(seeds: [network.node("s")!]))
        #expect(result.trust[Int(network.node("c")!)] == 0)
        #expect(result.trust[Int(network.node("s")!)] > result.trust[Int(network.node("d")!)])
    }

    @Test func incrementalUpdateAgreesWithAFullRecompute() {
        let network = randomNetwork(nodes: 15_000, edges: 90_000, negativeShare: 0.05, seed: 7)
        let engine = EigenTrust(network: network, threads: 2)
        let restart = engine.restartVector(seeds: [1, 2, 3])
        let before = engine.run(restart: restart)
        engine.insert(source: 42, target: 4_242, rating: 10)
        engine.insert(source: 43, target: 4_242, rating: -10)
        let warm = engine.run(restart: restart, warmStart: before.trust)
        var extended = network
        extended.addRating(source: "n42", target: "n4242", rating: 10)
        extended.addRating(source: "n43", target: "n4242", rating: -10)
        let fresh = EigenTrust(network: extended, threads: 2).run(restart: restart)
        let difference = zip(warm.scores, fresh.scores).map { abs($0 - $1) }.reduce(0, +)
        #expect(difference < 1e-9)
        #expect(warm.iterations < fresh.iterations)
        #expect(warm.trust[4_242] > before.trust[4_242])
    }

    @Test func defaultSeedsAreEarlyWellRatedMembers() throws {
        var network = SignedNetwork()
        for i in 0..<200 { network.addNode("\(i)") }
        // Early on, 0 and 1 are rated by many; later, 150 collects more raters than anyone.
        for r in 2..<40 {
            network.addRating(source: "\(r)", target: "0", rating: 5, time: Double(r))
            network.addRating(source: "\(r)", target: "1", rating: 5, time: Double(r) + 0.5)
        }
        for r in 40..<200 where r != 150 { network.addRating(source: "\(r)", target: "150", rating: 10, time: 1_000 + Double(r)) }
        for r in 40..<200 { network.addRating(source: "\(r)", target: "\(r - 1)", rating: 1, time: 5_000 + Double(r)) }
        let seeds = EigenTrust.defaultSeeds(network).map { network.nodeIDs[Int($0)] }
        #expect(seeds == ["0", "1"])
    }
}

@Suite("Collusion")
struct CollusionTests {
    /// An honest marketplace, then a ring of 50 fake accounts rating each other +10, attached by 3 ratings from
    /// honest members who traded with them once.
    @Test func aRingOfFakeAccountsGainsNoStanding() throws {
        var rng = SplitMix64(seed: 2_016)
        var network = SignedNetwork()
        let honest = 1_000
        var time = 0.0
        for i in 0..<honest { network.addNode("h\(i)") }
        for _ in 0..<8_000 {
            let s = Int.random(in: 0..<honest, using: &rng)
            let t = Int(Double(honest) * pow(Double.random(in: 0..<1, using: &rng), 1.5))
            guard s != t else { continue }
            let rating =
                Double.random(in: 0..<1, using: &rng) < 0.1
                ? -Double(Int.random(in: 1...10, using: &rng)) : Double(Int.random(in: 1...5, using: &rng))
            time += 1
            network.addRating(source: "h\(s)", target: "h\(t)", rating: rating, time: time)
        }
        let fakes = (0..<50).map { "f\($0)" }
        for a in fakes {
            for b in fakes where a != b {
                time += 1
                network.addRating(source: a, target: b, rating: 10, time: time)
            }
        }
        for k in 0..<3 {
            time += 1
            network.addRating(source: "h\(900 + k)", target: fakes[k], rating: 10, time: time)
        }
        let engine = EigenTrust(network: network)
        let seeds = EigenTrust.defaultSeeds(network)
        #expect(seeds.allSatisfy { network.nodeIDs[Int($0)].hasPrefix("h") })
        let result = engine.run(restart: engine.restartVector(seeds: seeds))
        let fakeNodes = fakes.map { Int(network.node($0)!) }
        let honestScores = (0..<honest).map { result.scores[Int(network.node("h\($0)")!)] }.sorted()
        let medianHonest = honestScores[honest / 2]
        let bestFake = fakeNodes.map { result.scores[$0] }.max()!
        let fakeShare = fakeNodes.map { result.trust[$0] }.reduce(0, +)
        let betterThanBestFake = honestScores.filter { $0 > bestFake }.count
        // The naive figure the attack targets: the average rating received.
        var received: [Int: (Double, Double)] = [:]
        for e in 0..<network.edgeCount {
            received[Int(network.targets[e]), default: (0, 0)].0 += network.ratings[e]
            received[Int(network.targets[e]), default: (0, 0)].1 += 1
        }
        let average = { (v: Int) in received[v].map { $0.0 / $0.1 } ?? 0 }
        let honestAverages = (0..<honest).map { average(Int(network.node("h\($0)")!)) }
        let fakesOnTopByAverage = fakeNodes.filter { f in honestAverages.allSatisfy { $0 < average(f) } }.count
        print(
            "collusion: 50 fakes (2,450 ratings among themselves, 3 from honest members) vs 1,000 honest members: "
                + "fakes' total trust \(String(format: "%.5f", fakeShare)) (population share 0.048); best fake "
                + "\(String(format: "%.2e", bestFake)) vs honest median \(String(format: "%.2e", medianHonest)); "
                + "\(betterThanBestFake) honest members rank above every fake; by average rating received "
                + "\(fakesOnTopByAverage) of 50 fakes outrank every honest member")
        #expect(fakesOnTopByAverage == 50, "the attack must fool the naive average, or it tests nothing")
        #expect(bestFake < medianHonest)
        #expect(fakeShare < 0.01)
    }
}

@Suite("Collusion test")
struct CollusionTestTests {
    /// The measurement itself, on an honest marketplace: the ring fools the mean rating received completely, and
    /// standing from the founders keeps honest members above fakes, SybilRank's at least as well as EigenTrust's.
    @Test func aRingFoolsTheMeanRatingButNotTheStanding() {
        var rng = SplitMix64(seed: 7)
        var network = SignedNetwork()
        for i in 0..<2_000 { _ = network.addNode("h\(i)") }
        var time = 0.0
        for _ in 0..<20_000 {
            let s = Int.random(in: 0..<2_000, using: &rng), t = Int(2_000 * pow(Double.random(in: 0..<1, using: &rng), 1.5))
            guard s != t else { continue }
            time += 1
            network.addRating(source: "h\(s)", target: "h\(t)", rating: Double(Int.random(in: 1...10, using: &rng)), time: time)
        }
        let r = CollusionTest.run(network, fakes: 100, ringDegree: 10, attackEdges: 5, top: 100)
        #expect(r.fakes == 100 && r.attackEdges == 5 && r.honest > 500)
        #expect(r.aucByMeanRating < 0.05, "the attack must fool the naive score, or it tests nothing")
        #expect(r.eigenTrust.auc > 0.9, "AUC \(r.eigenTrust.auc)")
        #expect(r.eigenTrust.fakesInTop <= 5 && r.eigenTrust.bestFakeRank > 1)
        #expect(r.sybilRank.auc > 0.98 && r.sybilRank.auc >= r.eigenTrust.auc, "AUC \(r.sybilRank.auc)")
        #expect(r.sybilRank.fakesInTop == 0, "\(r.sybilRank.fakesInTop) fakes in the top 100")
    }
}

@Suite("Subjective Logic")
struct OpinionTests {
    @Test func evidenceMapsToBeliefDisbeliefUncertainty() {
        let opinion = Opinion(positive: 8, negative: 0)
        #expect(abs(opinion.belief - 0.8) < 1e-12)
        #expect(abs(opinion.uncertainty - 0.2) < 1e-12)
        #expect(abs(opinion.expectation - 0.9) < 1e-12)
        #expect(Opinion(positive: 0, negative: 0) == .vacuous())
        let evidence = Opinion(positive: 3, negative: 1).evidence
        #expect(abs(evidence.positive - 3) < 1e-12 && abs(evidence.negative - 1) < 1e-12)
    }

    @Test func fusionAddsEvidenceAndDiscountingAddsUncertainty() {
        let fused = Opinion(positive: 3, negative: 1).fused(with: Opinion(positive: 2, negative: 2))
        let expected = Opinion(positive: 5, negative: 3)
        #expect(abs(fused.belief - expected.belief) < 1e-12 && abs(fused.uncertainty - expected.uncertainty) < 1e-12)
        let distrusted = Opinion(positive: 0, negative: 10)
        let hearsay = distrusted.discounting(Opinion(positive: 10, negative: 0))
        #expect(hearsay.belief == 0 && hearsay.disbelief == 0 && hearsay.uncertainty == 1)
        let trusted = Opinion(belief: 0.9, disbelief: 0, uncertainty: 0.1)
        let passed = trusted.discounting(Opinion(belief: 0.5, disbelief: 0.3, uncertainty: 0.2))
        #expect(abs(passed.belief - 0.45) < 1e-12 && abs(passed.disbelief - 0.27) < 1e-12)
        #expect(abs(passed.belief + passed.disbelief + passed.uncertainty - 1) < 1e-12)
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test func handComputedFigures() {
        #expect(abs(Metrics.rmse([1, 2, 3], [1, 2, 5]) - (4.0 / 3).squareRoot()) < 1e-12)
        #expect(abs(Metrics.pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12)
        #expect(abs(Metrics.pearson([1, 2, 3], [3, 2, 1]) + 1) < 1e-12)
        #expect(Metrics.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        // Positives 0.9, 0.4; negatives 0.5, 0.1: of 4 pairs, 3 ordered right.
        #expect(Metrics.rocAUC(scores: [0.9, 0.4, 0.5, 0.1], positives: [true, true, false, false]) == 0.75)
        #expect(Metrics.rocAUC(scores: [1, 1], positives: [true, false]) == 0.5)
        let folds = Metrics.folds(count: 103, k: 10)
        #expect(folds.count == 10 && Set(folds.flatMap { $0 }).count == 103 && folds.allSatisfy { (10...11).contains($0.count) })
    }
}
