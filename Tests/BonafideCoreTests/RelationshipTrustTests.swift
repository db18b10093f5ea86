import BonafideCore
import Foundation
import Testing

@Suite("Relationship trust")
struct RelationshipTrustTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }
    let model = RelationshipTrust()

    func kept(_ n: Int, everyDays: Double, weight: Double = 1) -> [TrustEvidence] {
        (0..<n).map {
            TrustEvidence(
                kind: .deliveredOnTime, date: daysAgo(Double($0) * everyDays), weight: weight, summary: "Delivered #\($0) on time")
        }
    }

    @Test func noEvidenceIsAllUncertainty() {
        let report = model.assess([], at: now)
        #expect(report.overall == .vacuous())
        #expect(report.components.allSatisfy { $0.opinion.uncertainty == 1 })
        #expect(report.explanation.isEmpty)
        // The neutral equation: every part at 5.5 on Maister's scale gives (5.5 * 3) / 5.5 = 3.
        #expect(abs(report.trustQuotient - 3) < 1e-12)
    }

    @Test func aLongRecordIsConfidentAFewItemsAreNot() {
        let few = model.assess(kept(2, everyDays: 14), at: now)
        let many = model.assess(kept(40, everyDays: 14), at: now)
        #expect(few.overall.uncertainty > 0.4)
        #expect(many.overall.uncertainty < 0.15, "decay keeps old items from counting fully")
        #expect(many.component(.reliability).value > few.component(.reliability).value)
        #expect(many.component(.credibility).opinion.uncertainty == 1, "no evidence of credibility yet")
    }

    @Test func aBurstOfTrivialPromisesCannotBuyTrust() {
        // 100 tiny promises kept in one afternoon versus 10 real ones kept over ten weeks.
        let burst = (0..<100).map {
            TrustEvidence(kind: .deliveredOnTime, date: now.addingTimeInterval(-Double($0) * 60), weight: 0.2, summary: "tiny \($0)")
        }
        let steady = kept(10, everyDays: 7)
        let burstReport = model.assess(burst, at: now)
        let steadyReport = model.assess(steady, at: now)
        #expect(burstReport.overall.uncertainty > steadyReport.overall.uncertainty)
        #expect(burstReport.overall.expectation < steadyReport.overall.expectation)
        // Even at full size, one week's positive evidence for a component is capped.
        let bigBurst = (0..<50).map {
            TrustEvidence(kind: .deliveredOnTime, date: now.addingTimeInterval(-Double($0) * 60), summary: "big \($0)")
        }
        #expect(abs(model.assess(bigBurst, at: now).component(.reliability).opinion.evidence.positive - 3) < 0.01)
    }

    @Test func negativeEvidenceIsNotCappedAndOldEvidenceFades() {
        let misses = (0..<10).map { TrustEvidence(kind: .missed, date: now.addingTimeInterval(-Double($0) * 60), summary: "missed \($0)") }
        #expect(abs(model.assess(misses, at: now).component(.reliability).opinion.evidence.negative - 15) < 0.01)
        let recentMiss = [TrustEvidence(kind: .missed, date: daysAgo(1), summary: "recent")]
        let oldMiss = [TrustEvidence(kind: .missed, date: daysAgo(360), summary: "old")]
        // 360 days = two half-lives: a quarter of the weight.
        #expect(abs(model.assess(oldMiss, at: now).overall.evidence.negative - 1.5 / 4) < 0.01)
        #expect(model.assess(oldMiss, at: now).overall.expectation > model.assess(recentMiss, at: now).overall.expectation)
        let fastModel = RelationshipTrust(halfLifeDays: 30)
        #expect(fastModel.assess(oldMiss, at: now).overall.expectation > model.assess(oldMiss, at: now).overall.expectation)
    }

    @Test func componentsComeFromTheirOwnEvidence() {
        let evidence = [
            TrustEvidence(kind: .credentialVerified, date: daysAgo(10), summary: "ISO 27001 certificate verified"),
            TrustEvidence(kind: .requestIgnored, date: daysAgo(3), summary: "Did not answer “Can you share the test plan?”"),
            TrustEvidence(kind: .requestIgnored, date: daysAgo(20), summary: "Did not answer “Status?”"),
            TrustEvidence(kind: .circlePlacement, date: daysAgo(30), value: 1, summary: "In your trusted-referral circle"),
        ]
        let report = model.assess(evidence, at: now)
        #expect(report.component(.credibility).value > 0.5)
        #expect(report.component(.intimacy).value > 0.5)
        #expect(report.component(.selfOrientation).value > 0.5, "ignoring requests is self-oriented")
        #expect(report.component(.reliability).opinion.uncertainty == 1)
        let neutral = model.assess([], at: now)
        #expect(report.trustQuotient != neutral.trustQuotient)
    }

    @Test func theExplanationNamesWhatMovedTheFigureMost() {
        let evidence =
            kept(5, everyDays: 7) + [
                TrustEvidence(kind: .missed, date: daysAgo(2), weight: 3, summary: "Missed “Launch checklist” (large)"),
                TrustEvidence(kind: .rating, date: daysAgo(4), value: 0.8, summary: "Rated 8/10 by Dan"),
            ]
        let report = model.assess(evidence, at: now)
        #expect(report.explanation.first?.summary == "Missed “Launch checklist” (large)")
        #expect(report.explanation.first!.effect < 0)
        #expect(report.explanation.contains { $0.summary == "Rated 8/10 by Dan" && $0.effect > 0 })
        #expect(report.explanation.count == 5)
    }

    @Test func theBaseRateIsWhereAStrangerStarts() {
        let stranger = model.assess([], at: now, baseRate: 0.2)
        #expect(abs(stranger.overall.expectation - 0.2) < 1e-12)
        let known = model.assess(kept(30, everyDays: 7), at: now, baseRate: 0.2)
        #expect(known.overall.expectation > 0.8)
    }
}
