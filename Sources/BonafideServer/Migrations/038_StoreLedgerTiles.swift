import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Each log's tree moves from one row per perfect subtree with its hash in hex (about two rows, each with a UUID key
/// and two indexes, per entry) to C2SP hash tiles as Tessera stores them: one row per 256 raw hashes of a tile level,
/// about 33 bytes per entry in all. Levels between tile levels are no longer stored; proofs hash them up from the tile
/// below. Entries lose their random UUID key: (partnership, index) already names one, and SQLite keeps them in that
/// order inside the table itself instead of in a second index.
struct StoreLedgerTiles: AsyncMigration {
    var name: String { "038_StoreLedgerTiles" }

    struct HeadRow: Decodable {
        var id: UUID
        var size: Int64
    }

    struct NodeRow: Decodable {
        var idx: Int64
        var hash: String
    }

    func prepare(on database: any Database) async throws {
        // One transaction: a conversion cut short leaves the old tables as they were, to be converted on the next start.
        try await database.transaction { tx in
            let sql = try tx.sql()
            let postgres = sql.dialect.name == "postgresql"
            let (int64, blob, clustered) = postgres ? ("BIGINT", "BYTEA", "") : ("INTEGER", "BLOB", " WITHOUT ROWID")
            try await sql.raw(
                """
                CREATE TABLE ledger_tiles (partnership_id UUID NOT NULL REFERENCES partnerships (id), level INTEGER NOT NULL, \
                idx \(unsafeRaw: int64) NOT NULL, width INTEGER NOT NULL, hashes \(unsafeRaw: blob) NOT NULL, \
                PRIMARY KEY (partnership_id, level, idx))\(unsafeRaw: clustered)
                """
            ).run()
            for head in try await sql.raw("SELECT id, size FROM ledger_heads").all(decoding: HeadRow.self) {
                try await Self.convertNodes(of: head.id, size: UInt64(head.size), on: sql)
            }
            try await sql.raw("DROP TABLE ledger_nodes").run()

            try await sql.raw(
                """
                CREATE TABLE ledger_leaves_by_index (partnership_id UUID NOT NULL REFERENCES partnerships (id), \
                idx \(unsafeRaw: int64) NOT NULL, entry TEXT NOT NULL, \
                CONSTRAINT ledger_leaves_key PRIMARY KEY (partnership_id, idx))\(unsafeRaw: clustered)
                """
            ).run()
            try await sql.raw(
                "INSERT INTO ledger_leaves_by_index (partnership_id, idx, entry) SELECT partnership_id, idx, entry FROM ledger_leaves"
            ).run()
            try await sql.raw("DROP TABLE ledger_leaves").run()
            try await sql.raw("ALTER TABLE ledger_leaves_by_index RENAME TO ledger_leaves").run()
        }
    }

    /// Copies a log's nodes at tile levels (0, 8, 16, …) into tiles, 16 tiles a statement. A missing or unreadable
    /// node stops the migration and names it: converting would store a tree that no longer matches its signed root.
    static func convertNodes(of id: UUID, size: UInt64, on sql: any SQLDatabase) async throws {
        for level in 0..<8 {
            let count = size >> UInt64(level * 8)
            if count == 0 { break }
            var next: UInt64 = 0
            while next < count {
                let end = min(next + 16 * 256, count)
                let rows = try await sql.raw(
                    "SELECT idx, hash FROM ledger_nodes WHERE partnership_id = \(bind: id) AND level = \(bind: level * 8) AND idx >= \(bind: Int64(next)) AND idx < \(bind: Int64(end)) ORDER BY idx"
                ).all(decoding: NodeRow.self)
                var tiles: [Ledger.TileKey: [UInt8]] = [:]
                for (offset, row) in rows.enumerated() {
                    let index = next + UInt64(offset)
                    let hash = Ledger.bytes(row.hash)
                    guard row.idx == Int64(index), hash.count == 32 else { throw unreadable(id, level: level * 8, index: index) }
                    tiles[Ledger.TileKey(level: level, index: index / 256), default: []] += hash
                }
                guard rows.count == Int(end - next) else { throw unreadable(id, level: level * 8, index: next + UInt64(rows.count)) }
                try await Ledger.write(tiles: tiles, of: id, on: sql)
                next = end
            }
        }
    }

    static func unreadable(_ id: UUID, level: Int, index: UInt64) -> Problem {
        Problem(
            .internalServerError,
            "Cannot store the log of partnership \(id.uuidString) as tiles: its node \(level)/\(index) is missing or not a hash.")
    }

    func revert(on database: any Database) async throws {
        try await database.transaction { tx in
            let sql = try tx.sql()
            try await tx.schema("ledger_nodes")
                .id()
                .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
                .field("level", .int, .required)
                .field("idx", .int64, .required)
                .field("hash", .string, .required)
                .unique(on: "partnership_id", "level", "idx")
                .create()
            for head in try await sql.raw("SELECT id, size FROM ledger_heads").all(decoding: HeadRow.self) {
                try await Self.restoreNodes(of: head.id, on: sql)
            }
            try await sql.raw("DROP TABLE ledger_tiles").run()

            try await tx.schema("ledger_leaves_old")
                .id()
                .field("partnership_id", .uuid, .required, .references("partnerships", "id"))
                .field("idx", .int64, .required)
                .field("entry", .string, .required)
                .unique(on: "partnership_id", "idx")
                .create()
            // A fresh key per entry, written as each database stores UUIDs (SQLite: the uppercase text form).
            let newID =
                sql.dialect.name == "postgresql"
                ? "gen_random_uuid()"
                : "hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))"
            try await sql.raw(
                """
                INSERT INTO ledger_leaves_old (id, partnership_id, idx, entry) \
                SELECT \(unsafeRaw: newID), partnership_id, idx, entry FROM ledger_leaves
                """
            ).run()
            try await sql.raw("DROP TABLE ledger_leaves").run()
            try await sql.raw("ALTER TABLE ledger_leaves_old RENAME TO ledger_leaves").run()
        }
    }

    /// Writes back every perfect subtree a log's tiles hold: each tile level's hashes as stored and the seven levels
    /// above them hashed up inside each tile (the eighth is the next tile level's), 16 tiles at a time.
    static func restoreNodes(of id: UUID, on sql: any SQLDatabase) async throws {
        for level in 0..<8 {
            var next: Int64 = 0
            while true {
                let rows = try await sql.raw(
                    "SELECT level, idx, hashes FROM ledger_tiles WHERE partnership_id = \(bind: id) AND level = \(bind: level) AND idx >= \(bind: next) ORDER BY idx LIMIT 16"
                ).all(decoding: Ledger.TileRow.self)
                guard let last = rows.last else { break }
                var nodes: [(level: Int, index: UInt64, hash: Merkle.Hash)] = []
                for row in rows {
                    var hashes = Array(row.hashes)
                    var first = UInt64(row.idx) * 256
                    for j in 0..<8 {
                        let count = hashes.count / 32
                        for k in 0..<count { nodes.append((level * 8 + j, first + UInt64(k), Array(hashes[k * 32..<k * 32 + 32]))) }
                        hashes = (0..<count / 2).flatMap { k in
                            Merkle.nodeHash(Array(hashes[k * 64..<k * 64 + 32]), Array(hashes[k * 64 + 32..<k * 64 + 64]))
                        }
                        first /= 2
                    }
                }
                for start in stride(from: 0, to: nodes.count, by: 500) {
                    let insert = sql.insert(into: "ledger_nodes").columns("id", "partnership_id", "level", "idx", "hash")
                    for node in nodes[start..<min(start + 500, nodes.count)] {
                        insert.values(
                            SQLBind(UUID()), SQLBind(id), SQLBind(node.level), SQLBind(Int64(node.index)), SQLBind(Ledger.hex(node.hash)))
                    }
                    try await insert.run()
                }
                next = last.idx + 1
            }
        }
    }
}
