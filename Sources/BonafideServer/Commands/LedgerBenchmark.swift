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
