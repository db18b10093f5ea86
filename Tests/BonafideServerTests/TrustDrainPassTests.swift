import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import BonafideServer

/// The background recompute's pass ends once the queue holds only pairs it recomputed already: a stream of writes to
/// one partnership queues the same pairs again and again, and a pass that ran until the queue was empty recomputed
/// them back to back for as long as the writes went on.
@Suite("Trust drain pass")
struct TrustDrainPassTests {
    @Test(.timeLimit(.minutes(2))) func aPassEndsWhenOnlyPairsItRecomputedAreQueuedAgain() async throws {
        try await withTestApp { app in
            let alice = try await app.register("Alice", org: "Northwind")
            let bob = try await app.register("Bob", org: "Acme")
            let northwind = try #require(UUID(uuidString: alice.organizationID))
            let acme = try #require(UUID(uuidString: bob.organizationID))
            let r = try await app.api(.POST, "/trust/\(bob.organizationID)/ratings", token: alice.token, json: #"{"rating":7}"#)
            #expect(r.status == .created, "\(r.raw)")
            let done = NIOLockedValueBox(false)
            // Writes queue the pair again every millisecond, up to 2,000 times, until the pass is over.
            async let queued: Int = {
                var count = 0
                while !done.withLockedValue({ $0 }), count < 2_000 {
                    try await app.db.writeTransaction { tx in
                        try await TrustService.enqueue(viewer: northwind, subject: acme, at: Date(), on: tx)
                    }
                    count += 1
                    try await Task.sleep(for: .milliseconds(1))
                }
                return count
            }()
            let batches = try await TrustService.drainPass(on: app.db)
            done.withLockedValue { $0 = true }
            let writes = try await queued
            #expect(batches >= 1 && batches <= 3, "\(batches) batches")
            #expect(writes < 2_000, "the pass ran until the writes stopped")
            // What it left waits for the next pass, which takes it.
            try await TrustService.drainPass(on: app.db)
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            #expect(try await TrustService.latestAssessment(viewer: northwind, subject: acme, on: app.db) != nil)
        }
    }
}
