import BonafideCore
import Crypto
import Foundation
import SQLKit

/// The tree is stored as C2SP tlog-tiles hash tiles, as Tessera stores it: tile (L, N) holds up to 256 hashes of
/// tree level 8·L from index N·256 on, as one blob of raw 32-byte hashes. A partial tile is rewritten as it grows;
/// a full one never changes. The levels between tile levels are hashed up from the tile below when a proof needs
/// them: a node at level 8·L + j covers 2^j consecutive hashes of one tile.
extension Ledger {
    struct TileKey: Hashable, Comparable {
        var level: Int
        var index: UInt64

        static func < (a: TileKey, b: TileKey) -> Bool { (a.level, a.index) < (b.level, b.index) }
    }

    struct TileRow: Decodable {
        var level: Int
        var idx: Int64
        var hashes: Data
    }

    /// Tiles per statement: 64 full tiles are half a megabyte of binds.
    static let tilesPerStatement = 64

    /// The tile a node is read from or hashed up from.
    static func tileKey(level: Int, index: UInt64) -> TileKey {
        TileKey(level: level / 8, index: index >> UInt64(8 - level % 8))
    }

    /// Where the 2^j hashes under a node at level 8·L + j start in its tile, in hashes.
    static func offsetInTile(level: Int, index: UInt64) -> Int {
        let j = level % 8
        return Int(index & ((1 << UInt64(8 - j)) - 1)) << j
    }

    private static let nodePrefix: [UInt8] = [0x01]

    /// The root of a perfect subtree from its 2^j hashes laid end to end, hashed up in place in one buffer: proofs
    /// hash up to 127 pairs per node they read between tile levels, so no pair allocates.
    static func perfectRoot(_ hashes: ArraySlice<UInt8>) -> Merkle.Hash {
        var buffer = Array(hashes)
        var count = buffer.count / 32
        while count > 1 {
            for k in 0..<count / 2 {
                var sha = SHA256()
                sha.update(data: nodePrefix)
                buffer.withUnsafeBytes { sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[k * 64..<k * 64 + 64])) }
                let digest = sha.finalize()
                // The pair at k·64 was read before its parent overwrites k·32; later pairs lie beyond it.
                buffer.withUnsafeMutableBytes { out in
                    digest.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[k * 32..<k * 32 + 32]).copyMemory(from: $0) }
                }
            }
            count /= 2
        }
        return Array(buffer.prefix(32))
    }

    /// Reads tiles by key, one indexed point lookup each joined with UNION ALL (an OR of conditions would make SQLite
    /// scan the partnership's tiles), chunked so no statement grows without bound.
    static func tiles(_ keys: [TileKey], of id: UUID, on sql: any SQLDatabase) async throws -> [TileKey: [UInt8]] {
        var result: [TileKey: [UInt8]] = [:]
        var seen = Set<TileKey>()
        let keys = keys.filter { seen.insert($0).inserted }
        for chunk in stride(from: 0, to: keys.count, by: 64).map({ Array(keys[$0..<min($0 + 64, keys.count)]) }) {
            var query = SQLQueryString("")
            for (i, key) in chunk.enumerated() {
                if i > 0 { query.appendLiteral(" UNION ALL ") }
                query.appendInterpolation(
                    "SELECT level, idx, hashes FROM ledger_tiles WHERE partnership_id = \(bind: id) AND level = \(bind: key.level) AND idx = \(bind: Int64(key.index))"
                        as SQLQueryString)
            }
            for row in try await sql.raw(query).all(decoding: TileRow.self) {
                result[TileKey(level: row.level, index: UInt64(row.idx))] = Array(row.hashes)
            }
        }
        return result
    }

    /// Writes tiles whole: a new one is inserted, a grown partial one replaced (`ON CONFLICT … DO UPDATE` on both
    /// databases). Each key appears once per statement, as PostgreSQL requires of an upsert.
    static func write(tiles: [TileKey: [UInt8]], of id: UUID, on sql: any SQLDatabase) async throws {
        var writes = CombinedWrites()
        add(tiles: tiles, of: id, on: sql, to: &writes)
        try await writes.run(on: sql)
    }

    /// `write(tiles:)`'s statements, added to writes sent together.
    static func add(tiles: [TileKey: [UInt8]], of id: UUID, on sql: any SQLDatabase, to writes: inout CombinedWrites) {
        let rows = tiles.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: rows.count, by: tilesPerStatement) {
            let insert = sql.insert(into: "ledger_tiles").columns("partnership_id", "level", "idx", "width", "hashes")
            for (key, hashes) in rows[start..<min(start + tilesPerStatement, rows.count)] {
                insert.values(SQLBind(id), SQLBind(key.level), SQLBind(Int64(key.index)), SQLBind(hashes.count / 32), SQLBind(Data(hashes)))
            }
            insert.onConflict(with: ["partnership_id", "level", "idx"]) { conflict in
                conflict.set(excludedValueOf: "width").set(excludedValueOf: "hashes")
            }
            writes.add(insert.query)
        }
    }
}
