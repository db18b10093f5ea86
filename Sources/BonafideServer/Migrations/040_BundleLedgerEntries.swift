import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Sealed entries move to compressed bundles of 256, as Tessera keeps them: one row per entry (its key and its
/// canonical text) was some 370 bytes of the ~400 a log took per entry. Only the last, partial bundle of each log
/// stays as rows of `ledger_leaves`.
struct BundleLedgerEntries: AsyncMigration {
    var name: String { "040_BundleLedgerEntries" }

    struct HeadRow: Decodable {
        var id: UUID
        var size: Int64
    }

    /// Bundles moved per step: 8,192 entries in memory at a time, whatever the size of the log.
    static let bundlesPerStep = 32

    func prepare(on database: any Database) async throws {
        // One transaction: a move cut short leaves every entry a row, to be moved on the next start.
        try await database.transaction { tx in
            let sql = try tx.sql()
            let postgres = sql.dialect.name == "postgresql"
            let (int64, blob) = postgres ? ("BIGINT", "BYTEA") : ("INTEGER", "BLOB")
            // An ordinary table on SQLite, not WITHOUT ROWID: rows of ten kilobytes and more belong in a rowid table.
            try await sql.raw(
                """
                CREATE TABLE ledger_bundles (partnership_id UUID NOT NULL REFERENCES partnerships (id), \
                idx \(unsafeRaw: int64) NOT NULL, entries \(unsafeRaw: blob) NOT NULL, PRIMARY KEY (partnership_id, idx))
                """
            ).run()
            // Already compressed: PostgreSQL would try to compress each value again before storing it out of line.
            if postgres { try await sql.raw("ALTER TABLE ledger_bundles ALTER COLUMN entries SET STORAGE EXTERNAL").run() }
            for head in try await sql.raw("SELECT id, size FROM ledger_heads").all(decoding: HeadRow.self) {
                try await Self.bundle(head.id, size: UInt64(head.size), on: sql)
            }
        }
    }

    /// Moves a log's sealed entries into bundles, `bundlesPerStep` at a time. A missing entry stops the migration and
    /// names it: a bundle without it could never be read back.
    static func bundle(_ id: UUID, size: UInt64, on sql: any SQLDatabase) async throws {
        let width = LedgerBundle.width
        let sealed = Int(size / UInt64(width))
        for first in stride(from: 0, to: sealed, by: bundlesPerStep) {
            let end = min(first + bundlesPerStep, sealed)
            let rows = try await sql.raw(
                "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(first * width)) AND idx < \(bind: Int64(end * width)) ORDER BY idx"
            ).all(decoding: Ledger.EntryRow.self)
            for (offset, row) in rows.enumerated() where row.idx != Int64(first * width + offset) {
                throw missing(id, index: first * width + offset)
            }
            guard rows.count == (end - first) * width else { throw missing(id, index: first * width + rows.count) }
            let insert = sql.insert(into: "ledger_bundles").columns("partnership_id", "idx", "entries")
            for b in first..<end {
                let offset = (b - first) * width
                let blob = try LedgerBundle.encode(rows[offset..<offset + width].map(\.entry))
                insert.values(SQLBind(id), SQLBind(Int64(b)), SQLBind(Data(blob)))
            }
            try await insert.run()
            try await sql.raw(
                "DELETE FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(first * width)) AND idx < \(bind: Int64(end * width))"
            ).run()
        }
    }

    static func missing(_ id: UUID, index: Int) -> Problem {
        Problem(
            .internalServerError, "Cannot bundle the log of partnership \(id.uuidString): its entry \(index) is missing.")
    }

    func revert(on database: any Database) async throws {
        try await database.transaction { tx in
            let sql = try tx.sql()
            for head in try await sql.raw("SELECT id, size FROM ledger_heads").all(decoding: HeadRow.self) {
                try await Self.expand(head.id, on: sql)
            }
            try await sql.raw("DROP TABLE ledger_bundles").run()
        }
    }

    /// Writes a log's bundles back as one row per entry, `bundlesPerStep` bundles at a time. A bundle that does not
    /// decode stops the revert and names it.
    static func expand(_ id: UUID, on sql: any SQLDatabase) async throws {
        var next: Int64 = 0
        while true {
            let bundles = try await sql.raw(
                "SELECT idx, entries FROM ledger_bundles WHERE partnership_id = \(bind: id) AND idx >= \(bind: next) ORDER BY idx LIMIT \(bind: bundlesPerStep)"
            ).all(decoding: Ledger.BundleRow.self)
            guard let last = bundles.last else { break }
            var rows: [(idx: Int64, entry: String)] = []
            for bundle in bundles {
                let entries: [String]
                do {
                    entries = try LedgerBundle.decode(Array(bundle.entries))
                } catch {
                    throw Problem(
                        .internalServerError,
                        "Cannot expand the log of partnership \(id.uuidString): its bundle \(bundle.idx) does not decode (\(error)).")
                }
                for (offset, entry) in entries.enumerated() {
                    rows.append((idx: bundle.idx * Int64(LedgerBundle.width) + Int64(offset), entry: entry))
                }
            }
            for start in stride(from: 0, to: rows.count, by: 500) {
                let insert = sql.insert(into: "ledger_leaves").columns("partnership_id", "idx", "entry")
                for row in rows[start..<min(start + 500, rows.count)] {
                    insert.values(SQLBind(id), SQLBind(row.idx), SQLBind(row.entry))
                }
                try await insert.run()
            }
            next = last.idx + 1
        }
    }
}
