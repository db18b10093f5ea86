import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// A batch of the background recompute reads its pairs' evidence together: one row it cannot read must not hold back
/// the other pairs (they would be claimed together with it again and again), and the pair it belongs to must stay
/// queued for a later try, not be dropped.
@Suite("Trust drain with an unreadable row")
struct TrustDrainFailureTests {
    @Test func aPairWhoseEvidenceCannotBeReadStaysQueuedAndTheOthersAreRecomputed() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            var rounds = 0
            while try await TrustService.drainBatch(limit: 500, at: now, on: app.db).claimed > 0, rounds < 50 { rounds += 1 }
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            // An incident whose severity this version does not know (a newer server wrote it, or a bad restore).
            let incident = try #require(try await Incident.query(on: app.db).first())
            try await (app.db as! any SQLDatabase).raw(
                "UPDATE incidents SET severity = \(bind: "unheard-of") WHERE id = \(bind: try incident.requireID())"
            ).run()
            let broken = TrustService.Pair(viewer: incident.$affected.id, subject: incident.$responsible.id)
            // The incident is evidence between its two sides, whichever way one looks.
            let reverse = TrustService.Pair(viewer: broken.subject, subject: broken.viewer)
            let others = try await TrustOpinions.all(on: app.db).keys.filter { $0 != broken && $0 != reverse }
            #expect(others.count >= 4)
            try await TrustService.enqueue(([broken] + others).map { ($0.viewer, $0.subject) }, at: now, on: app.db)
            let batch = try await TrustService.drainBatch(limit: 500, at: now.addingTimeInterval(86_400), on: app.db)
            #expect(batch.claimed == others.count + 1)
            // Only the broken pair is held, until its lease runs out; the others were recomputed and finished (what
            // their new figures queued in turn waits unclaimed, and goes on the next batches).
            func held() async throws -> Set<TrustService.Pair> {
                Set(
                    try await TrustQueueItem.query(on: app.db).filter(\.$claimedUntil != nil).all()
                        .map { TrustService.Pair(viewer: $0.$viewer.id, subject: $0.$subject.id) })
            }
            #expect(try await held() == [broken])
            var more = 0
            while try await TrustService.drainBatch(limit: 500, at: now.addingTimeInterval(86_400), on: app.db).claimed > 0, more < 20 {
                more += 1
            }
            #expect(try await held() == [broken])
            #expect(try await TrustQueueItem.query(on: app.db).filter(\.$claimedUntil == nil).count() == 0, "the rest drained")
        }
    }
}
