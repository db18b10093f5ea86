import BonafideCore
import Foundation

extension Ledger {
    /// The tree's nodes from loaded tiles: a node at a tile level is read as stored, one between tile levels is
    /// hashed up from the 2^j hashes under it in its tile, and only while all of them are there (a perfect subtree).
    final class TileSource: MerkleNodeSource, @unchecked Sendable {
        // @unchecked: used by one task, for one proof, root or append.
        let size: UInt64
        let tiles: [TileKey: [UInt8]]
        /// A root and its proof often share nodes between tile levels: each is hashed up once.
        private var hashedUp: [NodeKey: Merkle.Hash] = [:]

        init(size: UInt64, tiles: [TileKey: [UInt8]]) {
            self.size = size
            self.tiles = tiles
        }

        func node(level: Int, index: UInt64) throws -> Merkle.Hash {
            guard (0..<64).contains(level) else { throw MerkleError.missingNode(level: level, index: index) }
            let count = 1 << (level % 8)
            let offset = Ledger.offsetInTile(level: level, index: index)
            guard let tile = tiles[Ledger.tileKey(level: level, index: index)], tile.count >= (offset + count) * 32 else {
                throw MerkleError.missingNode(level: level, index: index)
            }
            if count == 1 { return Array(tile[offset * 32..<offset * 32 + 32]) }
            let key = NodeKey(level: level, index: index)
            if let known = hashedUp[key] { return known }
            let hash = Ledger.perfectRoot(tile[offset * 32..<(offset + count) * 32])
            hashedUp[key] = hash
            return hash
        }
    }
}
