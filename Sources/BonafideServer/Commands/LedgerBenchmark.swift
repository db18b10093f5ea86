import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Measures the partnership log through the server's own append and proof code (benchmarks/ledger.sh
/// runs it): durable appends one transaction each and group-committed, proof latency on a large log,
/// and this machine's SHA-256 and fsync rates in the same run, for context.
public enum LedgerBenchmark {
    static func say(_ line: String) { Runner.say(line) }

    public static func machine(directory: String) throws {
        var a = Merkle.leafHash([1])
        let b = Merkle.leafHash([2])
        let n = 2_000_000
        let t0 = ContinuousClock.now
        for _ in 0..<n { a = Merkle.nodeHash(a, b) }
        let hashSeconds = seconds(ContinuousClock.now - t0)
        say(String(format: "machine  SHA-256 (64-byte node hashes): %.0f /s, one core", Double(n) / hashSeconds))
        let path = directory + "/fsync-probe"
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Abort(.internalServerError, reason: "cannot open \(path)") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 7, count: 4096)
        var syncs = 0
        let t1 = ContinuousClock.now
        while ContinuousClock.now - t1 < .seconds(2) {
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(syncs % 64) * 4096) }
            fsync(fd)
            syncs += 1
        }
        say(String(format: "machine  fsync (4 KiB write + fsync): %.0f /s", Double(syncs) / seconds(ContinuousClock.now - t1)))
    }

    public static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// A partnership to log into: the log's tables reference a real one.
    static func partnership(on db: any Database) async throws -> UUID {
        let org = Organization(name: "Bench \(UUID().uuidString.prefix(8))", timeZone: "UTC")
        try await org.save(on: db)
        let user = User(
            email: "bench-\(UUID().uuidString.prefix(8))@example.com", name: "Bench", passwordHash: "-", timeZone: "UTC",
            organizationID: org.id!, role: .owner)
        try await user.save(on: db)
        let p = Partnership(name: "Benchmark", organizationID: org.id!, createdByID: user.id!)
        try await p.save(on: db)
        return p.id!
    }

    static func entry(_ id: UUID, _ n: Int) -> LedgerEntry {
        LedgerEntry(
            partnership: id, type: "message.posted", actor: nil, time: Date(),
            payload: ["summary": "Benchmark message \(n)", "body_sha256": LedgerEntry.sha256Hex("\(n)")])
    }

    /// One transaction, and so one durable commit, per append: what a single request does.
    public static func appendsOneByOne(_ app: Application, label: String, count: Int) async throws {
        let id = try await partnership(on: app.db)
        let t0 = ContinuousClock.now
        for n in 0..<count {
            try await app.db.transaction { try await Ledger.append(entry(id, n), partnership: id, on: $0) }
        }
        let s = seconds(ContinuousClock.now - t0)
        say(String(format: "%@  durable appends, one commit each: %.0f /s (%d in %.2f s)", label, Double(count) / s, count, s))
    }

    /// Group commit: many producers each wait for their own entry to be durable; whatever is
    /// waiting when a commit starts goes into that one transaction.
    actor GroupCommitter {
        let app: Application
        let id: UUID
        var pending: [(LedgerEntry, CheckedContinuation<UInt64, any Error>)] = []
        var committing = false
        var batches = 0
        init(app: Application, id: UUID) {
            self.app = app
            self.id = id
        }

        func append(_ entry: LedgerEntry) async throws -> UInt64 {
            try await withCheckedThrowingContinuation { continuation in
                pending.append((entry, continuation))
                if !committing {
                    committing = true
                    Task { await self.drain() }
                }
            }
        }

        func drain() async {
            while !pending.isEmpty {
                let batch = pending
                pending = []
                batches += 1
                do {
                    let (app, id) = (app, id)
                    let indices = try await app.db.transaction { tx in
                        try await Ledger.append(contentsOf: batch.map(\.0), partnership: id, on: tx)
                    }
                    for (i, (_, continuation)) in batch.enumerated() { continuation.resume(returning: indices[i]) }
                } catch {
                    for (_, continuation) in batch { continuation.resume(throwing: error) }
                }
            }
            committing = false
        }
    }

    public static func appendsGroupCommitted(_ app: Application, label: String, count: Int, producers: Int) async throws {
        let id = try await partnership(on: app.db)
        let committer = GroupCommitter(app: app, id: id)
        let t0 = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                group.addTask {
                    for n in stride(from: p, to: count, by: producers) { _ = try await committer.append(entry(id, n)) }
                }
            }
            try await group.waitForAll()
        }
        let s = seconds(ContinuousClock.now - t0)
        let batches = await committer.batches
        say(
            String(
                format: "%@  durable appends, group commit (%d producers): %.0f /s (%d in %.2f s, %d commits, %.1f entries each)", label,
                producers, Double(count) / s, count, s, batches, Double(count) / Double(max(batches, 1))))
        // The log is still exactly RFC 6962 over what was appended.
        let head = try await Ledger.head(of: id, on: app.db)
        guard head.size == UInt64(count), try await Ledger.rootFromEntries(of: id, size: head.size, on: app.db) == head.root else {
            throw Abort(.internalServerError, reason: "group-committed log does not rebuild to its root")
        }
    }

    /// Batched appends as a bulk producer (an import, a busy partnership's queue) makes them: `batch` entries a call to
    /// `Ledger.append(contentsOf:)`, each call one durable write transaction through the server's write path. The
    /// rate counts the transactions only, not making the entries.
    public static func appendsBatched(_ app: Application, label: String, count: Int, batch: Int) async throws {
        let id = try await partnership(on: app.db)
        var elapsed: Duration = .zero
        var written = 0
        while written < count {
            let entries = (written..<min(written + batch, count)).map { entry(id, $0) }
            let t = ContinuousClock.now
            _ = try await app.db.writeTransaction { try await Ledger.append(contentsOf: entries, partnership: id, on: $0) }
            elapsed += ContinuousClock.now - t
            written += entries.count
        }
        let s = seconds(elapsed)
        say(
            String(
                format: "%@  durable appends, batched (%d entries a transaction): %.0f /s (%d in %.2f s)", label, batch,
                Double(count) / s, count, s))
        let head = try await Ledger.head(of: id, on: app.db)
        guard head.size == UInt64(count), try await Ledger.rootFromEntries(of: id, size: head.size, on: app.db) == head.root else {
            throw Abort(.internalServerError, reason: "batched log does not rebuild to its root")
        }
    }

    struct Count: Decodable {
        var n: Int64
    }

    struct TableSize: Decodable {
        var name: String
        var n: Int64
    }

    /// What the log tables take on disk, tables and their indexes, per million entries of every log in the database.
    public static func storage(_ app: Application, label: String) async throws {
        let sql = try app.db.sql()
        // Sealed entries are in bundles, not rows: the heads say how many entries there are. CAST: PostgreSQL's SUM of
        // a BIGINT is a NUMERIC.
        let entries =
            try await sql.raw("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM ledger_heads").first(decoding: Count.self)?.n ?? 0
        guard entries > 0 else { return }
        let tables = ["ledger_leaves", "ledger_bundles", "ledger_tiles", "ledger_heads"]
        var bytes: [String: Int64] = [:]
        var file: Int64?
        if sql.dialect.name == "postgresql" {
            for table in tables {
                bytes[table] = try await sql.raw("SELECT pg_total_relation_size(\(bind: table)::regclass) AS n").first(
                    decoding: Count.self)?.n
            }
        } else {
            // Moves committed pages from the write-ahead log into the file, so the file is the whole database.
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
            let sizes = try await sql.raw(
                "SELECT m.tbl_name AS name, SUM(s.pgsize) AS n FROM dbstat s JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            ).all(decoding: TableSize.self)
            for size in sizes where tables.contains(size.name) { bytes[size.name] = size.n }
            file = try await sql.raw("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()").first(
                decoding: Count.self)?.n
        }
        func perMillion(_ b: Int64) -> Double { Double(b) / Double(entries) * 1_000_000 / 1_048_576 }
        let total = tables.reduce(Int64(0)) { $0 + (bytes[$1] ?? 0) }
        say(
            String(
                format:
                    "%@  storage: %lld entries, log tables %.0f MiB per million entries (%.1f bytes/entry: entries %.1f (bundles %.1f, loose rows %.1f), tiles %.1f)%@",
                label, entries, perMillion(total), Double(total) / Double(entries),
                Double((bytes["ledger_leaves"] ?? 0) + (bytes["ledger_bundles"] ?? 0)) / Double(entries),
                Double(bytes["ledger_bundles"] ?? 0) / Double(entries), Double(bytes["ledger_leaves"] ?? 0) / Double(entries),
                Double(bytes["ledger_tiles"] ?? 0) / Double(entries),
                file.map { String(format: "; database file %.0f MiB", Double($0) / 1_048_576) } ?? ""))
    }

    /// Builds a log of `size` entries through the append path in large batches, then times
    /// inclusion and consistency proofs as the API builds them (database reads included).
    public static func proofs(_ app: Application, label: String, size: UInt64, proofs: Int) async throws {
        let id = try await partnership(on: app.db)
        let t0 = ContinuousClock.now
        var written: UInt64 = 0
        let batch: UInt64 = 20_000
        while written < size {
            let k = min(batch, size - written)
            let entries = (0..<k).map { entry(id, Int(written + $0)) }
            try await app.db.transaction { try await Ledger.append(contentsOf: entries, partnership: id, on: $0) }
            written += k
            if written % 1_000_000 == 0 || written == size {
                say(String(format: "%@  building: %llu entries in %.0f s", label, written, seconds(ContinuousClock.now - t0)))
            }
        }
        let buildSeconds = seconds(ContinuousClock.now - t0)
        say(
            String(
                format: "%@  built a %llu-entry log in %.0f s (%.0f appends/s in 20k-entry commits)", label, size, buildSeconds,
                Double(size) / buildSeconds))
        try await storage(app, label: label)
        let head = try await Ledger.head(of: id, on: app.db)
        var inclusion: [Double] = []
        var consistency: [Double] = []
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<proofs {
            let index = UInt64.random(in: 0..<head.size, using: &rng)
            let t = ContinuousClock.now
            let (leaf, path, root) = try await Ledger.inclusionProof(of: id, index: index, size: head.size, on: app.db)
            inclusion.append(seconds(ContinuousClock.now - t) * 1000)
            guard root == head.root, MerkleVerify.inclusion(leafHash: leaf, index: index, size: head.size, proof: path, root: root) else {
                throw Abort(.internalServerError, reason: "inclusion proof \(index) does not verify")
            }
            let from = UInt64.random(in: 1..<head.size, using: &rng)
            let t2 = ContinuousClock.now
            _ = try await Ledger.consistencyProof(of: id, from: from, to: head.size, on: app.db)
            consistency.append(seconds(ContinuousClock.now - t2) * 1000)
        }
        func pct(_ values: [Double], _ p: Double) -> Double {
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        say(
            String(
                format:
                    "%@  inclusion proofs on %llu entries: p50 %.3f ms, p99 %.3f ms (%d proofs, each read from the database and verified)",
                label, head.size, pct(inclusion, 0.5), pct(inclusion, 0.99), proofs))
        say(
            String(
                format: "%@  consistency proofs on %llu entries: p50 %.3f ms, p99 %.3f ms", label, head.size, pct(consistency, 0.5),
                pct(consistency, 0.99)))
    }

    /// Runs one measurement against a database, booting and shutting down the app around it.
    public static func with(_ config: AppConfig, _ body: @escaping (Application) async throws -> Void) async throws {
        var config = config
        config.runBackgroundJobs = false
        try await Runner.withApplication(config, serving: false) { app in
            try await app.autoMigrate()
            try await body(app)
        }
    }
}
