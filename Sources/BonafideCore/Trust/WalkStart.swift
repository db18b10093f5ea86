/// Where a trust walk starts: the distribution over nodes that `EigenTrust` restarts at and `SybilRank` starts from.
public enum WalkStart {
    /// Trust split evenly among the seeds; all nodes alike when none of them is a node.
    public static func seeds(_ seeds: [Int32], nodeCount: Int) -> [Double] {
        let unique = Set(seeds.filter { $0 >= 0 && Int($0) < nodeCount })
        guard !unique.isEmpty else { return [Double](repeating: 1 / Double(max(nodeCount, 1)), count: nodeCount) }
        var vector = [Double](repeating: 0, count: nodeCount)
        for s in unique { vector[Int(s)] = 1 / Double(unique.count) }
        return vector
    }

    /// Trust split in proportion to the positive weights (a viewer's own ratings); nil when none is positive, since
    /// a viewer who trusts nobody has no point of view to walk from.
    public static func weights(_ weights: [Int32: Double], nodeCount: Int) -> [Double]? {
        let positive = weights.filter { $0.value > 0 && $0.key >= 0 && Int($0.key) < nodeCount }
        let total = positive.values.reduce(0, +)
        guard total > 0 else { return nil }
        var vector = [Double](repeating: 0, count: nodeCount)
        for (node, weight) in positive { vector[Int(node)] = weight / total }
        return vector
    }
}
