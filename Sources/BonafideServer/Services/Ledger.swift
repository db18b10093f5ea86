import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Each partnership's append-only log (RFC 6962 tree), stored as leaves and perfect-subtree nodes.
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

    struct NodeRow: Decodable {
        var level: Int
        var idx: Int64
        var hash: String
    }

    /// Appends an entry inside the caller's transaction; returns its index. On PostgreSQL the head row
    /// is locked, so concurrent appends to one partnership serialize and never share an index.
    @discardableResult
    static func append(_ entry: LedgerEntry, partnership id: UUID, on tx: any Database) async throws -> UInt64 {
        try await append(contentsOf: [entry], partnership: id, on: tx)[0]
    }

    /// The aligned perfect subtrees that make up a tree of `size` leaves, largest first: the only
    /// stored nodes any later append or root needs.
    static func frontier(_ size: UInt64) -> [(Int, UInt64)] {
        (0..<64).reversed().compactMap { level in
            size & (1 << UInt64(level)) != 0 ? (level, (size >> UInt64(level)) - 1) : nil
        }
    }

    /// Appends entries in order inside the caller's transaction (one transaction for many entries is
    /// group commit). Reads only the old tree's frontier, computes every new node in memory, and
    /// writes leaves and nodes in multi-row statements: O(k + log n) for k entries.
    @discardableResult
    static func append(contentsOf entries: [LedgerEntry], partnership id: UUID, on tx: any Database) async throws -> [UInt64] {
        guard !entries.isEmpty else { return [] }
        let sql = try tx.sql()
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let head = try await sql.raw("SELECT size, root FROM ledger_heads WHERE id = \(bind: id)\(unsafeRaw: lock)").first(
            decoding: HeadRow.self)
        let start = UInt64(head?.size ?? 0)
        var known = try await nodes(frontier(start), of: id, on: sql)
        var newNodes: [(Int, UInt64, Merkle.Hash)] = []
        let encoded = entries.map { $0.canonical }
        for (offset, bytes) in encoded.enumerated() {
            var i = start + UInt64(offset)
            var hash = Merkle.leafHash(bytes)
            var level = 0
            newNodes.append((0, i, hash))
            known[NodeKey(level: 0, index: i)] = hash
            while i & 1 == 1 {
                guard let left = known[NodeKey(level: level, index: i - 1)] else {
                    throw Problem(.internalServerError, "The log is missing node \(level)/\(i - 1).")
                }
                hash = Merkle.nodeHash(left, hash)
                i >>= 1
                level += 1
                newNodes.append((level, i, hash))
                known[NodeKey(level: level, index: i)] = hash
            }
        }
        let size = start + UInt64(entries.count)
        let root = try Loaded(size: size, nodes: known).root(size: size)
        // Chunked so no statement exceeds SQLite's or PostgreSQL's bind-parameter limits.
        for (offset, chunk) in stride(from: 0, to: encoded.count, by: 500).map({ ($0, encoded[$0..<min($0 + 500, encoded.count)]) }) {
            var insert = sql.insert(into: "ledger_leaves").columns("id", "partnership_id", "idx", "entry")
            for (j, bytes) in chunk.enumerated() {
                insert = insert.values(
                    SQLBind(UUID()), SQLBind(id), SQLBind(Int64(start) + Int64(offset + j)), SQLBind(String(decoding: bytes, as: UTF8.self))
                )
            }
            try await insert.run()
        }
        for chunk in stride(from: 0, to: newNodes.count, by: 500).map({ newNodes[$0..<min($0 + 500, newNodes.count)] }) {
            var insert = sql.insert(into: "ledger_nodes").columns("id", "partnership_id", "level", "idx", "hash")
            for (l, n, h) in chunk {
                insert = insert.values(SQLBind(UUID()), SQLBind(id), SQLBind(l), SQLBind(Int64(n)), SQLBind(hex(h)))
            }
            try await insert.run()
        }
        if head == nil {
            try await sql.raw(
                "INSERT INTO ledger_heads (id, size, root) VALUES (\(bind: id), \(bind: Int64(size)), \(bind: hex(root)))"
            ).run()
        } else {
            try await sql.raw("UPDATE ledger_heads SET size = \(bind: Int64(size)), root = \(bind: hex(root)) WHERE id = \(bind: id)")
                .run()
        }
        return entries.indices.map { start + UInt64($0) }
    }

    struct NodeKey: Hashable {
        var level: Int
        var index: UInt64
    }

    static func nodes(_ keys: [(Int, UInt64)], of id: UUID, on sql: any SQLDatabase) async throws -> [NodeKey: Merkle.Hash] {
        guard !keys.isEmpty else { return [:] }
        var result: [NodeKey: Merkle.Hash] = [:]
        // One indexed point lookup per node, joined with UNION ALL: an OR of conditions would make
        // SQLite scan the partnership's whole tree. Chunked so no statement grows without bound.
        for chunk in stride(from: 0, to: keys.count, by: 64).map({ Array(keys[$0..<min($0 + 64, keys.count)]) }) {
            var query = SQLQueryString("")
            for (i, (l, n)) in chunk.enumerated() {
                if i > 0 { query.appendLiteral(" UNION ALL ") }
                query.appendInterpolation(
                    "SELECT level, idx, hash FROM ledger_nodes WHERE partnership_id = \(bind: id) AND level = \(bind: l) AND idx = \(bind: Int64(n))"
                        as SQLQueryString)
            }
            let rows = try await sql.raw(query).all(decoding: NodeRow.self)
            for row in rows { result[NodeKey(level: row.level, index: UInt64(row.idx))] = bytes(row.hash) }
        }
        return result
    }

    static func head(of id: UUID, on db: any Database) async throws -> Head {
        let row = try await db.sql().raw("SELECT size, root FROM ledger_heads WHERE id = \(bind: id)").first(decoding: HeadRow.self)
        return row.map { Head(size: UInt64($0.size), root: bytes($0.root)) } ?? Head(size: 0, root: Merkle.emptyRoot)
    }

    /// Records which nodes a proof needs, so they can be read in one query and the proof built again.
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

    struct Loaded: MerkleNodeSource {
        let size: UInt64
        let nodes: [NodeKey: Merkle.Hash]
        func node(level: Int, index: UInt64) throws -> Merkle.Hash {
            guard let h = nodes[NodeKey(level: level, index: index)] else { throw MerkleError.missingNode(level: level, index: index) }
            return h
        }
    }

    static func withNodes<T>(of id: UUID, size: UInt64, on db: any Database, _ build: (any MerkleNodeSource) throws -> T) async throws -> T
    {
        let recorder = Recorder(size: size)
        _ = try build(recorder)
        // The proof and the root share nodes: each is read once.
        var seen = Set<NodeKey>()
        let wanted = recorder.wanted.filter { seen.insert(NodeKey(level: $0.0, index: $0.1)).inserted }
        let nodes = try await nodes(wanted, of: id, on: try db.sql())
        return try build(Loaded(size: size, nodes: nodes))
    }

    /// The roots of several sizes of one log, from one read of the nodes they all need (each node once): checking
    /// every cosigned checkpoint against the log then costs one query, not one per checkpoint.
    static func roots(of id: UUID, sizes: [UInt64], on db: any Database) async throws -> [UInt64: Merkle.Hash] {
        var seen = Set<NodeKey>()
        var wanted: [(Int, UInt64)] = []
        for size in sizes {
            let recorder = Recorder(size: size)
            _ = try recorder.root(size: size)
            wanted += recorder.wanted.filter { seen.insert(NodeKey(level: $0.0, index: $0.1)).inserted }
        }
        let nodes = try await nodes(wanted, of: id, on: try db.sql())
        var roots: [UInt64: Merkle.Hash] = [:]
        for size in sizes { roots[size] = try Loaded(size: size, nodes: nodes).root(size: size) }
        return roots
    }

    /// The leaf hash, its proof and the root of `size`, from one read of the nodes they need.
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

    struct EntryRow: Decodable {
        var idx: Int64
        var entry: String
    }

    static func entries(of id: UUID, start: UInt64, limit: Int, on db: any Database) async throws -> [(UInt64, String)] {
        try await db.sql().raw(
            "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(start)) ORDER BY idx LIMIT \(bind: limit)"
        )
        .all(decoding: EntryRow.self).map { (UInt64($0.idx), $0.entry) }
    }

    /// The entries whose type starts with `typePrefix`, below `size`, in order (the canonical encoding writes the
    /// type in one fixed form, so the database narrows them down; each is then decoded to be sure).
    static func entries(of id: UUID, typePrefix: String, below size: UInt64, on db: any Database) async throws -> [(UInt64, String)] {
        try await db.sql().raw(
            "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx < \(bind: Int64(size)) AND entry LIKE \(bind: "%\"type\":\"\(typePrefix)%") ORDER BY idx"
        )
        .all(decoding: EntryRow.self).map { (UInt64($0.idx), $0.entry) }
        .filter { (try? LedgerEntry(canonical: Array($0.1.utf8)))?.type.hasPrefix(typePrefix) == true }
    }

    /// The newest entries below `before` (all when nil), newest first, decoded.
    static func newestEntries(of id: UUID, before: UInt64? = nil, limit: Int, on db: any Database) async throws -> [(
        index: UInt64, entry: LedgerEntry
    )] {
        let bound = Int64(clamping: before ?? UInt64(Int64.max))
        return try await db.sql().raw(
            "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx < \(bind: bound) ORDER BY idx DESC LIMIT \(bind: limit)"
        ).all(decoding: EntryRow.self).compactMap { row in
            (try? LedgerEntry(canonical: Array(row.entry.utf8))).map { (UInt64(row.idx), $0) }
        }
    }

    /// Rebuilds the root from every stored entry: what an outside verifier would do with the entries.
    static func rootFromEntries(of id: UUID, size: UInt64, on db: any Database) async throws -> Merkle.Hash {
        var tree = MerkleTree()
        var start: UInt64 = 0
        while start < size {
            let page = try await entries(of: id, start: start, limit: 1000, on: db)
            if page.isEmpty { break }
            for (_, entry) in page where tree.size < size { tree.append(entry: Array(entry.utf8)) }
            start += UInt64(page.count)
        }
        return tree.root
    }

    /// A C2SP tlog-tiles hash tile: `width` hashes of tree level 8·level from index·256 on, or nil
    /// when the tree does not have them yet.
    static func tile(of id: UUID, level: Int, index: UInt64, width: UInt64, on db: any Database) async throws -> [UInt8]? {
        let head = try await head(of: id, on: db)
        let available = level * 8 < 64 ? head.size >> UInt64(level * 8) : 0
        let (start, overflow) = index.multipliedReportingOverflow(by: TilePath.width)
        guard !overflow, start < available, width <= available - start else { return nil }
        let rows = try await db.sql().raw(
            "SELECT level, idx, hash FROM ledger_nodes WHERE partnership_id = \(bind: id) AND level = \(bind: level * 8) AND idx >= \(bind: Int64(start)) AND idx < \(bind: Int64(start + width)) ORDER BY idx"
        ).all(decoding: NodeRow.self)
        guard rows.count == Int(width) else { throw Problem(.internalServerError, "The log is missing nodes of tile \(level)/\(index).") }
        return rows.flatMap { bytes($0.hash) }
    }

    /// A C2SP tlog-tiles entry bundle: each entry prefixed by its length as a big-endian uint16.
    static func entryBundle(of id: UUID, index: UInt64, width: UInt64, on db: any Database) async throws -> [UInt8]? {
        let head = try await head(of: id, on: db)
        let (start, overflow) = index.multipliedReportingOverflow(by: TilePath.width)
        guard !overflow, start < head.size, width <= head.size - start else { return nil }
        let rows = try await entries(of: id, start: start, limit: Int(width), on: db)
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
