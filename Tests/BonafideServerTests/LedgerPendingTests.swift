import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// A write transaction's log entries are appended when its work is done (`PendingWrites`): each partnership's in the
/// order they were made, nothing from work that failed, and, on PostgreSQL, the log head left unlocked until then.
@Suite("Log entries appended at the end of a write")
struct LedgerPendingTests {
    func types(in id: UUID, _ app: Application) async throws -> [String] {
        let size = try await Ledger.head(of: id, on: app.db).size
        return try await Ledger.storedEntries(of: id, from: 0, to: size, on: app.db.sql()).map { stored in
            let object = try JSONSerialization.jsonObject(with: Data(stored.entry.utf8)) as? [String: Any]
            return object?["type"] as? String ?? "?"
        }
    }

    func partnership(_ app: Application) async throws -> Partnership {
        try #require(try await Partnership.find(try await LedgerBenchmark.partnership(on: app.db), on: app.db))
    }

    struct Stop: Error {}

    @Test func entriesLandInTheirOrderOncePerPartnershipAndNotAtAllFromFailedWork() async throws {
        try await withTestApp { app in
            let first = try await partnership(app)
            let second = try await partnership(app)
            let sizesDuringWork = try await app.db.writeTransaction { tx in
                try await Timeline.append(first, actor: nil, kind: "record.one", summary: "One", on: tx)
                try await Timeline.append(second, actor: nil, kind: "record.other", summary: "Other", on: tx)
                try await Timeline.append(first, actor: nil, kind: "record.two", summary: "Two", on: tx)
                // The events and the log both land when the work is done.
                let events = try await PartnershipEvent.query(on: tx).filter(\.$partnership.$id == first.id!).count()
                return [UInt64(events), try await Ledger.head(of: first.id!, on: tx).size]
            }
            #expect(sizesDuringWork == [0, 0])
            #expect(try await types(in: first.id!, app) == ["record.one", "record.two"])
            #expect(try await types(in: second.id!, app) == ["record.other"])

            await #expect(throws: Stop.self) {
                try await app.db.writeTransaction { tx in
                    try await Timeline.append(first, actor: nil, kind: "record.lost", summary: "Lost", on: tx)
                    throw Stop()
                }
            }
            #expect(try await types(in: first.id!, app) == ["record.one", "record.two"])
            let events = try await PartnershipEvent.query(on: app.db).filter(\.$partnership.$id == first.id!).all(\.$kind)
            #expect(events.sorted() == ["record.one", "record.two"])

            // A plain transaction (no collector) appends at once, as before.
            try await app.db.transaction { tx in
                try await Timeline.append(first, actor: nil, kind: "record.three", summary: "Three", on: tx)
                #expect(try await Ledger.head(of: first.id!, on: tx).size == 3)
            }
            #expect(try await types(in: first.id!, app) == ["record.one", "record.two", "record.three"])
        }
    }

    /// On PostgreSQL writes to one partnership run at once, each holding its log head's row lock from its append to
    /// its commit. A write still at work has not taken the lock: another write to the partnership commits meanwhile.
    /// (On SQLite the one writer runs writes one after the other, so there is nothing to show.)
    @Test func aWriteStillAtWorkDoesNotHoldUpAnotherWriteToThePartnership() async throws {
        guard isPostgres else { return }
        try await withTestApp { app in
            let p = try await partnership(app)
            let (started, startedGo) = AsyncStream<Void>.makeStream()
            let (release, releaseGo) = AsyncStream<Void>.makeStream()
            let slow = Task {
                // A write that fails before it signals must not leave the test waiting for the signal.
                defer { startedGo.finish() }
                try await app.db.writeTransaction { tx in
                    try await Timeline.append(p, actor: nil, kind: "record.slow", summary: "Slow", on: tx)
                    startedGo.yield()
                    for await _ in release { break }
                }
            }
            for await _ in started { break }
            let fast = Task {
                _ = try await app.db.writeTransaction { tx -> UUID in
                    try await Timeline.append(p, actor: nil, kind: "record.fast", summary: "Fast", on: tx)
                }
            }
            // The fast write commits while the slow one is still at work. Were the head locked at the slow one's append,
            // the fast one would wait for it until the release below, after these 20 s.
            var committedMeanwhile = false
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if try await types(in: p.id!, app) == ["record.fast"] {
                    committedMeanwhile = true
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            releaseGo.yield()
            try await fast.value
            try await slow.value
            #expect(committedMeanwhile)
            #expect(try await types(in: p.id!, app) == ["record.fast", "record.slow"])
        }
    }

    /// A write inserts its event after it locked the log head, and the event's foreign key then waits for any lock on
    /// the partnership's row that keeps out key sharers. An action that locked that row (`lockedRow`) and then
    /// appends waits for the head: were its lock `FOR UPDATE`, the two would wait for each other until PostgreSQL
    /// broke the deadlock by failing one of them.
    @Test func anActionHoldingThePartnershipsRowAndAWriteHoldingItsHeadBothCommit() async throws {
        guard isPostgres else { return }
        try await withTestApp { app in
            let p = try await partnership(app)
            // The log has a head to lock, as every partnership's has from its creation on.
            _ = try await app.db.writeTransaction { tx -> UUID in
                try await Timeline.append(p, actor: nil, kind: "record.first", summary: "First", on: tx)
            }
            let (locked, lockedGo) = AsyncStream<Void>.makeStream()
            let action = Task {
                defer { lockedGo.finish() }
                try await app.db.writeTransaction { tx in
                    _ = try await tx.lockedRow(Partnership.self, p.id!)
                    lockedGo.yield()
                    // The write below takes the head and, without waiting for this lock, commits. Were it waiting, it
                    // would hold the head until after these 20 s, and the append below would close the circle.
                    let deadline = Date().addingTimeInterval(20)
                    while Date() < deadline, try await types(in: p.id!, app) != ["record.first", "record.write"] {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    try await Timeline.append(p, actor: nil, kind: "record.action", summary: "Action", on: tx)
                }
            }
            for await _ in locked { break }
            _ = try await app.db.writeTransaction { tx -> UUID in
                try await Timeline.append(p, actor: nil, kind: "record.write", summary: "Write", on: tx)
            }
            try await action.value
            #expect(try await types(in: p.id!, app) == ["record.first", "record.write", "record.action"])
        }
    }

    /// The head an append finds decides whether the tiles it remembers may be used: never those of a head another
    /// server moved on, or of an append that rolled back.
    @Test func rememberedTilesAreUsedOnlyForTheHeadTheyWereMadeFor() async throws {
        try await withTestApp { app in
            let p = try await partnership(app)
            var tree = MerkleTree()
            func append(_ n: Int) async throws {
                let entry = LedgerEntry(partnership: p.id!, type: "record.n", actor: nil, time: Date(), payload: ["n": "\(n)"])
                _ = try await app.db.transaction { try await Ledger.append(entry, partnership: p.id!, on: $0) }
                tree.append(entry: entry.canonical)
            }
            for n in 0..<3 { try await append(n) }
            // Another server's append, and one of this server's that rolled back after it remembered its tiles.
            let other = LedgerEntry(partnership: p.id!, type: "record.elsewhere", actor: nil, time: Date(), payload: [:])
            let stale = try await Ledger.head(of: p.id!, on: app.db)
            try await app.db.transaction { try await Ledger.append(other, partnership: p.id!, on: $0) }
            tree.append(entry: other.canonical)
            await #expect(throws: Stop.self) {
                try await app.db.transaction { tx in
                    try await Ledger.append(
                        LedgerEntry(partnership: p.id!, type: "record.undone", actor: nil, time: Date(), payload: [:]), partnership: p.id!,
                        on: tx)
                    throw Stop()
                }
            }
            // The next append finds a head that is not the rolled-back one it remembered.
            try await append(4)
            // As if this server had not seen the other's append: tiles remembered for a head of the size the log has now
            // but with the root it had before; only the root tells them apart.
            Ledger.EdgeMemo.shared.remember(
                [Ledger.TileKey(level: 0, index: 0): Array(repeating: 7, count: 4 * 32)], of: p.id!, size: tree.size,
                root: Ledger.hex(stale.root))
            for n in 5..<300 { try await append(n) }
            #expect(try await Ledger.head(of: p.id!, on: app.db).root == tree.root)
            let (leaf, proof, root) = try await Ledger.inclusionProof(of: p.id!, index: 3, size: tree.size, on: app.db)
            #expect(MerkleVerify.inclusion(leafHash: leaf, index: 3, size: tree.size, proof: proof, root: root) && root == tree.root)
        }
    }
}
