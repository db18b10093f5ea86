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

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8 = c >= 97 ? c - 87 : c - 48
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }

    static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw Problem(.internalServerError, "The ledger needs an SQL database.") }
        return sql
    }

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
        let sql = try sql(tx)
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let head = try await sql.raw("SELECT size, root FROM ledger_heads WHERE id = \(bind: id)\(unsafeRaw: lock)").first(
            decoding: HeadRow.self)
        let index = UInt64(head?.size ?? 0)
        let leaf = Merkle.leafHash(entry.canonical)
        // The left siblings this append completes, all fetched in one query.
        var needed: [(Int, UInt64)] = []
        var i = index
        var level = 0
        while i & 1 == 1 {
            needed.append((level, i - 1))
            i >>= 1
            level += 1
        }
        let siblings = try await nodes(needed + frontier(size: index), of: id, on: sql)
        var newNodes: [(Int, UInt64, Merkle.Hash)] = [(0, index, leaf)]
        var hash = leaf
        i = index
        level = 0
        while i & 1 == 1 {
            guard let left = siblings[NodeKey(level: level, index: i - 1)] else {
                throw Problem(.internalServerError, "The log is missing node \(level)/\(i - 1).")
            }
            hash = Merkle.nodeHash(left, hash)
            i >>= 1
            level += 1
            newNodes.append((level, i, hash))
        }
        // Root of size index+1: fold the new frontier from the right.
        var all = siblings
        for (l, n, h) in newNodes { all[NodeKey(level: l, index: n)] = h }
        let root = try foldFrontier(size: index + 1, nodes: all)
        try await sql.raw(
            "INSERT INTO ledger_leaves (id, partnership_id, idx, entry) VALUES (\(bind: UUID()), \(bind: id), \(bind: Int64(index)), \(bind: String(decoding: entry.canonical, as: UTF8.self)))"
        ).run()
        for (l, n, h) in newNodes {
            try await sql.raw(
                "INSERT INTO ledger_nodes (id, partnership_id, level, idx, hash) VALUES (\(bind: UUID()), \(bind: id), \(bind: l), \(bind: Int64(n)), \(bind: hex(h)))"
            ).run()
        }
        if head == nil {
            try await sql.raw(
                "INSERT INTO ledger_heads (id, size, root) VALUES (\(bind: id), \(bind: Int64(index + 1)), \(bind: hex(root)))"
            ).run()
        } else {
            try await sql.raw("UPDATE ledger_heads SET size = \(bind: Int64(index + 1)), root = \(bind: hex(root)) WHERE id = \(bind: id)")
                .run()
        }
        return index
    }

    struct NodeKey: Hashable {
        var level: Int
        var index: UInt64
    }

    /// The perfect subtrees that make up a tree of `size` leaves, largest first.
    static func frontier(size: UInt64) -> [(Int, UInt64)] {
        var result: [(Int, UInt64)] = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(level)) != 0 {
            result.append((level, start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        return result
    }

    static func foldFrontier(size: UInt64, nodes: [NodeKey: Merkle.Hash]) throws -> Merkle.Hash {
        let parts = try frontier(size: size).map { l, n in
            guard let h = nodes[NodeKey(level: l, index: n)] else {
                throw Problem(.internalServerError, "The log is missing node \(l)/\(n).")
            }
            return h
        }
        guard var root = parts.last else { return Merkle.emptyRoot }
        for part in parts.dropLast().reversed() { root = Merkle.nodeHash(part, root) }
        return root
    }

    static func nodes(_ keys: [(Int, UInt64)], of id: UUID, on sql: any SQLDatabase) async throws -> [NodeKey: Merkle.Hash] {
        guard !keys.isEmpty else { return [:] }
        var result: [NodeKey: Merkle.Hash] = [:]
        // Chunked so a proof over a huge tree never builds one enormous statement.
        for chunk in stride(from: 0, to: keys.count, by: 50).map({ Array(keys[$0..<min($0 + 50, keys.count)]) }) {
            let condition = SQLGroupExpression(
                SQLKit.SQLList(
                    chunk.map { l, n in
                        SQLBinaryExpression(
                            SQLBinaryExpression(SQLIdentifier("level"), .equal, SQLBind(l)), .and,
                            SQLBinaryExpression(SQLIdentifier("idx"), .equal, SQLBind(Int64(n))))
                    }, separator: SQLRaw(" OR ")))
            let rows = try await sql.select().columns("level", "idx", "hash").from("ledger_nodes")
                .where("partnership_id", .equal, id).where(condition).all(decoding: NodeRow.self)
            for row in rows { result[NodeKey(level: row.level, index: UInt64(row.idx))] = bytes(row.hash) }
        }
        return result
    }

    static func head(of id: UUID, on db: any Database) async throws -> Head {
        let row = try await sql(db).raw("SELECT size, root FROM ledger_heads WHERE id = \(bind: id)").first(decoding: HeadRow.self)
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
        let nodes = try await nodes(recorder.wanted, of: id, on: try sql(db))
        return try build(Loaded(size: size, nodes: nodes))
    }

    static func inclusionProof(of id: UUID, index: UInt64, size: UInt64, on db: any Database) async throws -> (
        leaf: Merkle.Hash, proof: [Merkle.Hash]
    ) {
        try await withNodes(of: id, size: size, on: db) { source in
            (try source.node(level: 0, index: index), try source.inclusionProof(index: index, size: size))
        }
    }

    static func consistencyProof(of id: UUID, from: UInt64, to: UInt64, on db: any Database) async throws -> [Merkle.Hash] {
        try await withNodes(of: id, size: to, on: db) { try $0.consistencyProof(from: from, to: to) }
    }

    static func root(of id: UUID, size: UInt64, on db: any Database) async throws -> Merkle.Hash {
        try await withNodes(of: id, size: size, on: db) { try $0.root(size: size) }
    }

    struct EntryRow: Decodable {
        var idx: Int64
        var entry: String
    }

    static func entries(of id: UUID, start: UInt64, limit: Int, on db: any Database) async throws -> [(UInt64, String)] {
        try await sql(db).raw(
            "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(start)) ORDER BY idx LIMIT \(bind: limit)"
        )
        .all(decoding: EntryRow.self).map { (UInt64($0.idx), $0.entry) }
    }

    static func origin(_ app: Application, _ id: UUID) -> String { "\(app.ledgerSigner.name)/partnerships/\(id.uuidString.lowercased())" }

    /// The current checkpoint of a partnership's log, signed by this server's log key.
    static func checkpoint(of id: UUID, app: Application, on db: any Database) async throws -> SignedNote {
        let head = try await head(of: id, on: db)
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
