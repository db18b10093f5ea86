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
            // Started by hand: the requests above booted the application already, so `asyncBoot` would start nothing.
            let job = PeriodicJob.trustRecompute(every: .seconds(3600))
            app.lifecycle.use(job)
            try await job.didBootAsync(app)
            // Its first run, at boot, finds nothing queued; then it sleeps for the interval unless woken.
            try await Task.sleep(for: .milliseconds(300))
            // Read from the stored snapshots, as the job left them: asking the API would compute the pair on view.
            func snapshots() async throws -> Int {
                try await TrustSnapshot.query(on: app.db).filter(\.$viewer.$id == viewer).filter(\.$subject.$id == subject).count()
            }
            func recomputed(beyond stored: Int) async throws -> Bool {
                for _ in 0..<600 {
                    if try await snapshots() > stored, try await TrustQueueItem.query(on: app.db).count() == 0 { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            for (stored, rating) in [8, -3].enumerated() {
                let rated = try await app.api(
                    .POST, "/trust/\(b.organizationID)/ratings", token: a.token, json: #"{"rating":\#(rating)}"#)
                #expect(rated.status == .created, "\(rated.raw)")
                #expect(try await recomputed(beyond: stored), "the rating \(rating) was recomputed within 30 s, not in an hour")
            }
        }
    }

    /// The job running at shutdown, as at a deploy or at the end of a test: shutdown cancels it and waits for its pass
    /// before the databases close (and, on PostgreSQL, before the test's schema is dropped under it).
    @Test func shutdownRightAfterAWriteWaitsForThePassAndLogsNoError() async throws {
        let log = LogCapture()
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let b = try await app.register("Bob", org: "Acme")
            app.logger = log.logger()
            // What is asserted is that shutdown waits for the pass and nothing fails, not how fast the pass is: in the
            // whole suite beside a build (600 tests on two cores) one pass has taken more than the usual 5 s.
            app.backgroundJobs.grace = .seconds(120)
            let job = PeriodicJob.trustRecompute(every: .seconds(3600))
            app.lifecycle.use(job)
            try await job.didBootAsync(app)
            // Queues a pair and wakes the job; the application shuts down at once, its pass about to start or under way.
            let rated = try await app.api(.POST, "/trust/\(b.organizationID)/ratings", token: a.token, json: #"{"rating":8}"#)
            #expect(rated.status == .created, "\(rated.raw)")
        }
        #expect(log.messages(atLeast: .error).isEmpty, "\(log.messages(atLeast: .error))")
        let stuck = log.messages(atLeast: .warning).filter { $0.contains("still running") }
        #expect(stuck.isEmpty, "\(stuck)")
    }
}
