import Foundation

/// Personalized trust through a network of opinions: what one organization may think of others it never dealt
/// with, from what those it trusts think of them, a hop at a time.
///
/// ```swift
/// let reach = TrustPropagation.personalized(from: "me", opinions: ["me": ["ann": good], "ann": ["bob": good]])
/// reach["bob"]?.opinion   // Ann's opinion of Bob, discounted by mine of Ann
/// ```
///
/// Rules, each with its reason: an organization is reached at the smallest depth it can be (a direct opinion is
/// never diluted by hearsay); at each depth the opinions of every intermediary one level closer are discounted by
/// the trust in that intermediary and fused, so two independent vouchers count more than one; distrust in an
/// intermediary turns its word into uncertainty, never into disbelief (Jøsang's uncertainty-favouring
/// discounting); the depth is bounded, so the work is at most the edges within it.
public enum TrustPropagation {
    public struct Voucher<Node: Hashable & Sendable>: Sendable {
        public var node: Node
        /// The root's trust in the voucher.
        public var trustInVoucher: Opinion
        /// The voucher's own opinion of the organization reached.
        public var opinion: Opinion
        /// What the voucher's word is worth to the root.
        public var weight: Double { trustInVoucher.discounting(opinion).belief }
    }

    public struct Reach<Node: Hashable & Sendable>: Sendable {
        public var opinion: Opinion
        /// 1 for the root's own opinion, 2 for a friend's, and so on.
        public var depth: Int
        /// Who vouches, strongest first (empty at depth 1).
        public var vouchers: [Voucher<Node>]
    }

    public static func personalized<Node: Hashable & Sendable & Comparable>(
        from root: Node, opinions: [Node: [Node: Opinion]], maxDepth: Int = 3
    ) -> [Node: Reach<Node>] {
        var reached: [Node: Reach<Node>] = [:]
        for (node, opinion) in opinions[root] ?? [:] where node != root {
            reached[node] = Reach(opinion: opinion, depth: 1, vouchers: [])
        }
        var frontier = reached.keys.sorted()
        var depth = 2
        while depth <= maxDepth, !frontier.isEmpty {
            var next: [Node: Reach<Node>] = [:]
            for voucher in frontier {
                guard let trust = reached[voucher]?.opinion, trust.belief > 0 else { continue }
                for (node, opinion) in opinions[voucher] ?? [:] where node != root && reached[node] == nil {
                    let heard = trust.discounting(opinion)
                    var entry = next[node] ?? Reach(opinion: .vacuous(), depth: depth, vouchers: [])
                    entry.opinion = entry.opinion.fused(with: heard)
                    entry.vouchers.append(Voucher(node: voucher, trustInVoucher: trust, opinion: opinion))
                    next[node] = entry
                }
            }
            for (node, var entry) in next {
                entry.vouchers.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.node < $1.node }
                reached[node] = entry
            }
            frontier = next.keys.sorted()
            depth += 1
        }
        return reached
    }
}
