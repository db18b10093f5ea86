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
    /// No time limit: the writes stop after 10,000 anyway, and under the whole PostgreSQL suite's load a limit was
    /// reached before the pass began (the test waited its turn for a thread, as `SQLiteLayerTests`' writer test did).
    @Test func aPassEndsWhenOnlyPairsItRecomputedAreQueuedAgain() async throws {
        try await withTestApp { app in
            let alice = try await app.register("Alice", org: "Northwind")
            let bob = try await app.register("Bob", org: "Acme")
            let northwind = try #require(UUID(uuidString: alice.organizationID))
            let acme = try #require(UUID(uuidString: bob.organizationID))
            let r = try await app.api(.POST, "/trust/\(bob.organizationID)/ratings", token: alice.token, json: #"{"rating":7}"#)
            #expect(r.status == .created, "\(r.raw)")
            try await app.db.writeTransaction { tx in
                try await TrustService.enqueue([(northwind, acme), (acme, northwind)], at: Date(), on: tx)
            }
            let done = NIOLockedValueBox(false)
            // Writes queue both directions again every millisecond, up to 10,000 times, until the pass is over. With
            // no third organization nothing follows up, so the pass takes the two (both queued before it starts) once,
            // and a batch of the two again (or nothing) ends it.
            async let queued: Int = {
                var count = 0
                while !done.withLockedValue({ $0 }), count < 10_000 {
                    try await app.db.writeTransaction { tx in
                        try await TrustService.enqueue([(northwind, acme), (acme, northwind)], at: Date(), on: tx)
                    }
                    count += 1
                    try await Task.sleep(for: .milliseconds(1))
                }
                return count
            }()
            let batches = try await TrustService.drainPass(on: app.db)
            done.withLockedValue { $0 = true }
            let writes = try await queued
            #expect(batches >= 1 && batches <= 2, "\(batches) batches")
            #expect(writes < 10_000, "the pass ran until the writes stopped")
            // What it left waits for the next pass, which takes it.
            try await TrustService.drainPass(on: app.db)
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            #expect(try await TrustService.latestAssessment(viewer: northwind, subject: acme, on: app.db) != nil)
        }
    }
}
