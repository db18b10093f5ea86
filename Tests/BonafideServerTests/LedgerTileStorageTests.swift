import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The log's tree is stored as C2SP hash tiles; every proof, root and tile must still be exactly the RFC 6962 tree of
/// the entries, computed here independently with `MerkleTree`.
@Suite("The log stored as tiles")
struct LedgerTileStorageTests {
    func entry(_ id: UUID, _ n: Int) -> LedgerEntry {
        LedgerEntry(
            partnership: id, type: "test.tile", actor: nil, time: Date(timeIntervalSince1970: 1_700_000_000), payload: ["n": "\(n)"])
    }

    /// The tiles a tree is made of: for tile level L, its level-8·L hashes in runs of 256.
    func tiles(of tree: MerkleTree) -> [Ledger.TileKey: [UInt8]] {
        var tiles: [Ledger.TileKey: [UInt8]] = [:]
        for level in stride(from: 0, to: tree.levels.count, by: 8) {
            let hashes = tree.levels[level]
            for start in stride(from: 0, to: hashes.count, by: 256) {
                tiles[Ledger.TileKey(level: level / 8, index: UInt64(start / 256))] =
                    hashes[start..<min(start + 256, hashes.count)].flatMap { $0 }
            }
        }
        return tiles
    }

    struct StoredTile: Decodable {
        var level: Int
        var idx: Int64
        var width: Int
        var hashes: Data
    }

    func storedTiles(of id: UUID, _ app: Application) async throws -> [Ledger.TileKey: [UInt8]] {
        let rows = try await app.db.sql().raw("SELECT level, idx, width, hashes FROM ledger_tiles WHERE partnership_id = \(bind: id)")
            .all(decoding: StoredTile.self)
        #expect(rows.allSatisfy { $0.width * 32 == $0.hashes.count && (1...256).contains($0.width) })
        return Dictionary(uniqueKeysWithValues: rows.map { (Ledger.TileKey(level: $0.level, index: UInt64($0.idx)), Array($0.hashes)) })
    }

    /// Sizes around every boundary a tile or a tile level adds, up to `size`.
    func boundaries(upTo size: UInt64) -> [UInt64] {
        [1, 2, 3, 7, 8, 255, 256, 257, 511, 512, 513, 1_000, 4_096, 65_535, 65_536, 65_537, 65_792, size - 1, size].filter {
            $0 >= 1 && $0 <= size
        }
    }

    @Test func everyNodeIsReadOrHashedUpFromItsTileAndNothingPastTheTree() throws {
        var tree = MerkleTree()
        for n in 0..<70_000 { tree.append(entry: Array("leaf \(n)".utf8)) }
        let expected = tiles(of: tree)
        // Three tile levels: 274 tiles of leaf hashes, two of level 8, one hash of level 16.
        #expect(expected.keys.filter { $0.level == 0 }.count == 274)
        #expect(expected[Ledger.TileKey(level: 1, index: 1)]?.count == (273 - 256) * 32)
        #expect(expected[Ledger.TileKey(level: 2, index: 0)]?.count == 32)
        let source = Ledger.TileSource(size: tree.size, tiles: expected)
        for level in 0..<tree.levels.count {
            let count = tree.levels[level].count
            let sample = Set([0, 1, 2, count / 2, count - 2, count - 1] + Array(stride(from: 0, to: count, by: 97))).filter {
                $0 >= 0 && $0 < count
            }
            for index in sample {
                #expect(try source.node(level: level, index: UInt64(index)) == tree.levels[level][index], "\(level)/\(index)")
            }
            // The next node at this level is not a perfect subtree of this tree yet.
            #expect(throws: MerkleError.missingNode(level: level, index: UInt64(count))) {
                try source.node(level: level, index: UInt64(count))
            }
        }
        for size in boundaries(upTo: tree.size) + [69_999, 12_345, 40_000] {
            #expect(try Ledger.TileSource(size: size, tiles: expected).root(size: size) == tree.root(size: size), "\(size)")
        }
    }

    /// What an append reads (the partial tile of each tile level) and writes (each tile that grew), replayed on a
    /// dictionary standing in for the table.
    @Test func appendsGrowTheTilesExactlyAsTheTreeGrows() throws {
        var tree = MerkleTree()
        var stored: [Ledger.TileKey: [UInt8]] = [:]
        var n = 0
        for batch in [1, 255, 256, 257, 1_000, 63_000, 767, 5_000, 1] {
            let read = Ledger.Edge.partialTiles(tree.size)
            #expect(read.count <= 3)
            var edge = try Ledger.Edge(size: tree.size, tiles: stored.filter { read.contains($0.key) })
            for _ in 0..<batch {
                let leaf = Merkle.leafHash(Array("leaf \(n)".utf8))
                edge.append(leafHash: leaf)
                tree.append(leafHash: leaf)
                n += 1
            }
            let changed = edge.changedTiles
            // Only tiles that grew are written, and a full tile is written once, the time it fills.
            #expect(changed.allSatisfy { stored[$0.key] != $0.value && (stored[$0.key]?.count ?? 0) < 256 * 32 })
            stored.merge(changed) { $1 }
            #expect(edge.size == tree.size)
            #expect(try edge.root() == tree.root, "after \(tree.size)")
            #expect(stored == tiles(of: tree), "after \(tree.size)")
        }
        #expect(tree.size > 65_536)
    }

    @Test func proofsTilesAndRootsFromTheDatabaseAreTheTreeOfTheEntries() async throws {
        try await withTestApp { app in
            let id = try await LedgerBenchmark.partnership(on: app.db)
            var tree = MerkleTree()
            var sizes: [UInt64] = []
            // Odd batches across tile boundaries and into the third tile level (65,536 entries make its first hash).
            for batch in [1, 255, 256, 257, 1_000, 63_000, 4_767, 3] {
                let first = Int(tree.size)
                let entries = (first..<first + batch).map { entry(id, $0) }
                let indices = try await app.db.transaction { try await Ledger.append(contentsOf: entries, partnership: id, on: $0) }
                #expect(indices == (tree.size..<tree.size + UInt64(batch)).map { $0 })
                for e in entries { tree.append(entry: e.canonical) }
                sizes.append(tree.size)
                #expect(try await Ledger.head(of: id, on: app.db).root == tree.root, "after \(tree.size)")
            }
            let size = tree.size
            #expect(try await storedTiles(of: id, app) == tiles(of: tree))

            var indices: Set<UInt64> = [0, 65_536]
            indices.formUnion(boundaries(upTo: size).map { $0 - 1 })
            indices.formUnion(stride(from: 5, to: size, by: 7_919))
            for checked in Set(sizes + boundaries(upTo: size)) {
                let root = try tree.root(size: checked)
                for index in indices where index < checked {
                    let (leaf, proof, served) = try await Ledger.inclusionProof(of: id, index: index, size: checked, on: app.db)
                    #expect(leaf == tree.levels[0][Int(index)] && served == root, "\(index) in \(checked)")
                    #expect(try proof == tree.inclusionProof(index: index, size: checked), "\(index) in \(checked)")
                    #expect(MerkleVerify.inclusion(leafHash: leaf, index: index, size: checked, proof: proof, root: root))
                }
            }
            let consistency = boundaries(upTo: size) + [12_345, 66_000]
            for from in consistency {
                for to in consistency where from <= to {
                    let proof = try await Ledger.consistencyProof(of: id, from: from, to: to, on: app.db)
                    #expect(try proof == tree.consistencyProof(from: from, to: to), "\(from) to \(to)")
                    #expect(
                        try MerkleVerify.consistency(
                            from: from, to: to, oldRoot: tree.root(size: from), newRoot: tree.root(size: to), proof: proof))
                }
            }
            let roots = try await Ledger.roots(of: id, sizes: sizes, on: app.db)
            #expect(try sizes.allSatisfy { try roots[$0] == tree.root(size: $0) })

            // The tile route's bytes: whole tiles, partial widths, and nothing the tree does not have yet.
            func hashes(_ level: Int, _ range: Range<Int>) -> [UInt8] { tree.levels[level][range].flatMap { $0 } }
            #expect(try await Ledger.tile(of: id, level: 0, index: 0, width: 256, on: app.db) == hashes(0, 0..<256))
            #expect(try await Ledger.tile(of: id, level: 0, index: 3, width: 5, on: app.db) == hashes(0, 768..<773))
            let last = Int(size / 256)
            let width = Int(size % 256)
            #expect(
                try await Ledger.tile(of: id, level: 0, index: UInt64(last), width: UInt64(width), on: app.db)
                    == hashes(0, last * 256..<Int(size)))
            #expect(try await Ledger.tile(of: id, level: 0, index: UInt64(last), width: UInt64(width + 1), on: app.db) == nil)
            #expect(try await Ledger.tile(of: id, level: 1, index: 0, width: 256, on: app.db) == hashes(8, 0..<256))
            let level8 = Int(size >> 8)
            #expect(level8 > 256)
            #expect(try await Ledger.tile(of: id, level: 1, index: 1, width: UInt64(level8 - 256), on: app.db) == hashes(8, 256..<level8))
            #expect(try await Ledger.tile(of: id, level: 1, index: 1, width: UInt64(level8 - 255), on: app.db) == nil)
            #expect(try await Ledger.tile(of: id, level: 2, index: 0, width: 1, on: app.db) == hashes(16, 0..<1))
            #expect(try await Ledger.tile(of: id, level: 2, index: 0, width: 2, on: app.db) == nil)
            #expect(try await Ledger.tile(of: id, level: 3, index: 0, width: 1, on: app.db) == nil)
        }
    }

    struct OldNode: Decodable {
        var level: Int
        var idx: Int64
        var hash: String
    }

    /// Builds a log as migration 004 stored it, by hand: entries with a UUID key, every perfect subtree a row in hex.
    func writeOldLayout(_ tree: MerkleTree, entries: [LedgerEntry], of id: UUID, on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: entries.count, by: 500) {
            let insert = sql.insert(into: "ledger_leaves").columns("id", "partnership_id", "idx", "entry")
            for i in start..<min(start + 500, entries.count) {
                insert.values(
                    SQLBind(UUID()), SQLBind(id), SQLBind(Int64(i)), SQLBind(String(decoding: entries[i].canonical, as: UTF8.self)))
            }
            try await insert.run()
        }
        let nodes: [(Int, Int, Merkle.Hash)] = tree.levels.enumerated().flatMap { level, hashes in
            hashes.enumerated().map { (level, $0.offset, $0.element) }
        }
        for start in stride(from: 0, to: nodes.count, by: 500) {
            let insert = sql.insert(into: "ledger_nodes").columns("id", "partnership_id", "level", "idx", "hash")
            for (level, index, hash) in nodes[start..<min(start + 500, nodes.count)] {
                insert.values(SQLBind(UUID()), SQLBind(id), SQLBind(level), SQLBind(Int64(index)), SQLBind(Ledger.hex(hash)))
            }
            try await insert.run()
        }
        try await sql.raw(
            "INSERT INTO ledger_heads (id, size, root) VALUES (\(bind: id), \(bind: Int64(tree.size)), \(bind: Ledger.hex(tree.root)))"
        ).run()
    }

    @Test func theMigrationConvertsNodeRowsToTilesAndBackWithoutLosingAHash() async throws {
        try await withTestApp { app in
            let sql = try app.db.sql()
            let id = try await LedgerBenchmark.partnership(on: app.db)
            var tree = MerkleTree()
            for batch in [300, 400, 70] {
                let first = Int(tree.size)
                let entries = (first..<first + batch).map { entry(id, $0) }
                try await app.db.transaction { _ = try await Ledger.append(contentsOf: entries, partnership: id, on: $0) }
                for e in entries { tree.append(entry: e.canonical) }
            }

            // Reverted, the log is one row per perfect subtree again, every one of them, in hex. Migration 040 first, as
            // a revert in production would: 038's revert runs on entries that are one row each.
            try await BundleLedgerEntries().revert(on: app.db)
            try await StoreLedgerTiles().revert(on: app.db)
            let nodes = try await sql.raw("SELECT level, idx, hash FROM ledger_nodes WHERE partnership_id = \(bind: id)").all(
                decoding: OldNode.self)
            #expect(nodes.count == tree.levels.reduce(0) { $0 + $1.count })
            #expect(nodes.allSatisfy { (try? tree.node(level: $0.level, index: UInt64($0.idx))) == Ledger.bytes($0.hash) })
            #expect(try await Ledger.entries(of: id, start: 0, limit: 1_000, on: app.db).count == Int(tree.size))
            #expect(try await Ledger.rootFromEntries(of: id, size: tree.size, on: app.db) == tree.root)

            // A second log written the old way, then both converted.
            let old = try await LedgerBenchmark.partnership(on: app.db)
            var oldTree = MerkleTree()
            let oldEntries = (0..<600).map { entry(old, $0) }
            for e in oldEntries { oldTree.append(entry: e.canonical) }
            try await writeOldLayout(oldTree, entries: oldEntries, of: old, on: sql)
            try await StoreLedgerTiles().prepare(on: app.db)
            try await BundleLedgerEntries().prepare(on: app.db)

            for (pid, t) in [(id, tree), (old, oldTree)] {
                #expect(try await storedTiles(of: pid, app) == tiles(of: t))
                #expect(try await Ledger.head(of: pid, on: app.db).root == t.root)
                #expect(try await Ledger.rootFromEntries(of: pid, size: t.size, on: app.db) == t.root)
                for index in [0, 255, 256, t.size / 2, t.size - 1] {
                    let (leaf, proof, root) = try await Ledger.inclusionProof(of: pid, index: index, size: t.size, on: app.db)
                    #expect(MerkleVerify.inclusion(leafHash: leaf, index: index, size: t.size, proof: proof, root: root) && root == t.root)
                }
                let proof = try await Ledger.consistencyProof(of: pid, from: 257, to: t.size, on: app.db)
                #expect(try MerkleVerify.consistency(from: 257, to: t.size, oldRoot: t.root(size: 257), newRoot: t.root, proof: proof))
            }
            // The converted log goes on growing where it ended.
            let more = (600..<900).map { entry(old, $0) }
            try await app.db.transaction { _ = try await Ledger.append(contentsOf: more, partnership: old, on: $0) }
            for e in more { oldTree.append(entry: e.canonical) }
            #expect(try await Ledger.head(of: old, on: app.db).root == oldTree.root)
            #expect(try await storedTiles(of: old, app) == tiles(of: oldTree))
        }
    }
}
