import Dispatch
import Foundation

/// Global and personalized reputation over a signed network: EigenTrust with distrust.
///
/// ```swift
/// let rank = EigenTrust(network: network)
/// let result = rank.run(restart: rank.restartVector(seeds: [0, 3]))
/// result.scores[2]   // trust minus distrust of node 2, as seen from the seeds
/// ```
///
/// - Positive ratings are trust: each rater splits its trust among those it rated positively, in proportion to
///   the ratings (EigenTrust's normalized local trust). The walk restarts at the seeds (pre-trusted peers, or a
///   viewer's own trusted set) with probability `restart`, and a peer that trusts nobody defers to the seeds,
///   so trust can only flow into a ring of fake accounts through the few real edges that reach it.
/// - Negative ratings are distrust, not dropped: after the walk, a rater's standing times its share of
///   negative rating is subtracted from the rated node (one step, as in Guha et al. 2004: distrust is not
///   transitive, "the enemy of my enemy" is not a friend).
/// - The iteration is a Gauss-Seidel sweep within each thread's block of nodes (Jacobi between blocks), swept in breadth-first order, so it
///   uses every core, needs about half the sweeps of a power iteration and gives the same answer for the same
///   thread count. It stops when the L1 change of a sweep is below `tolerance`; scores then sum to 1.
public final class EigenTrust {
    public struct Options: Sendable {
        /// The probability of jumping back to the seeds at each step (0.15 = damping 0.85).
        public var restart = 0.15
        public var tolerance = 1e-10
        public var maxIterations = 10_000
        public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        public init() {}
    }

    public struct Result: Sendable {
        /// Standing: trust minus distrust. Higher is more trustworthy.
        public var scores: [Double]
        /// The stationary trust of the walk (sums to 1).
        public var trust: [Double]
        public var distrust: [Double]
        public var iterations: Int
        public var converged: Bool
    }

    public let nodeCount: Int
    /// Internal numbering: `order[internal]` is the caller's node, `label[node]` its internal number.
    let order: [Int32]
    let label: [Int32]
    public private(set) var edgeCount: Int
    let threads: Int
    /// Block b owns nodes blockStart[b]..<blockStart[b + 1].
    var blockStart: [Int]
    // In-edges of each node, split into those whose source is in the same block (read fresh, Gauss-Seidel)
    // and those from other blocks (read from the previous sweep, so blocks never race).
    var innerOffset: [Int]
    var innerSource: [Int32]
    var innerWeight: [Float]
    var outerOffset: [Int]
    var outerSource: [Int32]
    var outerWeight: [Float]
    var positiveOut: [Double]
    var absoluteOut: [Double]
    // Distrust edges grouped by target.
    var distrustOffset: [Int]
    var distrustSource: [Int32]
    var distrustWeight: [Float]

    public convenience init(network: SignedNetwork, threads: Int = Options().threads) {
        self.init(
            nodeCount: network.nodeCount, sources: network.sources, targets: network.targets, ratings: network.ratings,
            threads: threads)
    }

    public init(
        nodeCount: Int, sources originalSources: [Int32], targets originalTargets: [Int32], ratings: [Double],
        threads: Int = Options().threads
    ) {
        self.nodeCount = nodeCount
        self.threads = max(1, min(threads, 64))
        let order = Self.sweepOrder(nodeCount: nodeCount, sources: originalSources, targets: originalTargets, ratings: ratings)
        var label = [Int32](repeating: 0, count: nodeCount)
        for (new, old) in order.enumerated() { label[Int(old)] = Int32(new) }
        self.order = order
        self.label = label
        let sources = originalSources.map { label[Int($0)] }
        let targets = originalTargets.map { label[Int($0)] }
        var positiveOut = [Double](repeating: 0, count: nodeCount)
        var absoluteOut = [Double](repeating: 0, count: nodeCount)
        var inDegree = [Int](repeating: 0, count: nodeCount + 1)
        var distrustCount = [Int](repeating: 0, count: nodeCount + 1)
        var edges = 0
        for e in sources.indices {
            let s = Int(sources[e])
            let t = Int(targets[e])
            let r = ratings[e]
            if s == t || r == 0 { continue }
            absoluteOut[s] += abs(r)
            if r > 0 {
                positiveOut[s] += r
                inDegree[t] += 1
                edges += 1
            } else {
                distrustCount[t] += 1
            }
        }
        self.edgeCount = edges
        // Blocks of consecutive nodes with about the same number of in-edges each.
        let blocks = nodeCount < 10_000 ? 1 : self.threads
        var blockStart = [0]
        if blocks > 1 {
            let share = max(1, (edges + nodeCount) / blocks)
            var running = 0
            for v in 0..<nodeCount {
                running += inDegree[v] + 1
                if running >= share * blockStart.count && blockStart.count < blocks { blockStart.append(v + 1) }
            }
        }
        blockStart.append(nodeCount)
        var blockOf = [Int32](repeating: 0, count: nodeCount)
        for b in 0..<(blockStart.count - 1) {
            for v in blockStart[b]..<blockStart[b + 1] { blockOf[v] = Int32(b) }
        }
        var innerOffset = [Int](repeating: 0, count: nodeCount + 1)
        var outerOffset = [Int](repeating: 0, count: nodeCount + 1)
        for e in sources.indices where ratings[e] > 0 && sources[e] != targets[e] {
            let t = Int(targets[e])
            if blockOf[Int(sources[e])] == blockOf[t] { innerOffset[t + 1] += 1 } else { outerOffset[t + 1] += 1 }
        }
        for v in 0..<nodeCount {
            innerOffset[v + 1] += innerOffset[v]
            outerOffset[v + 1] += outerOffset[v]
        }
        var innerSource = [Int32](repeating: 0, count: innerOffset[nodeCount])
        var innerWeight = [Float](repeating: 0, count: innerOffset[nodeCount])
        var outerSource = [Int32](repeating: 0, count: outerOffset[nodeCount])
        var outerWeight = [Float](repeating: 0, count: outerOffset[nodeCount])
        var innerFill = innerOffset
        var outerFill = outerOffset
        var distrustOffset = [Int](repeating: 0, count: nodeCount + 1)
        for v in 0..<nodeCount { distrustOffset[v + 1] = distrustOffset[v] + distrustCount[v] }
        var distrustSource = [Int32](repeating: 0, count: distrustOffset[nodeCount])
        var distrustWeight = [Float](repeating: 0, count: distrustOffset[nodeCount])
        var distrustFill = distrustOffset
        for e in sources.indices {
            let s = sources[e]
            let t = Int(targets[e])
            let r = ratings[e]
            if Int(s) == t || r == 0 { continue }
            if r > 0 {
                if blockOf[Int(s)] == blockOf[t] {
                    innerSource[innerFill[t]] = s
                    innerWeight[innerFill[t]] = Float(r)
                    innerFill[t] += 1
                } else {
                    outerSource[outerFill[t]] = s
                    outerWeight[outerFill[t]] = Float(r)
                    outerFill[t] += 1
                }
            } else {
                distrustSource[distrustFill[t]] = s
                distrustWeight[distrustFill[t]] = Float(-r)
                distrustFill[t] += 1
            }
        }
        self.blockStart = blockStart
        self.innerOffset = innerOffset
        self.innerSource = innerSource
        self.innerWeight = innerWeight
        self.outerOffset = outerOffset
        self.outerSource = outerSource
        self.outerWeight = outerWeight
        self.positiveOut = positiveOut
        self.absoluteOut = absoluteOut
        self.distrustOffset = distrustOffset
        self.distrustSource = distrustSource
        self.distrustWeight = distrustWeight
    }

    /// The order nodes are swept in: breadth-first along trust edges, starting from the busiest unvisited member.
    /// Raters then mostly come before those they rate, so a Gauss-Seidel sweep passes fresh values forward
    /// (fewer sweeps), and neighbours sit close together in memory (fewer cache misses), which is what bounds
    /// a sweep.
    static func sweepOrder(nodeCount: Int, sources: [Int32], targets: [Int32], ratings: [Double]) -> [Int32] {
        var start = [Int](repeating: 0, count: nodeCount + 1)
        var degree = [Int32](repeating: 0, count: nodeCount)
        for e in sources.indices where ratings[e] > 0 && sources[e] != targets[e] {
            start[Int(sources[e]) + 1] += 1
            degree[Int(sources[e])] &+= 1
            degree[Int(targets[e])] &+= 1
        }
        for v in 0..<nodeCount { start[v + 1] += start[v] }
        var next = [Int32](repeating: 0, count: start[nodeCount])
        var fill = start
        for e in sources.indices where ratings[e] > 0 && sources[e] != targets[e] {
            next[fill[Int(sources[e])]] = targets[e]
            fill[Int(sources[e])] += 1
        }
        let byDegree = (0..<Int32(nodeCount)).sorted { (a: Int32, b: Int32) -> Bool in
            let da = degree[Int(a)]
            let db = degree[Int(b)]
            return da != db ? da > db : a < b
        }
        var visited = [Bool](repeating: false, count: nodeCount)
        var order: [Int32] = []
        order.reserveCapacity(nodeCount)
        for root in byDegree where !visited[Int(root)] {
            visited[Int(root)] = true
            var head = order.count
            order.append(root)
            while head < order.count {
                let v = Int(order[head])
                head += 1
                for k in start[v]..<start[v + 1] where !visited[Int(next[k])] {
                    visited[Int(next[k])] = true
                    order.append(next[k])
                }
            }
        }
        return order
    }

    /// A restart distribution spread evenly over the given nodes (all nodes when there are none).
    public func restartVector(seeds: [Int32]) -> [Double] {
        let unique = Set(seeds.filter { $0 >= 0 && Int($0) < nodeCount })
        guard !unique.isEmpty else { return [Double](repeating: 1 / Double(max(nodeCount, 1)), count: nodeCount) }
        var vector = [Double](repeating: 0, count: nodeCount)
        for s in unique { vector[Int(s)] = 1 / Double(unique.count) }
        return vector
    }

    /// A restart distribution in proportion to the given positive weights (a viewer's own ratings).
    public func restartVector(weights: [Int32: Double]) -> [Double]? {
        let positive = weights.filter { $0.value > 0 && $0.key >= 0 && Int($0.key) < nodeCount }
        let total = positive.values.reduce(0, +)
        guard total > 0 else { return nil }
        var vector = [Double](repeating: 0, count: nodeCount)
        for (node, weight) in positive { vector[Int(node)] = weight / total }
        return vector
    }

    /// Adds one positive or negative rating in place, for an incremental update followed by a warm `run`.
    public func insert(source originalSource: Int32, target originalTarget: Int32, rating: Double) {
        guard originalSource != originalTarget, rating != 0, Int(originalSource) < nodeCount, Int(originalTarget) < nodeCount,
            originalSource >= 0, originalTarget >= 0
        else { return }
        let source = label[Int(originalSource)]
        let target = label[Int(originalTarget)]
        let s = Int(source)
        let t = Int(target)
        absoluteOut[s] += abs(rating)
        if rating < 0 {
            distrustSource.insert(source, at: distrustOffset[t + 1])
            distrustWeight.insert(Float(-rating), at: distrustOffset[t + 1])
            for v in (t + 1)...nodeCount { distrustOffset[v] += 1 }
            return
        }
        positiveOut[s] += rating
        edgeCount += 1
        if block(of: s) == block(of: t) {
            innerSource.insert(source, at: innerOffset[t + 1])
            innerWeight.insert(Float(rating), at: innerOffset[t + 1])
            for v in (t + 1)...nodeCount { innerOffset[v] += 1 }
        } else {
            outerSource.insert(source, at: outerOffset[t + 1])
            outerWeight.insert(Float(rating), at: outerOffset[t + 1])
            for v in (t + 1)...nodeCount { outerOffset[v] += 1 }
        }
    }

    private func block(of node: Int) -> Int {
        var b = 0
        while node >= blockStart[b + 1] { b += 1 }
        return b
    }

    /// Runs the walk to convergence. `warmStart` (a previous `trust`) makes an update after a few new ratings
    /// take a fraction of the sweeps of a cold start.
    public func run(restart: [Double], options: Options = Options(), warmStart: [Double]? = nil) -> Result {
        let n = nodeCount
        guard n > 0 else { return Result(scores: [], trust: [], distrust: [], iterations: 0, converged: true) }
        precondition(restart.count == n, "restart vector must have one entry per node")
        let damping = 1 - options.restart
        let restart = order.map { restart[Int($0)] }
        var x = warmStart.map { start in start.count == n ? order.map { start[Int($0)] } : restart } ?? restart
        var inverseOut = [Double](repeating: 0, count: n)
        var danglingNodes: [Int32] = []
        for v in 0..<n {
            if positiveOut[v] > 0 { inverseOut[v] = 1 / positiveOut[v] } else { danglingNodes.append(Int32(v)) }
        }
        var y = [Double](repeating: 0, count: n)
        for v in 0..<n { y[v] = x[v] * inverseOut[v] }
        var previousY = y
        let blocks = blockStart.count - 1
        var blockChange = [Double](repeating: 0, count: blocks)
        var iterations = 0
        var converged = false
        var dangling = danglingNodes.reduce(0.0) { $0 + x[Int($1)] }
        while iterations < options.maxIterations {
            iterations += 1
            let danglingMass = dangling
            x.withUnsafeMutableBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    previousY.withUnsafeMutableBufferPointer { previousY in
                        blockChange.withUnsafeMutableBufferPointer { blockChange in
                            sweep(
                                x: x, y: y, previousY: previousY, change: blockChange, restart: restart, inverseOut: inverseOut,
                                damping: damping, danglingMass: danglingMass)
                        }
                    }
                }
            }
            dangling = danglingNodes.reduce(0.0) { $0 + x[Int($1)] }
            if blockChange.reduce(0, +) < options.tolerance {
                converged = true
                break
            }
        }
        let total = x.reduce(0, +)
        if total > 0 { for v in 0..<n { x[v] /= total } }
        var distrust = [Double](repeating: 0, count: n)
        var scores = x
        for t in 0..<n {
            var sum = 0.0
            for k in distrustOffset[t]..<distrustOffset[t + 1] {
                let s = Int(distrustSource[k])
                sum += x[s] * Double(distrustWeight[k]) / absoluteOut[s]
            }
            distrust[t] = sum
            scores[t] -= sum
        }
        return Result(
            scores: label.map { scores[Int($0)] }, trust: label.map { x[Int($0)] }, distrust: label.map { distrust[Int($0)] },
            iterations: iterations, converged: converged)
    }

    /// Raw views of the arrays one sweep reads and writes. Unchecked because blocks run in parallel: each block
    /// writes only its own nodes' entries of x, y and previousY, and reads other blocks only from previousY,
    /// which nobody writes until every block has finished its sweep.
    private struct SweepBuffers: @unchecked Sendable {
        var x, y, previousY, change: UnsafeMutablePointer<Double>
        var innerOffset, outerOffset: UnsafePointer<Int>
        var innerSource, outerSource: UnsafePointer<Int32>
        var innerWeight, outerWeight: UnsafePointer<Float>
        var restart, inverseOut: UnsafePointer<Double>
        var blockStart: [Int]
        var damping, danglingMass: Double

        func sweep(block b: Int) {
            var delta = 0.0
            for v in blockStart[b]..<blockStart[b + 1] {
                var sum = 0.0
                var k = innerOffset[v]
                let innerEnd = innerOffset[v + 1]
                while k < innerEnd {
                    sum += y[Int(innerSource[k])] * Double(innerWeight[k])
                    k += 1
                }
                k = outerOffset[v]
                let outerEnd = outerOffset[v + 1]
                while k < outerEnd {
                    sum += previousY[Int(outerSource[k])] * Double(outerWeight[k])
                    k += 1
                }
                let value = damping * (sum + danglingMass * restart[v]) + (1 - damping) * restart[v]
                delta += abs(value - x[v])
                x[v] = value
                y[v] = value * inverseOut[v]
            }
            change[b] = delta
        }

        func publish(block b: Int) {
            let range = blockStart[b]..<blockStart[b + 1]
            (previousY + range.lowerBound).update(from: y + range.lowerBound, count: range.count)
        }
    }

    private func sweep(
        x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>, previousY: UnsafeMutableBufferPointer<Double>,
        change: UnsafeMutableBufferPointer<Double>, restart: [Double], inverseOut: [Double], damping: Double, danglingMass: Double
    ) {
        innerOffset.withUnsafeBufferPointer { innerOffset in
            innerSource.withUnsafeBufferPointer { innerSource in
                innerWeight.withUnsafeBufferPointer { innerWeight in
                    outerOffset.withUnsafeBufferPointer { outerOffset in
                        outerSource.withUnsafeBufferPointer { outerSource in
                            outerWeight.withUnsafeBufferPointer { outerWeight in
                                restart.withUnsafeBufferPointer { restart in
                                    inverseOut.withUnsafeBufferPointer { inverseOut in
                                        let buffers = SweepBuffers(
                                            x: x.baseAddress!, y: y.baseAddress!, previousY: previousY.baseAddress!,
                                            change: change.baseAddress!, innerOffset: innerOffset.baseAddress!,
                                            outerOffset: outerOffset.baseAddress!,
                                            innerSource: innerSource.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                            outerSource: outerSource.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                            innerWeight: innerWeight.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                            outerWeight: outerWeight.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                            restart: restart.baseAddress!, inverseOut: inverseOut.baseAddress!,
                                            blockStart: blockStart, damping: damping, danglingMass: danglingMass)
                                        let blocks = blockStart.count - 1
                                        if blocks == 1 {
                                            buffers.sweep(block: 0)
                                        } else {
                                            DispatchQueue.concurrentPerform(iterations: blocks) { buffers.sweep(block: $0) }
                                            DispatchQueue.concurrentPerform(iterations: blocks) { buffers.publish(block: $0) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Seeds for a network that names none: its founders. They are the members with the most distinct positive
    /// raters among the earliest tenth of the ratings (all ratings when the file has no times), 1% of the
    /// members, at least 1 and at most 100. Accounts that join later, rings of fakes included, cannot make
    /// themselves seeds.
    public static func defaultSeeds(_ network: SignedNetwork) -> [Int32] {
        let n = network.nodeCount
        guard n > 0 else { return [] }
        // The tenth-percentile time from an even sample: sorting ten million times would cost more than ranking.
        let stride = max(1, network.edgeCount / 100_000)
        let sample = Swift.stride(from: 0, to: network.edgeCount, by: stride).map { network.times[$0] }.sorted()
        let cutoff = sample.isEmpty ? 0 : sample[sample.count / 10]
        var raters: [Int32: Set<Int32>] = [:]
        var distrusted = Set<Int32>()
        for e in 0..<network.edgeCount where network.times[e] <= cutoff && network.sources[e] != network.targets[e] {
            if network.ratings[e] > 0 {
                raters[network.targets[e], default: []].insert(network.sources[e])
            } else if network.ratings[e] < 0 {
                distrusted.insert(network.targets[e])
            }
        }
        let count = min(100, max(1, n / 100))
        let ranked = raters.filter { !distrusted.contains($0.key) }.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }
        let seeds = ranked.prefix(count).map(\.key)
        return seeds.isEmpty ? [network.sources.first ?? 0] : seeds
    }
}
