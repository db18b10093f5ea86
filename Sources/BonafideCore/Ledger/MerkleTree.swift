import Crypto
import Foundation

/// RFC 6962 / RFC 9162 Merkle tree hashing: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
public enum Merkle {
    public typealias Hash = [UInt8]

    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    public static func leafHash(_ entry: some DataProtocol) -> Hash {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: entry)
        return Array(h.finalize())
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    /// The largest power of two strictly below n (n > 1): where RFC 6962 splits a tree.
    static func split(_ n: UInt64) -> UInt64 {
        precondition(n > 1)
        return 1 << (63 - (n - 1).leadingZeroBitCount)
    }
}

/// Read access to the hashes of perfect, aligned subtrees: level 0 holds leaf hashes, and the node at
/// (level, index) covers leaves index·2^level ..< (index+1)·2^level. Both the in-memory tree and
/// stored tiles can answer this, so proofs are built the same way from either.
public protocol MerkleNodeSource {
    var size: UInt64 { get }
    func node(level: Int, index: UInt64) throws -> Merkle.Hash
}

public enum MerkleError: Error, Equatable, Sendable, CustomStringConvertible {
    case indexOutOfRange(index: UInt64, size: UInt64)
    case sizeOutOfRange(requested: UInt64, available: UInt64)
    case badRange(from: UInt64, to: UInt64)
    case missingNode(level: Int, index: UInt64)

    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let size): "Entry \(index) is not in a tree of \(size) entries."
        case .sizeOutOfRange(let requested, let available): "The log has \(available) entries; size \(requested) does not exist yet."
        case .badRange(let from, let to): "A consistency proof needs 0 ≤ from ≤ to; got from \(from) to \(to)."
        case .missingNode(let level, let index): "Node \(index) at level \(level) is not stored."
        }
    }
}

extension MerkleNodeSource {
    /// MTH of leaves lo ..< hi: stored when perfect and aligned, otherwise split as RFC 6962 does,
    /// which touches O(log n) stored nodes.
    public func subtreeHash(_ lo: UInt64, _ hi: UInt64) throws -> Merkle.Hash {
        let n = hi - lo
        if n == 0 { return Merkle.emptyRoot }
        if n & (n - 1) == 0, lo % n == 0 {
            return try node(level: n.trailingZeroBitCount, index: lo / n)
        }
        let k = Merkle.split(n)
        return Merkle.nodeHash(try subtreeHash(lo, lo + k), try subtreeHash(lo + k, hi))
    }

    public func root(size: UInt64) throws -> Merkle.Hash {
        guard size <= self.size else { throw MerkleError.sizeOutOfRange(requested: size, available: self.size) }
        return try subtreeHash(0, size)
    }

    /// RFC 9162 §2.1.3.1 PATH(m, D[n]).
    public func inclusionProof(index: UInt64, size: UInt64) throws -> [Merkle.Hash] {
        guard size <= self.size else { throw MerkleError.sizeOutOfRange(requested: size, available: self.size) }
        guard index < size else { throw MerkleError.indexOutOfRange(index: index, size: size) }
        var proof: [Merkle.Hash] = []
        func path(_ m: UInt64, _ lo: UInt64, _ hi: UInt64) throws {
            let n = hi - lo
            if n == 1 { return }
            let k = Merkle.split(n)
            if m < k {
                try path(m, lo, lo + k)
                proof.append(try subtreeHash(lo + k, hi))
            } else {
                try path(m - k, lo + k, hi)
                proof.append(try subtreeHash(lo, lo + k))
            }
        }
        try path(index, 0, size)
        return proof
    }

    /// RFC 9162 §2.1.4.1 PROOF(m, D[n]). From size 0 the proof is empty (see `MerkleVerify.consistency`).
    public func consistencyProof(from m: UInt64, to n: UInt64) throws -> [Merkle.Hash] {
        guard m <= n else { throw MerkleError.badRange(from: m, to: n) }
        guard n <= size else { throw MerkleError.sizeOutOfRange(requested: n, available: size) }
        if m == 0 || m == n { return [] }
        var proof: [Merkle.Hash] = []
        func subproof(_ m: UInt64, _ lo: UInt64, _ hi: UInt64, _ whole: Bool) throws {
            let n = hi - lo
            if m == n {
                if !whole { proof.append(try subtreeHash(lo, hi)) }
                return
            }
            let k = Merkle.split(n)
            if m <= k {
                try subproof(m, lo, lo + k, whole)
                proof.append(try subtreeHash(lo + k, hi))
            } else {
                try subproof(m - k, lo + k, hi, false)
                proof.append(try subtreeHash(lo, lo + k))
            }
        }
        try subproof(m, 0, n, true)
        return proof
    }
}

/// An append-only tree kept in memory: every perfect aligned subtree hash, level by level.
/// Appending costs O(1) amortized and O(log n) at worst; nothing is ever recomputed.
public struct MerkleTree: MerkleNodeSource, Sendable {
    public private(set) var levels: [[Merkle.Hash]] = [[]]

    public init() {}

    public var size: UInt64 { UInt64(levels[0].count) }

    @discardableResult
    public mutating func append(entry: some DataProtocol) -> UInt64 {
        append(leafHash: Merkle.leafHash(entry))
    }

    @discardableResult
    public mutating func append(leafHash: Merkle.Hash) -> UInt64 {
        let index = UInt64(levels[0].count)
        levels[0].append(leafHash)
        var level = 0
        var i = index
        while i & 1 == 1 {
            let parent = Merkle.nodeHash(levels[level][Int(i - 1)], levels[level][Int(i)])
            level += 1
            if levels.count == level { levels.append([]) }
            levels[level].append(parent)
            i >>= 1
        }
        return index
    }

    public func node(level: Int, index: UInt64) throws -> Merkle.Hash {
        guard level < levels.count, index < UInt64(levels[level].count) else { throw MerkleError.missingNode(level: level, index: index) }
        return levels[level][Int(index)]
    }

    public var root: Merkle.Hash { (try? root(size: size)) ?? Merkle.emptyRoot }
}

/// Proof checks (RFC 9162 §2.1.3.2 and §2.1.4.2). They never trap on hostile input: a proof that
/// does not check out returns false.
public enum MerkleVerify {
    public static func inclusion(leafHash: Merkle.Hash, index: UInt64, size: UInt64, proof: [Merkle.Hash], root: Merkle.Hash) -> Bool {
        guard index < size, proof.allSatisfy({ $0.count == 32 }), leafHash.count == 32 else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = Merkle.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = Merkle.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Rule for size 0, as the C2SP witness protocol has it: every tree extends the empty tree, whose
    /// root is SHA-256 of nothing, and the proof from size 0 is empty (a non-empty one is rejected). RFC 9162 leaves size 0 undefined;
    /// transparency-dev/merkle rejects it, so its size-0 vectors are read with this rule.
    public static func consistency(from m: UInt64, to n: UInt64, oldRoot: Merkle.Hash, newRoot: Merkle.Hash, proof: [Merkle.Hash]) -> Bool {
        guard m <= n, proof.allSatisfy({ $0.count == 32 }) else { return false }
        if m == 0 { return proof.isEmpty && oldRoot == Merkle.emptyRoot && (n > 0 || newRoot == Merkle.emptyRoot) }
        if m == n { return proof.isEmpty && oldRoot == newRoot }
        guard !proof.isEmpty else { return false }
        var path = proof
        if m & (m - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = m - 1
        var sn = n - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = Merkle.nodeHash(c, fr)
                sr = Merkle.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = Merkle.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
