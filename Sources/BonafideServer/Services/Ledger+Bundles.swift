import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Entries are kept as Tessera keeps them, in bundles of 256: a sealed bundle (all 256 present; it never changes) is one
/// compressed row of `ledger_bundles` (`LedgerBundle`), and only the entries of the last, partial bundle are rows of
/// `ledger_leaves`. One row per entry with its key was most of a log's storage.
extension Ledger {
    struct EntryRow: Decodable {
        var idx: Int64
        var entry: String

        /// Column by column: `SQLRowDecoder` set up a decoder for each of the entries a partnership page shows.
        init(row: any SQLRow) throws {
            idx = try row.decode(column: "idx", as: Int64.self)
            entry = try row.decode(column: "entry", as: String.self)
        }
    }

    struct BundleRow: Decodable {
        var idx: Int64
        var entries: Data
    }

    /// What a read does with a bundle that does not decode.
    enum UnreadableBundles {
        /// A 500 naming the bundle: for readers whose caller relies on getting every entry.
        case fail
        /// Leaves its entries out: for pages that show what they can and say what is missing (the record page names the
        /// entries, the partnership page's timeline logs them, and the rebuilt root no longer matches).
        case skip
    }

    /// Bundles per statement: 32 sealed bundles are some half a megabyte of binds.
    static let bundlesPerStatement = 32

    /// Seals the bundles that `entries`, appended from index `start`, complete: each becomes one row, made of the
    /// loose rows it already had (only the first can have some) and the new entries, and those loose rows are deleted.
    /// Runs inside the append's transaction after the head is read (and locked on PostgreSQL), so nothing appends
    /// between. Returns the offset in `entries` from which they stay loose rows.
    static func seal(
        _ entries: [[UInt8]], from start: UInt64, of id: UUID, on sql: any SQLDatabase, into writes: inout CombinedWrites
    ) async throws -> Int {
        let width = UInt64(LedgerBundle.width)
        let bundleStart = start / width * width
        let firstLoose = (start + UInt64(entries.count)) / width * width
        guard firstLoose > start else { return 0 }
        var texts: [String] = []
        texts.reserveCapacity(Int(firstLoose - bundleStart))
        if bundleStart < start {
            let rows = try await sql.raw(
                "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(bundleStart)) AND idx < \(bind: Int64(start)) ORDER BY idx"
            ).all().map(EntryRow.init(row:))
            guard rows.count == Int(start - bundleStart) else {
                throw Problem(.internalServerError, "The log is missing entries of bundle \(bundleStart / width).")
            }
            texts += rows.map(\.entry)
        }
        for bytes in entries[0..<Int(firstLoose - start)] { texts.append(String(decoding: bytes, as: UTF8.self)) }
        let count = texts.count / LedgerBundle.width
        for chunk in stride(from: 0, to: count, by: bundlesPerStatement) {
            let insert = sql.insert(into: "ledger_bundles").columns("partnership_id", "idx", "entries")
            for b in chunk..<min(chunk + bundlesPerStatement, count) {
                let blob = try LedgerBundle.encode(Array(texts[b * LedgerBundle.width..<(b + 1) * LedgerBundle.width]))
                insert.values(SQLBind(id), SQLBind(Int64(bundleStart / width) + Int64(b)), SQLBind(Data(blob)))
            }
            writes.add(insert.query)
        }
        if bundleStart < start {
            writes.add(
                "DELETE FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(bundleStart)) AND idx < \(bind: Int64(start))"
                    as SQLQueryString)
        }
        return Int(firstLoose - start)
    }

    /// The stored entries of indexes [from, to), in order: the loose rows, then (unless those were all) the bundles
    /// overlapping the range. Loose rows first: an append that seals a bundle between the two reads moves its entries
    /// from the first place to the second, so every entry below a size read before is seen, at most twice (equal).
    /// An entry not stored is absent: callers that need all of them check.
    static func storedEntries(
        of id: UUID, from: UInt64, to: UInt64, unreadable: UnreadableBundles = .fail, on sql: any SQLDatabase
    ) async throws -> [(index: UInt64, entry: String)] {
        guard from < to else { return [] }
        let loose = try await sql.raw(
            "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(clamping: from)) AND idx < \(bind: Int64(clamping: to)) ORDER BY idx"
        ).all().map(EntryRow.init(row:))
        if UInt64(loose.count) == to - from { return loose.map { (index: UInt64($0.idx), entry: $0.entry) } }
        let width = UInt64(LedgerBundle.width)
        let bundles = try await sql.raw(
            "SELECT idx, entries FROM ledger_bundles WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(clamping: from / width)) AND idx <= \(bind: Int64(clamping: (to - 1) / width)) ORDER BY idx"
        ).all(decoding: BundleRow.self)
        var result: [(index: UInt64, entry: String)] = []
        var next = 0  // the first loose row not taken yet
        for bundle in bundles {
            let first = UInt64(bundle.idx) * width
            let texts: [String]
            do {
                texts = try LedgerBundle.decode(Array(bundle.entries))
            } catch {
                guard unreadable == .skip else {
                    throw Problem(.internalServerError, "The log is missing entries of bundle \(bundle.idx): \(error).")
                }
                continue
            }
            while next < loose.count, UInt64(loose[next].idx) < first {
                result.append((index: UInt64(loose[next].idx), entry: loose[next].entry))
                next += 1
            }
            for index in max(from, first)..<min(to, first + width) { result.append((index: index, entry: texts[Int(index - first)])) }
            // The same entries, read as rows before an append sealed them.
            while next < loose.count, UInt64(loose[next].idx) < first + width { next += 1 }
        }
        for row in loose[next...] { result.append((index: UInt64(row.idx), entry: row.entry)) }
        return result
    }

    /// A log's size as its head says (0 for a log with no entry).
    static func size(of id: UUID, on sql: any SQLDatabase) async throws -> UInt64 {
        let row = try await sql.raw("SELECT size FROM ledger_heads WHERE id = \(bind: id)").first()
        return UInt64(try row?.decode(column: "size", as: Int64.self) ?? 0)
    }

    /// Up to `limit` entries from `start`, in order, up to the log's size; a hole among them (a bundle or row gone, a
    /// bundle that does not decode) is a 500. The size is read first: every bundle below it is sealed by then, and
    /// every row below it committed, so a missing one is damage, not a race with an append.
    static func entries(of id: UUID, start: UInt64, limit: Int, on db: any Database) async throws -> [(UInt64, String)] {
        let sql = try db.sql()
        let size = try await Ledger.size(of: id, on: sql)
        let (wanted, overflow) = start.addingReportingOverflow(UInt64(max(limit, 0)))
        let end = min(overflow ? UInt64.max : wanted, size)
        guard start < end else { return [] }
        let rows = try await storedEntries(of: id, from: start, to: end, on: sql)
        for (offset, row) in rows.enumerated() where row.index != start + UInt64(offset) {
            throw missingEntry(start + UInt64(offset), size: size)
        }
        guard UInt64(rows.count) == end - start else { throw missingEntry(start + UInt64(rows.count), size: size) }
        return rows.map { ($0.index, $0.entry) }
    }

    /// The 500 for an entry below the size that is not stored: its bundle's when that is sealed, else its own.
    static func missingEntry(_ index: UInt64, size: UInt64) -> Problem {
        let width = UInt64(LedgerBundle.width)
        guard index / width < size / width else { return Problem(.internalServerError, "The log is missing entry \(index).") }
        return Problem(.internalServerError, "The log is missing entries of bundle \(index / width).")
    }

    /// Bundles decoded per statement when every bundle of a log is read.
    static let bundlesPerRead = 64

    /// The entries whose type starts with `typePrefix`, below `size`, in order (the canonical encoding writes the type
    /// in one fixed form, so a substring test narrows them down: the database's for loose rows, Swift's in decoded
    /// bundles; each is then decoded to be sure). A bundle that does not decode is a 500: a passport must not leave
    /// out records.
    static func entries(of id: UUID, typePrefix: String, below size: UInt64, on db: any Database) async throws -> [(UInt64, String)] {
        let sql = try db.sql()
        let marker = "\"type\":\"\(typePrefix)"
        let pattern = "%" + marker + "%"
        var found: [UInt64: String] = [:]
        // Loose rows before bundles, as `storedEntries` reads them.
        let loose = try await sql.raw(
            "SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: id) AND idx >= 0 AND idx < \(bind: Int64(clamping: size)) AND entry LIKE \(bind: pattern) ORDER BY idx"
        ).all().map(EntryRow.init(row:))
        for row in loose { found[UInt64(row.idx)] = row.entry }
        let width = UInt64(LedgerBundle.width)
        let bundles = size == 0 ? 0 : (size - 1) / width + 1
        // Every bundle below `sealed` was sealed before `size` was read; the partial one may have been since.
        let sealed = size / width
        for first in stride(from: UInt64(0), to: bundles, by: bundlesPerRead) {
            let rows = try await sql.raw(
                "SELECT idx, entries FROM ledger_bundles WHERE partnership_id = \(bind: id) AND idx >= \(bind: Int64(first)) AND idx < \(bind: Int64(min(first + UInt64(bundlesPerRead), bundles))) ORDER BY idx"
            ).all(decoding: BundleRow.self)
            var expected = first
            for row in rows where UInt64(row.idx) < sealed {
                guard UInt64(row.idx) == expected else { break }
                expected += 1
            }
            guard expected >= min(first + UInt64(bundlesPerRead), sealed) else {
                throw Problem(.internalServerError, "The log is missing entries of bundle \(expected).")
            }
            for row in rows {
                let texts: [String]
                do {
                    texts = try LedgerBundle.decode(Array(row.entries))
                } catch {
                    throw Problem(.internalServerError, "The log is missing entries of bundle \(row.idx): \(error).")
                }
                let base = UInt64(row.idx) * width
                for (offset, text) in texts.enumerated() where base + UInt64(offset) < size && text.contains(marker) {
                    found[base + UInt64(offset)] = text
                }
            }
        }
        return found.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            .filter { (try? LedgerEntry(canonical: Array($0.1.utf8)))?.type.hasPrefix(typePrefix) == true }
    }

    /// The newest entries below `before` (all when nil), newest first, decoded, and the window of indexes they were
    /// read from. An entry that cannot be read (its bundle gone or not decoding, or itself not decoding) is left out:
    /// the record page shows the rest, names the window's `gaps`, and pages on from the window's start.
    static func newestEntries(of id: UUID, before: UInt64? = nil, limit: Int, on db: any Database) async throws -> (
        window: Range<UInt64>, entries: [(index: UInt64, entry: LedgerEntry)]
    ) {
        let sql = try db.sql()
        let size = try await Ledger.size(of: id, on: sql)
        let bound = min(before ?? size, size)
        let window = bound - min(bound, UInt64(max(limit, 0)))..<bound
        let rows = try await storedEntries(of: id, from: window.lowerBound, to: window.upperBound, unreadable: .skip, on: sql)
        let entries: [(index: UInt64, entry: LedgerEntry)] = rows.reversed().compactMap { row in
            (try? LedgerEntry(canonical: Array(row.entry.utf8))).map { (index: row.index, entry: $0) }
        }
        return (window, entries)
    }

    /// The runs of indexes in `window` that are not in `read`, in order.
    static func gaps(in window: Range<UInt64>, read: [UInt64]) -> [ClosedRange<UInt64>] {
        var gaps: [ClosedRange<UInt64>] = []
        var next = window.lowerBound
        for index in Set(read).sorted() where window.contains(index) {
            if index > next { gaps.append(next...index - 1) }
            next = index + 1
        }
        if next < window.upperBound { gaps.append(next...window.upperBound - 1) }
        return gaps
    }

    /// Gaps as people read them: "7", "3…9, 12".
    static func describe(_ gaps: [ClosedRange<UInt64>]) -> String {
        gaps.map { $0.lowerBound == $0.upperBound ? String($0.lowerBound) : "\($0.lowerBound)…\($0.upperBound)" }.joined(separator: ", ")
    }

    /// Rebuilds the root from every stored entry: what an outside verifier would do with the entries. The first entry
    /// that cannot be read ends the tree there, so its root does not match the signed one.
    static func rootFromEntries(of id: UUID, size: UInt64, on db: any Database) async throws -> Merkle.Hash {
        let sql = try db.sql()
        var tree = MerkleTree()
        let page = UInt64(4 * LedgerBundle.width)
        while tree.size < size {
            let end = min(tree.size + page, size)
            for row in try await storedEntries(of: id, from: tree.size, to: end, unreadable: .skip, on: sql) {
                guard row.index == tree.size else { return tree.root }
                tree.append(entry: Array(row.entry.utf8))
            }
            guard tree.size == end else { break }
        }
        return tree.root
    }
}
