import BonafideCore
import Fluent
import Foundation

/// Every pair's current opinion, indexed by viewer and by subject, with the signed network SybilRank walks over them:
/// built once and asked about many pairs. A drain of the trust queue assesses dozens of pairs against the same
/// opinions; rebuilding the network for each pair (and ordering it by the ids' text) was most of a recompute's cost,
/// and grew with the whole network rather than with the pair.
struct TrustNetwork {
    typealias Pair = TrustService.Pair

    private(set) var opinions: [Pair: Opinion]
    /// Viewer → what it thinks of each subject.
    private var given: [UUID: [UUID: Opinion]] = [:]
    /// Subject → who holds an opinion of it.
    private var holders: [UUID: Set<UUID>] = [:]
    /// The organizations SybilRank walks over (those in an opinion with some evidence), numbered in id order so the
    /// walk does not depend on how the opinions were read.
    private let nodes: [UUID: Int32]
    private let rank: SybilRank
    private let ratingsGiven: [Int32: [Int32: Double]]
    /// Each viewer's walk, by its number of steps: the standing of every subject from one viewer is one walk.
    private var walks: [WalkKey: [Double]] = [:]

    private struct WalkKey: Hashable {
        var viewer: Int32
        var steps: Int
    }

    /// An opinion this uncertain is no rating in the walk: it says almost nothing yet.
    static let ratingUncertainty = 0.9

    init(opinions: [Pair: Opinion]) {
        self.opinions = opinions
        for (pair, opinion) in opinions {
            given[pair.viewer, default: [:]][pair.subject] = opinion
            holders[pair.subject, default: []].insert(pair.viewer)
        }
        let rated = opinions.filter { $0.value.uncertainty < Self.ratingUncertainty }
        var ids = Set<UUID>()
        for pair in rated.keys {
            ids.insert(pair.viewer)
            ids.insert(pair.subject)
        }
        var nodes: [UUID: Int32] = [:]
        for (number, id) in ids.map({ ($0.uuidString, $0) }).sorted(by: { $0.0 < $1.0 }).enumerated() {
            nodes[id.1] = Int32(number)
        }
        var sources: [Int32] = []
        var targets: [Int32] = []
        var ratings: [Double] = []
        var ratingsGiven: [Int32: [Int32: Double]] = [:]
        for (pair, opinion) in rated {
            let (s, t) = (nodes[pair.viewer]!, nodes[pair.subject]!)
            let rating = (opinion.expectation * 2 - 1) * 10
            sources.append(s)
            targets.append(t)
            ratings.append(rating)
            if s != t { ratingsGiven[s, default: [:]][t, default: 0] += rating }
        }
        self.nodes = nodes
        self.ratingsGiven = ratingsGiven
        rank = SybilRank(nodeCount: nodes.count, sources: sources, targets: targets, ratings: ratings)
    }

    static func load(on db: any Database) async throws -> TrustNetwork {
        TrustNetwork(opinions: try await TrustOpinions.all(on: db))
    }

    func opinion(_ pair: Pair) -> Opinion? { opinions[pair] }

    /// The organizations that hold an opinion of `subject`.
    func viewers(of subject: UUID) -> Set<UUID> { holders[subject] ?? [] }

    /// The organizations `viewer` holds an opinion of.
    func subjects(of viewer: UUID) -> [UUID] { given[viewer].map { Array($0.keys) } ?? [] }

    /// Records a pair's new opinion for the pairs assessed after it. The walk keeps the opinions it was built from:
    /// a standing moves with the whole network, and the next drain builds it again.
    mutating func update(_ pair: Pair, to opinion: Opinion) {
        opinions[pair] = opinion
        given[pair.viewer, default: [:]][pair.subject] = opinion
        holders[pair.subject, default: []].insert(pair.viewer)
    }

    /// Subjective Logic over one hop: each organization the viewer has an opinion of passes on its opinion of the
    /// subject, discounted by the viewer's trust in it; the results are fused. Then SybilRank over every
    /// organization's opinions, starting at those the viewer trusts, places the subject among all others (a ring
    /// of organizations vouching for each other cannot climb it, as `bonafide trust collusion` measures).
    mutating func network(viewer: UUID, subject: UUID) -> TrustService.Assessment.Network {
        var fused = Opinion.vacuous()
        var intermediaries = 0
        for (intermediary, trustInIntermediary) in given[viewer] ?? [:] where intermediary != subject {
            guard let theirs = given[intermediary]?[subject] else { continue }
            fused = fused.fused(with: trustInIntermediary.discounting(theirs))
            intermediaries += 1
        }
        return .init(opinion: fused, intermediaries: intermediaries, standing: standing(of: subject, from: viewer))
    }

    /// The share of the other organizations in the walk that the subject ranks above, from the viewer's point of
    /// view; nil when the viewer trusts nobody yet.
    private mutating func standing(of subject: UUID, from viewer: UUID) -> Double? {
        guard viewer != subject, let v = nodes[viewer] else { return nil }
        let s = nodes[subject]
        // A subject outside the walk takes part as one more member nobody rates (its walk length counts it).
        let nodeCount = nodes.count + (s == nil ? 1 : 0)
        let steps = max(1, Int(ceil(log2(Double(max(nodeCount, 2))))))
        let key = WalkKey(viewer: v, steps: steps)
        let scores: [Double]
        if let walked = walks[key] {
            scores = walked
        } else {
            guard let start = rank.startVector(weights: ratingsGiven[v] ?? [:]) else { return nil }
            scores = rank.run(start: start, steps: steps).scores
            walks[key] = scores
        }
        let others = nodes.count - 1 - (s == nil ? 0 : 1)
        guard others > 0 else { return nil }
        let subjectScore = s.map { scores[Int($0)] } ?? 0
        // Equal standings stay equal whatever order the walk added them up in.
        let below = subjectScore - 1e-12 * max(1, abs(subjectScore))
        var count = 0
        for node in 0..<nodes.count where node != Int(v) && node != s.map(Int.init) && scores[node] < below { count += 1 }
        return Double(count) / Double(others)
    }
}
