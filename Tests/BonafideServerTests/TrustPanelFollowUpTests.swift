import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// A trust panel viewed while its pair waits for the background job recomputes the pair there and then, and takes it
/// out of the queue: the pairs that read the pair's opinion must be queued as the job would have queued them, or the
/// change stops at the pair someone happened to look at.
@Suite("Trust follow-ups of a panel")
struct TrustPanelFollowUpTests {
    typealias Pair = TrustService.Pair

    @Test func aPanelViewedWhileItsPairWaitsPassesTheChangeOn() async throws {
        try await withTestApp { app in
            let alice = try await app.register("Alice", org: "Northwind")
            let bob = try await app.register("Bob", org: "Acme")
            let carla = try await app.register("Carla", org: "Kite")
            let dan = try await app.register("Dan", org: "Lumen")
            let northwind = try #require(UUID(uuidString: alice.organizationID))
            let acme = try #require(UUID(uuidString: bob.organizationID))
            let kite = try #require(UUID(uuidString: carla.organizationID))
            let lumen = try #require(UUID(uuidString: dan.organizationID))
            func rate(_ rater: Account, _ subject: Account, _ rating: Int) async throws {
                let r = try await app.api(
                    .POST, "/trust/\(subject.organizationID)/ratings", token: rater.token, json: #"{"rating":\#(rating)}"#)
                #expect(r.status == .created, "\(r.raw)")
            }
            func waiting() async throws -> Set<Pair> {
                Set(
                    try await TrustQueueItem.query(on: app.db).filter(\.$claimedUntil == nil).all()
                        .map { Pair(viewer: $0.$viewer.id, subject: $0.$subject.id) })
            }
            // Northwind trusts Acme and knows Kite a little; Acme trusts Kite; Lumen trusts Northwind and knows Acme a
            // little. Lumen's view of Acme goes through Northwind, and Northwind's view of Kite through Acme.
            try await rate(alice, bob, 10)
            try await rate(alice, carla, 5)
            try await rate(bob, carla, 10)
            try await rate(dan, alice, 10)
            try await rate(dan, bob, 5)
            var batches = 0
            while try await TrustService.drainBatch(on: app.db).claimed > 0, batches < 20 { batches += 1 }
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0, "settled after \(batches) batches")
            let readers = [Pair(viewer: northwind, subject: kite), Pair(viewer: lumen, subject: acme)]
            var before: [Pair: TrustService.Assessment] = [:]
            for pair in readers {
                before[pair] = try #require(
                    try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db), "\(pair)")
            }

            // Northwind turns against Acme: the pair waits for the job.
            try await rate(alice, bob, -10)
            try await rate(alice, bob, -10)
            #expect(try await waiting() == Set([Pair(viewer: northwind, subject: acme)]))
            // Alice opens the panel before the job runs: the pair is recomputed now and leaves the queue, and the pairs
            // that read Northwind's opinion of Acme wait in its place.
            let (seen, _) = try await TrustService.current(viewer: northwind, subject: acme, on: app.db)
            #expect(seen.evidenceCount == 3 && seen.overall.disbelief > 0.3, "\(seen.overall)")
            #expect(try await waiting() == Set(readers))
            #expect(try await TrustQueueItem.query(on: app.db).count() == 2)

            // The job takes them up: both see Acme's fall through the network.
            #expect(try await TrustService.drain(on: app.db) == 2)
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            for pair in readers {
                let old = try #require(before[pair])
                let new = try #require(
                    try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db), "\(pair)")
                #expect(new.network.intermediaries == 1, "\(pair)")
                #expect(
                    new.network.opinion.expectation < old.network.opinion.expectation - 0.01, "\(pair): \(old.network) → \(new.network)")
                #expect(new.overall.expectation < old.overall.expectation - 0.01, "\(pair): \(old.overall) → \(new.overall)")
            }
        }
    }
}
