import BonafideCore
import Foundation

extension Ledger {
    /// The right edge of the tree while entries are appended: the last, partial tile of each tile level, grown in
    /// memory. A tile that fills up is kept to be written once, full, and its root goes into the tile level above,
    /// so appending k entries hashes about 2k times and reads and writes only the tiles it touches.
    struct Edge {
        private(set) var size: UInt64
        /// Per tile level from 0: the index of its partial tile and the hashes it has so far (none just after one filled).
        private var partial: [(index: UInt64, hashes: [UInt8])] = []
        private var filled: [TileKey: [UInt8]] = [:]
        private var grown = Set<Int>()

        /// The partial tiles a tree of `size` leaves ends with: all an append reads.
        static func partialTiles(_ size: UInt64) -> [TileKey] {
            (0..<8).compactMap { level in
                let count = size >> UInt64(level * 8)
                return count % 256 == 0 ? nil : TileKey(level: level, index: count / 256)
            }
        }

        /// The edge of a tree of `size` leaves from its partial tiles (`partialTiles(size)`, read from storage).
        init(size: UInt64, tiles: [TileKey: [UInt8]]) throws {
            self.size = size
            for level in 0..<8 {
                let count = size >> UInt64(level * 8)
                if count == 0 { break }
                let key = TileKey(level: level, index: count / 256)
                let width = Int(count % 256)
                var hashes: [UInt8] = []
                if width > 0 {
                    guard let stored = tiles[key], stored.count >= width * 32 else {
                        throw Problem(.internalServerError, "The log is missing tile \(level)/\(key.index).")
                    }
                    hashes = Array(stored.prefix(width * 32))
                }
                partial.append((key.index, hashes))
            }
        }

        mutating func append(leafHash: Merkle.Hash) {
            push(leafHash, level: 0)
            size += 1
        }

        private mutating func push(_ hash: Merkle.Hash, level: Int) {
            if partial.count == level { partial.append((0, [])) }
            partial[level].hashes.append(contentsOf: hash)
            guard partial[level].hashes.count == 256 * 32 else {
                grown.insert(level)
                return
            }
            let full = partial[level]
            filled[TileKey(level: level, index: full.index)] = full.hashes
            partial[level] = (full.index + 1, [])
            grown.remove(level)
            // Tile level 7 holds tree level 56: a full tile there would be a tree of 2^64 leaves.
            if level < 7 { push(Ledger.perfectRoot(full.hashes[...]), level: level + 1) }
        }

        /// Every tile that gained hashes: the ones that filled up and the partial ones that grew.
        var changedTiles: [TileKey: [UInt8]] {
            var tiles = filled
            for level in grown { tiles[TileKey(level: level, index: partial[level].index)] = partial[level].hashes }
            return tiles
        }

        /// The partial tiles of the tree so far, as `init(size:tiles:)` reads them for the next append.
        var partialTileHashes: [TileKey: [UInt8]] {
            var tiles: [TileKey: [UInt8]] = [:]
            for (level, tile) in partial.enumerated() where !tile.hashes.isEmpty {
                tiles[TileKey(level: level, index: tile.index)] = tile.hashes
            }
            return tiles
        }

        /// The root of the tree so far: the perfect subtrees it is made of all lie in the partial tiles.
        func root() throws -> Merkle.Hash {
            try TileSource(size: size, tiles: partialTileHashes).root(size: size)
        }
    }
}
