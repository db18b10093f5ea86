import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Each partnership's append-only log (RFC 6962 tree): its entries, sealed ones 256 to a compressed row
/// (`ledger_bundles`, see Ledger+Bundles) and the last, partial bundle's one row each (`ledger_leaves`), its tree as C2SP
/// hash tiles (`ledger_tiles`, see Ledger+Tiles), and its size and root (`ledger_heads`).
enum Ledger {
    struct Head: Sendable {
        var size: UInt64
        var root: Merkle.Hash
    }

    static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    /// Stored hashes are written by `hex`; a corrupted one decodes to nothing and fails every proof.
    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

    struct HeadRow: Decodable {
        var size: Int64
        var root: String
    }

    /// Appends an entry inside the caller's transaction; returns its index. On PostgreSQL the head row
    /// is locked, so concurrent appends to one partnership serialize and never share an index.
    @discardableResult
    static func append(_ entry: LedgerEntry, partnership id: UUID, on tx: any Database) async throws -> UInt64 {
        try await append(contentsOf: [entry], partnership: id, on: tx)[0]
    }

    /// Appends entries in order inside the caller's transaction (one transaction for many entries is
    /// group commit). Reads the head and the partial tile of each tile level (`rightEdge`), hashes the new
    /// entries into those tiles in memory, and writes leaves, the bundles they seal (`seal`) and tiles in multi-row
    /// statements: a fixed number of statements per 500 entries, whatever the size of the log.
    @discardableResult
    static func append(contentsOf entries: [LedgerEntry], partnership id: UUID, on tx: any Database) async throws -> [UInt64] {
        let sql = try tx.sql()
        var writes = CombinedWrites()
        let append = try await append(contentsOf: entries, partnership: id, on: sql, into: &writes)
        try await writes.run(on: sql)
        append.written()
        return append.indices
    }

    /// The same, its writes added to `writes` for the caller to send (on PostgreSQL after the head's lock, which this
    /// takes): the indices the entries get, and what to call once the writes ran.
    static func append(
        contentsOf entries: [LedgerEntry], partnership id: UUID, on sql: any SQLDatabase, into writes: inout CombinedWrites
    ) async throws -> (indices: [UInt64], written: () -> Void) {
        guard !entries.isEmpty else { return ([], {}) }
        let (head, partial) = try await rightEdge(of: id, on: sql)
        let start = UInt64(head?.size ?? 0)
        var edge = try Edge(size: start, tiles: partial)
        let encoded = entries.map { $0.canonical }
        for bytes in encoded { edge.append(leafHash: Merkle.leafHash(bytes)) }
        let root = try edge.root()
        // Every write of the append in one statement on PostgreSQL, where each round trip holds the head's lock.
        let loose = try await seal(encoded, from: start, of: id, on: sql, into: &writes)
        // Chunked so no statement exceeds SQLite's or PostgreSQL's bind-parameter limits.
        for first in stride(from: loose, to: encoded.count, by: 500) {
            let insert = sql.insert(into: "ledger_leaves").columns("partnership_id", "idx", "entry")
            for j in first..<min(first + 500, encoded.count) {
                insert.values(SQLBind(id), SQLBind(Int64(start) + Int64(j)), SQLBind(String(decoding: encoded[j], as: UTF8.self)))
            }
            writes.add(insert.query)
        }
        add(tiles: edge.changedTiles, of: id, on: sql, to: &writes)
        if head == nil {
            writes.add(
                "INSERT INTO ledger_heads (id, size, root) VALUES (\(bind: id), \(bind: Int64(edge.size)), \(bind: hex(root)))"
                    as SQLQueryString)
        } else {
            writes.add(
                "UPDATE ledger_heads SET size = \(bind: Int64(edge.size)), root = \(bind: hex(root)) WHERE id = \(bind: id)"
                    as SQLQueryString)
        }
        let indices = entries.indices.map { start + UInt64($0) }
        guard sql.dialect.name == "postgresql" else { return (indices, {}) }
        let tiles = edge.partialTileHashes
        let size = edge.size
        let rootHex = hex(root)
        return (indices, { EdgeMemo.shared.remember(tiles, of: id, size: size, root: rootHex) })
    }

    /// One row of `rightEdge`'s read on SQLite: the head, or one of its partial tiles.
    struct EdgeRow: Decodable {
        var size: Int64?
        var root: String?
        var level: Int?
        var idx: Int64?
        var hashes: Data?
    }

    /// The head (nil for an empty log) and the partial tiles of each tile level that an append grows
    /// (`Edge.partialTiles`). On SQLite in one statement: appends run on the one writer, where every statement waits
    /// its turn, and nothing else writes between the head and its tiles. A tile level's partial tile is found from
    /// the head's size inside the statement (tile index = size >> 8·(level+1)); a level whose tile holds nothing yet
    /// finds no row, as it has none. On PostgreSQL the head is locked first, so concurrent appends serialize, and the
    /// tiles are read after the lock in a second statement, which sees what the previous holder committed (FOR UPDATE
    /// is not allowed with UNION, and one statement's snapshot would predate the lock); that second statement is
    /// skipped when this server made the head it found (`EdgeMemo`).
    static func rightEdge(of id: UUID, on sql: any SQLDatabase) async throws -> (head: HeadRow?, tiles: [TileKey: [UInt8]]) {
        guard sql.dialect.name == "sqlite" else {
            let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            let locked = try await sql.raw("SELECT size, root FROM ledger_heads WHERE id = \(bind: id)\(unsafeRaw: lock)").first(
                decoding: HeadRow.self)
            if let locked, let known = EdgeMemo.shared.partialTiles(of: id, size: UInt64(locked.size), root: locked.root) {
                return (locked, known)
            }
            let grown = try await tiles(Edge.partialTiles(UInt64(locked?.size ?? 0)), of: id, on: sql)
            return (locked, grown)
        }
        var query: SQLQueryString =
            "SELECT size, root, NULL AS level, NULL AS idx, NULL AS hashes FROM ledger_heads WHERE id = \(bind: id)"
        for level in 0..<8 {
            query.appendInterpolation(
                """
                 UNION ALL SELECT NULL, NULL, level, idx, hashes FROM ledger_tiles WHERE partnership_id = \(bind: id) \
                AND level = \(bind: level) AND idx = (SELECT size >> \(bind: 8 * (level + 1)) FROM ledger_heads WHERE id = \(bind: id))
                """ as SQLQueryString)
        }
        var head: HeadRow?
        var partial: [TileKey: [UInt8]] = [:]
        for row in try await sql.raw(query).all(decoding: EdgeRow.self) {
            if let size = row.size, let root = row.root {
                head = HeadRow(size: size, root: root)
            } else if let level = row.level, let idx = row.idx, let hashes = row.hashes {
                partial[TileKey(level: level, index: UInt64(idx))] = Array(hashes)
            }
        }
        return (head, partial)
    }

    struct NodeKey: Hashable {
        var level: Int
        var index: UInt64
    }

    static func head(of id: UUID, on db: any Database) async throws -> Head {
        let row = try await db.sql().raw("SELECT size, root FROM ledger_heads WHERE id = \(bind: id)").first(decoding: HeadRow.self)
        return row.map { Head(size: UInt64($0.size), root: bytes($0.root)) } ?? Head(size: 0, root: Merkle.emptyRoot)
    }

    /// Records which nodes a proof needs, so the tiles holding them can be read in one query and the proof built again.
    final class Recorder: MerkleNodeSource, @unchecked Sendable {
        // @unchecked: used by one task, for one proof.
        let size: UInt64
        var wanted: [(Int, UInt64)] = []
        init(size: UInt64) { self.size = size }
        func node(level: Int, index: UInt64) throws -> Merkle.Hash {
            wanted.append((level, index))
            return Merkle.emptyRoot
        }
    }

    static func withNodes<T>(of id: UUID, size: UInt64, on db: any Database, _ build: (any MerkleNodeSource) throws -> T) async throws -> T
    {
        let recorder = Recorder(size: size)
        _ = try build(recorder)
        // The proof and the root share tiles: each is read once.
        let loaded = try await tiles(recorder.wanted.map { tileKey(level: $0.0, index: $0.1) }, of: id, on: try db.sql())
        return try build(TileSource(size: size, tiles: loaded))
    }

    /// The roots of several sizes of one log, from one read of the tiles they all need (each tile once): checking
    /// every cosigned checkpoint against the log then costs one query, not one per checkpoint.
    static func roots(of id: UUID, sizes: [UInt64], on db: any Database) async throws -> [UInt64: Merkle.Hash] {
        var wanted: [TileKey] = []
        for size in sizes {
            let recorder = Recorder(size: size)
            _ = try recorder.root(size: size)
            wanted += recorder.wanted.map { tileKey(level: $0.0, index: $0.1) }
        }
        let loaded = try await tiles(wanted, of: id, on: try db.sql())
        var roots: [UInt64: Merkle.Hash] = [:]
        for size in sizes { roots[size] = try TileSource(size: size, tiles: loaded).root(size: size) }
        return roots
    }

    /// The leaf hash, its proof and the root of `size`, from one read of the tiles they need.
    static func inclusionProof(of id: UUID, index: UInt64, size: UInt64, on db: any Database) async throws -> (
        leaf: Merkle.Hash, proof: [Merkle.Hash], root: Merkle.Hash
    ) {
        try await withNodes(of: id, size: size, on: db) { source in
            (try source.node(level: 0, index: index), try source.inclusionProof(index: index, size: size), try source.root(size: size))
        }
    }

    static func consistencyProof(of id: UUID, from: UInt64, to: UInt64, on db: any Database) async throws -> [Merkle.Hash] {
        try await withNodes(of: id, size: to, on: db) { try $0.consistencyProof(from: from, to: to) }
    }

    /// A C2SP tlog-tiles hash tile: `width` hashes of tree level 8·level from index·256 on, or nil
    /// when the tree does not have them yet.
    static func tile(of id: UUID, level: Int, index: UInt64, width: UInt64, on db: any Database) async throws -> [UInt8]? {
        let head = try await head(of: id, on: db)
        let available = level * 8 < 64 ? head.size >> UInt64(level * 8) : 0
        let (start, overflow) = index.multipliedReportingOverflow(by: TilePath.width)
        guard !overflow, start < available, width <= available - start else { return nil }
        let stored = try await tiles([TileKey(level: level, index: index)], of: id, on: try db.sql()).values.first ?? []
        guard stored.count >= Int(width) * 32 else {
            throw Problem(.internalServerError, "The log is missing nodes of tile \(level)/\(index).")
        }
        return Array(stored.prefix(Int(width) * 32))
    }

    /// A C2SP tlog-tiles entry bundle: each entry prefixed by its length as a big-endian uint16.
    static func entryBundle(of id: UUID, index: UInt64, width: UInt64, on db: any Database) async throws -> [UInt8]? {
        let head = try await head(of: id, on: db)
        let (start, overflow) = index.multipliedReportingOverflow(by: TilePath.width)
        guard !overflow, start < head.size, width <= head.size - start else { return nil }
        let rows = try await storedEntries(of: id, from: start, to: start + width, on: try db.sql())
        guard rows.count == Int(width) else { throw Problem(.internalServerError, "The log is missing entries of bundle \(index).") }
        var bundle: [UInt8] = []
        for (_, entry) in rows {
            let bytes = Array(entry.utf8)
            guard bytes.count <= Int(UInt16.max) else { throw Problem(.internalServerError, "An entry exceeds 65535 bytes.") }
            bundle += [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
        }
        return bundle
    }

    static func origin(_ app: Application, _ id: UUID) -> String {
        Checkpoint.origin(log: app.ledgerSigner.name, partnership: id.uuidString)
    }

    /// The current checkpoint of a partnership's log, signed by this server's log key.
    static func checkpoint(of id: UUID, app: Application, on db: any Database) async throws -> SignedNote {
        try checkpoint(of: id, head: try await head(of: id, on: db), app: app)
    }

    static func checkpoint(of id: UUID, head: Head, app: Application) throws -> SignedNote {
        let text = Checkpoint(origin: origin(app, id), size: head.size, root: head.root).text
        return SignedNote(text: text, signatures: [try app.ledgerSigner.sign(text)])
    }
}

extension Application {
    private struct SignerKey: StorageKey { typealias Value = NoteSigner }

    var ledgerSigner: NoteSigner {
        get { storage[SignerKey.self]! }
        set { storage[SignerKey.self] = newValue }
    }
}
