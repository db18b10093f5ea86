import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// The background recompute as the server runs it: woken by the writes that queue pairs, not only at its interval.
@Suite("The trust recompute job")
struct TrustJobTests {
    @Test func aWriteThatQueuesPairsIsRecomputedWithoutWaitingForTheInterval() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let b = try await app.register("Bob", org: "Acme")
            let viewer = try #require(UUID(uuidString: a.organizationID))
            let subject = try #require(UUID(uuidString: b.organizationID))
            // The job as the server runs it, with an interval no test waits for: only a wake-up can start it again.
            app.lifecycle.use(PeriodicJob.trustRecompute(every: .seconds(3600)))
            try await app.asyncBoot()
            // Its first run, at boot, finds nothing queued; then it sleeps for the interval unless woken.
            try await Task.sleep(for: .milliseconds(300))
            // Read from the stored snapshots, as the job left them: asking the API would compute the pair on view.
            func snapshots() async throws -> Int {
                try await TrustSnapshot.query(on: app.db).filter(\.$viewer.$id == viewer).filter(\.$subject.$id == subject).count()
            }
            func recomputed(beyond stored: Int) async throws -> Bool {
                for _ in 0..<100 {
                    if try await snapshots() > stored, try await TrustQueueItem.query(on: app.db).count() == 0 { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            for (stored, rating) in [8, -3].enumerated() {
                let rated = try await app.api(
                    .POST, "/trust/\(b.organizationID)/ratings", token: a.token, json: #"{"rating":\#(rating)}"#)
                #expect(rated.status == .created, "\(rated.raw)")
                #expect(try await recomputed(beyond: stored), "the rating \(rating) was recomputed within 5 s, not in an hour")
            }
        }
    }

    /// Within a pass the job keeps the network from batch to batch instead of reading it for each: before every batch
    /// it must be what a read would give, walk included, or the figures stored would not be those of a batch that
    /// read it; and an opinion written by someone else in between (a page computing its pair on view) must be seen.
    @Test func aPassKeepsTheNetworkAReadWouldGiveAndReadsItAgainAfterAnotherWriter() async throws {
        try await withTestApp { app in
            let now = Date()
            // Every organization partners with every other: each batch's new opinions reach the pairs of the next.
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            var pass = TrustDrainPass()
            var batches = 0
            var changed = 0
            while batches < 1_000 {
                if batches > 0 {
                    #expect(pass.holdsNetwork)
                    // Nobody else wrote: the held network is used again, not read.
                    let held = try await pass.network(on: app.db)
                    #expect(try await TrustOpinions.checksum(on: app.db) == TrustOpinions.checksum(of: held.opinions))
                    let read = try await TrustNetwork.load(on: app.db)
                    let differ = differences(held, read)
                    #expect(differ.isEmpty, "before batch \(batches): \(differ.prefix(5))")
                }
                let batch = try await TrustService.drainBatch(limit: 25, at: now, within: &pass, on: app.db)
                guard batch.claimed > 0 else { break }
                batches += 1
                changed += batch.changed
            }
            #expect(batches >= 3, "several batches")
            #expect(changed >= 40, "which stored opinions")
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)

            // A page computes a pair on view and stores a new opinion of it between two batches.
            let pair = try #require(try await TrustOpinions.all(on: app.db).keys.first)
            var shown = try #require(try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db))
            shown.computedAt = now.addingTimeInterval(60)
            shown.overall = Opinion(belief: 0.123, disbelief: 0.456, uncertainty: 0.421)
            try await TrustService.store([shown], on: app.db)
            let next = try await pass.network(on: app.db)
            #expect(next.opinion(pair) == shown.overall, "the batch after it reads the network again")
            let read = try await TrustNetwork.load(on: app.db)
            let differ = differences(next, read)
            #expect(differ.isEmpty, "after another writer: \(differ.prefix(5))")
        }
    }

    /// Where two networks differ: in an opinion, or in a view of a subject (one hop, or the walk's standing) from a
    /// viewer that holds an opinion of it or that it holds one of.
    func differences(_ kept: TrustNetwork, _ read: TrustNetwork) -> [String] {
        guard kept.opinions == read.opinions else { return ["the opinions"] }
        var (kept, read) = (kept, read)
        var found: [String] = []
        for pair in read.opinions.keys {
            for (viewer, subject) in [(pair.viewer, pair.subject), (pair.subject, pair.viewer)] {
                let (a, b) = (kept.network(viewer: viewer, subject: subject), read.network(viewer: viewer, subject: subject))
                if a.intermediaries != b.intermediaries || abs(a.opinion.expectation - b.opinion.expectation) > 1e-9
                    || abs(a.opinion.uncertainty - b.opinion.uncertainty) > 1e-9 || abs((a.standing ?? -1) - (b.standing ?? -1)) > 1e-9
                {
                    found.append("\(viewer) of \(subject): \(a) against \(b)")
                }
            }
        }
        return found
    }
}
