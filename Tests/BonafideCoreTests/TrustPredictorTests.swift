import BonafideCore
import Foundation
import Testing

@Suite("Trust prediction")
struct TrustPredictorTests {
    /// Members with a hidden honesty; raters with a hidden generosity; a rating reflects both, plus noise.
    func structuredNetwork(seed: UInt64, noiseOnly: Bool = false) -> SignedNetwork {
        var rng = SplitMix64(seed: seed)
        let members = 400
        let honesty = (0..<members).map { _ in Double.random(in: -1...1, using: &rng) }
        let generosity = (0..<members).map { _ in Double.random(in: -0.3...0.3, using: &rng) }
        var network = SignedNetwork()
        for m in 0..<members { network.addNode("m\(m)") }
        var seen = Set<Int>()
        var time = 1_000_000.0
        while network.edgeCount < 4_000 {
            let s = Int.random(in: 0..<members, using: &rng)
            let t = Int.random(in: 0..<members, using: &rng)
            guard s != t, seen.insert(s * members + t).inserted else { continue }
            let signal =
                noiseOnly ? Double.random(in: -1...1, using: &rng) : honesty[t] + generosity[s] + Double.random(in: -0.3...0.3, using: &rng)
            var rating = (min(1, max(-1, signal)) * 10).rounded()
            if rating == 0 { rating = 1 }
            time += 3_600
            network.addRating(source: "m\(s)", target: "m\(t)", rating: rating, time: time)
        }
        return network
    }

    @Test func learnsWhatTheNetworkKnows() {
        let result = TrustPredictor.crossValidate(structuredNetwork(seed: 1), scale: -10...10, folds: 5)
        #expect(result.pearson > 0.8, "pearson \(result.pearson)")
        #expect(result.rmse < result.baselineRMSE)
        #expect(result.actual.count == 4_000)
    }

    /// If a held-out rating leaked into its own features, pure noise would look predictable.
    @Test func heldOutRatingsNeverLeakIntoTheirPrediction() {
        let result = TrustPredictor.crossValidate(structuredNetwork(seed: 2, noiseOnly: true), scale: -10...10, folds: 5)
        #expect(abs(result.pearson) < 0.08, "pearson on noise \(result.pearson)")
    }

    @Test func predictionsAreInRangeAndNewcomersAreNeutral() {
        let network = structuredNetwork(seed: 3)
        let predictor = TrustPredictor(network: network, scale: -10...10)
        var extended = network
        let stranger = extended.addNode("never-seen")
        let scores = predictor.predict([
            .init(source: 0, target: 1, time: predictor.latestTime), .init(source: 0, target: stranger, time: predictor.latestTime),
        ])
        #expect(scores.allSatisfy { (-1...1).contains($0) })
        #expect(abs(scores[1] - predictor.graph.meanWeight) < 0.35, "a newcomer gets about the network's usual rating")
    }

    @Test func fairnessAndGoodnessMatchAHandComputedCase() throws {
        // a and b rate c +1 and -1; the fixed point makes c's goodness 0 and both raters equally fair (0.5).
        let graph = RatingGraph(nodeCount: 3, sources: [0, 1], targets: [2, 2], weights: [1, -1], times: [0, 0])
        let (fairness, goodness) = graph.fairnessGoodness()
        #expect(abs(goodness[2]) < 1e-9)
        #expect(abs(fairness[0] - 0.5) < 1e-9 && abs(fairness[1] - 0.5) < 1e-9)
    }
}
