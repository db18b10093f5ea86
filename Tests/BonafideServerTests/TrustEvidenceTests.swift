import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// What the demo's organizations see of each other as trust evidence, checked against the records themselves: the
/// evidence is read as plain rows of only the columns it needs, and must say the same as the records.
@Suite("Trust evidence")
struct TrustEvidenceTests {
    struct Count: Decodable { var n: Int }

    func count(_ query: SQLQueryString, _ app: Application) async throws -> Int {
        let sql = try #require(app.db as? any SQLDatabase)
        return try await sql.raw(query).first(decoding: Count.self)?.n ?? -1
    }

    func organization(_ name: String, _ app: Application) async throws -> UUID {
        try #require(try await Organization.query(on: app.db).filter(\.$name == name).first()?.id)
    }

    @Test func everyDemoPairSeesWhatTheRecordsHold() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            var pairs: [(viewer: UUID, subject: UUID)] = []
            for p in try await Partnership.query(on: app.db).all() {
                guard let partner = p.$partner.id else { continue }
                pairs.append((viewer: p.$organization.id, subject: partner))
                pairs.append((viewer: partner, subject: p.$organization.id))
            }
            #expect(pairs.count >= 6)
            var seen = 0
            for (viewer, subject) in pairs {
                let evidence = try await TrustService.evidence(viewer: viewer, subject: subject, at: now, on: app.db)
                let summaries = evidence.map(\.summary)
                seen += evidence.count
                // A promise delivered by its due date, by the records: one "on time" item each.
                let onTime = try await count(
                    """
                    SELECT COUNT(*) AS n FROM commitments
                    WHERE owner_organization_id = \(bind: subject) AND recipient_organization_id = \(bind: viewer)
                      AND status IN ('delivered', 'completed')
                      AND (COALESCE(delivered_at, completed_at) IS NULL OR COALESCE(delivered_at, completed_at) <= due_at)
                    """, app)
                let deliveredOnTime = evidence.filter { $0.kind == .deliveredOnTime && $0.summary.hasPrefix("Delivered “") }
                #expect(deliveredOnTime.count == onTime, "\(summaries)")
                #expect(deliveredOnTime.allSatisfy { $0.summary.contains("” on time (due ") && (0.5...3).contains($0.weight) })
                // Each meeting held in their check-ins, once.
                let held = try await count(
                    """
                    SELECT COUNT(*) AS n FROM check_in_meetings m
                    JOIN check_ins c ON c.id = m.check_in_id JOIN partnerships p ON p.id = c.partnership_id
                    WHERE m.status = 'held'
                      AND ((p.organization_id = \(bind: viewer) AND p.partner_organization_id = \(bind: subject))
                        OR (p.organization_id = \(bind: subject) AND p.partner_organization_id = \(bind: viewer)))
                    """, app)
                #expect(summaries.filter { $0.hasPrefix("Met in the check-in “") }.count == held, "\(summaries)")
                // Each scored answer of the viewer's people to the subject's surveys.
                let answered = try await count(
                    """
                    SELECT COUNT(*) AS n FROM survey_responses r
                    JOIN survey_recipients p ON p.id = r.recipient_id JOIN surveys s ON s.id = p.survey_id
                    WHERE s.organization_id = \(bind: subject) AND p.partner_organization_id = \(bind: viewer)
                      AND r.score IS NOT NULL
                    """, app)
                #expect(summaries.filter { $0.contains(" answered “") }.count == answered, "\(summaries)")
                // Incidents the subject caused the viewer, withdrawn ones left out.
                let incidents = try await count(
                    """
                    SELECT COUNT(*) AS n FROM incidents
                    WHERE responsible_organization_id = \(bind: subject) AND affected_organization_id = \(bind: viewer)
                      AND status <> 'withdrawn'
                    """, app)
                #expect(evidence.filter { $0.kind == .incident }.count == incidents, "\(summaries)")
            }
            #expect(seen > 20, "the demo's partners have a record")
        }
    }

    @Test func acmeSeesNorthwindsWorkInPlainWords() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            let acme = try await organization("Acme Retail", app)
            let northwind = try await organization("Northwind Studio", app)
            let dan = try #require(try await User.query(on: app.db).filter(\.$email == "dan@acme.example").first())
            let rating = TrustRating()
            rating.$rater.id = acme
            rating.$subject.id = northwind
            rating.rating = 8
            rating.comment = "Fixed the checkout the same day"
            rating.$author.id = try dan.requireID()
            rating.createdAt = now
            try await rating.save(on: app.db)

            let evidence = try await TrustService.evidence(viewer: acme, subject: northwind, at: now, on: app.db)
            let summaries = evidence.map(\.summary)
            // The rating carries the name of the person who gave it.
            let rated = evidence.first { $0.kind == .rating && $0.summary.hasPrefix("Rated ") }
            #expect(rated?.summary == "Rated +8 by Dan Brooks: “Fixed the checkout the same day”", "\(summaries)")
            #expect(rated?.value == 0.8)
            #expect(summaries.contains("You sent “Checkout flow wireframes” back: Guest checkout is missing"), "\(summaries)")
            #expect(summaries.contains { $0.hasPrefix("Delivered “Checkout flow wireframes” on time (due ") }, "\(summaries)")
            // Acme keeps Northwind among its trusted referrals: closeness and a vouch.
            let placed = evidence.first { $0.kind == .circlePlacement }
            #expect(placed?.summary == "In your trusted referrals circle" && placed?.value == Circle.trustedReferral.closeness)
            #expect(summaries.contains("You vouch for them as a trusted referral"))
            #expect(
                summaries.contains {
                    $0.hasPrefix("Your testimonial (") && $0.contains("“Northwind ran our storefront redesign with clear estimates")
                }, "\(summaries)")
            #expect(summaries.contains("Had a major incident: “Staging password posted in a shared channel”"), "\(summaries)")
            #expect(
                evidence.contains {
                    $0.kind == .incidentHandledOpenly
                        && $0.summary.hasPrefix("Handled “Staging password posted in a shared channel” openly")
                }, "\(summaries)")
            #expect(
                evidence.contains {
                    $0.kind == .deliveredOnTime
                        && $0.summary.hasPrefix("Answered support request “Checkout template breaks on small phones” in")
                }, "\(summaries)")
            #expect(summaries.filter { $0.hasPrefix("Met in the check-in “Storefront weekly” on ") }.count == 2, "\(summaries)")
            // Survey answers are named after the person who answered, and only Acme's people count here.
            let answers = summaries.filter { $0.contains(" answered “Client pulse” with ") }
            #expect(answers.contains("Carla Diaz answered “Client pulse” with 9: “Clear, honest updates and the design was on time.”"))
            #expect(answers.allSatisfy { $0.hasPrefix("Carla Diaz ") || $0.hasPrefix("Dan Brooks ") }, "\(answers)")

            // The other way round: Acme disclosed its own incident, at half the weight, and sits in Northwind's collaborators.
            let back = try await TrustService.evidence(viewer: northwind, subject: acme, at: now, on: app.db)
            let disclosed = back.first { $0.kind == .incident }
            #expect(disclosed?.summary == "Disclosed a minor incident: “Analytics access revoked by mistake”")
            #expect(disclosed?.weight == IncidentSeverity.minor.weight / 2)
            #expect(back.contains { $0.kind == .circlePlacement && $0.summary == "In your collaborators circle: “Our main retail client”" })
            #expect(back.contains { $0.kind == .rating && $0.summary.hasPrefix("Rated ") } == false, "Acme's rating is Acme's alone")
        }
    }

    @Test func theRecomputeStoresTheSubjectsNameAndReadsBackWhatItStored() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            var rounds = 0
            while try await TrustService.drain(limit: 10_000, at: now, on: app.db) > 0, rounds < 20 { rounds += 1 }
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            let acme = try await organization("Acme Retail", app)
            let northwind = try await organization("Northwind Studio", app)
            for (viewer, subject, name) in [(acme, northwind, "Northwind Studio"), (northwind, acme, "Acme Retail")] {
                let stored = try #require(try await TrustService.latest(viewer: viewer, subject: subject, on: app.db))
                #expect(stored.assessment.subjectName == name)
                #expect(stored.assessment.evidenceCount > 5)
                // What the recompute compares a fresh assessment with is the newest stored one, whole.
                #expect(try await TrustService.latestAssessment(viewer: viewer, subject: subject, on: app.db) == stored.assessment)
            }
            #expect(try await TrustService.latestAssessment(viewer: acme, subject: acme, on: app.db) == nil)
        }
    }
}
