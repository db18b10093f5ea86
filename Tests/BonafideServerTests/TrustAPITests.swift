import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Trust over the API and the web")
struct TrustAPITests {
    /// Bob (Acme) promises two things to Northwind: one kept on time, one missed. Alice asks, Bob answers.
    func acmeRecord(_ app: Application) async throws -> (a: Account, b: Account, pid: String) {
        let (a, b, pid) = try await app.activePartnership()
        func propose(_ title: String) async throws -> String {
            let r = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: b.token,
                json: #"{"title":"\#(title)","dueAt":"\#(rfc3339(Date().addingTimeInterval(5 * 86_400)))"}"#)
            #expect(r.status == .created, "\(r.raw)")
            return r.body["id"] as? String ?? ""
        }
        func act(_ token: String, _ cid: String, _ action: String) async throws {
            let r = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: token, json: #"{"action":"\#(action)"}"#)
            #expect(r.status == .ok, "\(action): \(r.raw)")
        }
        let design = try await propose("Design system")
        try await act(a.token, design, "accept")
        try await act(b.token, design, "deliver")
        try await act(a.token, design, "approveDelivery")
        let copy = try await propose("Launch copy")
        try await act(a.token, copy, "accept")
        #expect(try await Commitments.sweepOverdue(now: Date().addingTimeInterval(6 * 86_400), on: app.db) == 1)
        let asked = try await app.api(
            .POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"subject":"Fonts","body":"Which fonts?","needsResponse":true}"#
        )
        let thread = asked.body["threadId"] as? String ?? ""
        let answered = try await app.api(
            .POST, "/partnerships/\(pid)/messages", token: b.token, json: #"{"threadId":"\#(thread)","body":"Inter and Source Serif."}"#)
        #expect(answered.status == .created, "\(answered.raw)")
        return (a, b, pid)
    }

    func components(_ body: [String: Any]) -> [String: [String: Any]] {
        (body["components"] as? [[String: Any]] ?? []).reduce(into: [:]) { $0[$1["component"] as? String ?? ""] = $1 }
    }

    func summaries(_ body: [String: Any]) -> [String] {
        (body["explanation"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
    }

    @Test func trustComesFromTheRecordWithUncertaintyExplanationAndHistory() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await acmeRecord(app)
            let r = try await app.api(.GET, "/trust/\(b.organizationID)", token: a.token)
            #expect(r.status == .ok, "\(r.raw)")
            #expect(r.body["organizationName"] as? String == "Acme")
            let overall = r.body["overall"] as? [String: Any] ?? [:]
            let uncertainty = overall["uncertainty"] as? Double ?? 1
            #expect(uncertainty > 0.2 && uncertainty < 0.9, "a short record leaves real uncertainty")
            let parts = components(r.body)
            #expect(Set(parts.keys) == ["credibility", "reliability", "intimacy", "selfOrientation"])
            #expect(parts["reliability"]?["evidenceCount"] as? Int == 2)
            #expect(parts["credibility"]?["evidenceCount"] as? Int == 0)
            #expect(parts["selfOrientation"]?["evidenceCount"] as? Int == 1, "one request answered")
            let why = summaries(r.body)
            #expect(why.first?.hasPrefix("Missed “Launch copy”") == true, "\(why)")
            #expect(why.contains { $0.hasPrefix("Delivered “Design system” on time") })
            #expect(why.contains { $0.hasPrefix("Answered your request in “Fonts”") })
            #expect((r.body["history"] as? [Any])?.count == 1)
            // Another organization sees none of Northwind's evidence about Acme: Acme is a stranger to it.
            let carla = try await app.register("Carla", org: "Kite")
            let outsider = try await app.api(.GET, "/trust/\(b.organizationID)", token: carla.token)
            #expect(outsider.status == .ok)
            #expect(outsider.body["evidenceCount"] as? Int == 0)
            #expect(summaries(outsider.body).isEmpty)
            #expect((outsider.body["overall"] as? [String: Any])?["uncertainty"] as? Double == 1)
            // The other direction is separate: Acme's view of Northwind has no promises in it.
            let back = try await app.api(.GET, "/trust/\(a.organizationID)", token: b.token)
            #expect(components(back.body)["reliability"]?["evidenceCount"] as? Int == 0)
        }
    }

    @Test func aRatingIsEvidenceAndStartsANewHistoryPoint() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await acmeRecord(app)
            let before = try await app.api(.GET, "/trust/\(b.organizationID)", token: a.token)
            let rated = try await app.api(
                .POST, "/trust/\(b.organizationID)/ratings", token: a.token, json: #"{"rating":8,"comment":"Great designers"}"#)
            #expect(rated.status == .created, "\(rated.raw)")
            #expect(rated.body["rating"] as? Int == 8)
            let pair = TrustQueueItem.query(on: app.db).filter(\.$viewer.$id == UUID(uuidString: a.organizationID)!)
                .filter(\.$subject.$id == UUID(uuidString: b.organizationID)!)
            #expect(try await pair.count() == 1, "the rating queued a recompute")
            let after = try await app.api(.GET, "/trust/\(b.organizationID)", token: a.token)
            #expect(summaries(after.body).contains("Rated +8 by Alice: “Great designers”"))
            #expect(components(after.body)["credibility"]?["evidenceCount"] as? Int == 1)
            #expect((after.body["history"] as? [Any])?.count == 2)
            let e0 = (before.body["overall"] as? [String: Any])?["expectation"] as? Double ?? 0
            let e1 = (after.body["overall"] as? [String: Any])?["expectation"] as? Double ?? 0
            #expect(e1 > e0)
            #expect(try await pair.count() == 0, "reading it recomputed it")
        }
    }

    @Test func badRatingsAreRefusedAndChangeNothing() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let cases: [(String, String, HTTPStatus, String?)] = [
                (b.organizationID, #"{"rating":11}"#, .unprocessableEntity, "rating"),
                (b.organizationID, #"{"rating":0}"#, .unprocessableEntity, "rating"),
                (b.organizationID, #"{"rating":"high"}"#, .unprocessableEntity, nil),
                (b.organizationID, #"{"rating":5,"comment":"\#(String(repeating: "x", count: 1_001))"}"#, .unprocessableEntity, "comment"),
                (a.organizationID, #"{"rating":10}"#, .unprocessableEntity, nil),
                (UUID().uuidString, #"{"rating":5}"#, .notFound, nil),
                ("not-an-id", #"{"rating":5}"#, .notFound, nil),
            ]
            for (org, json, status, field) in cases {
                let r = try await app.api(.POST, "/trust/\(org)/ratings", token: a.token, json: json)
                #expect(r.status == status, "\(json): \(r.raw)")
                #expect(r.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                if let field { #expect(r.body["field"] as? String == field, "\(r.raw)") }
            }
            #expect(try await app.api(.POST, "/trust/\(b.organizationID)/ratings", json: #"{"rating":5}"#).status == .unauthorized)
            #expect(try await app.api(.GET, "/trust/\(b.organizationID)").status == .unauthorized)
            #expect(try await app.api(.GET, "/trust/\(UUID().uuidString)", token: a.token).status == .notFound)
            #expect(try await app.api(.GET, "/trust/\(a.organizationID)", token: a.token).status == .unprocessableEntity)
            #expect(try await TrustRating.query(on: app.db).count() == 0)
        }
    }

    @Test func aStrangerIsUncertainAndTheNetworkSetsWhereTheyStart() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let carla = try await app.register("Carla", org: "Kite")
            // Northwind knows nothing of Kite's partner Acme through Kite yet: Acme is a stranger to Carla.
            let stranger = try await app.api(.GET, "/trust/\(b.organizationID)", token: carla.token)
            #expect(stranger.status == .ok)
            #expect((stranger.body["overall"] as? [String: Any])?["uncertainty"] as? Double == 1)
            #expect(stranger.body["evidenceCount"] as? Int == 0)
            // Kite thinks well of Acme; Northwind thinks well of Kite.
            for _ in 0..<3 {
                _ = try await app.api(.POST, "/trust/\(b.organizationID)/ratings", token: carla.token, json: #"{"rating":10}"#)
                _ = try await app.api(.POST, "/trust/\(carla.organizationID)/ratings", token: a.token, json: #"{"rating":9}"#)
            }
            #expect(try await TrustService.drain(on: app.db) >= 2)
            // The network reads each pair's current opinion from one row per pair: what its newest snapshot says.
            var newest: [TrustService.Pair: Opinion] = [:]
            for s in try await TrustSnapshot.query(on: app.db).sort(\.$computedAt, .descending).all() {
                let pair = TrustService.Pair(viewer: s.$viewer.id, subject: s.$subject.id)
                if newest[pair] == nil {
                    newest[pair] = try TrustService.decoder.decode(TrustService.Assessment.self, from: Data(s.report.utf8)).overall
                }
            }
            #expect(newest.count >= 3)
            #expect(try await TrustService.latestOpinions(on: app.db) == newest)
            // A database from before the table: the migration fills it from the history.
            try await AddTrustOpinions().revert(on: app.db)
            try await AddTrustOpinions().prepare(on: app.db)
            #expect(try await TrustService.latestOpinions(on: app.db) == newest)
            let r = try await app.api(.GET, "/trust/\(b.organizationID)", token: a.token)
            let network = r.body["network"] as? [String: Any] ?? [:]
            #expect(network["intermediaries"] as? Int == 1)
            let networkExpectation = (network["opinion"] as? [String: Any])?["expectation"] as? Double ?? 0
            #expect(networkExpectation > 0.6)
            let overall = r.body["overall"] as? [String: Any] ?? [:]
            #expect(
                abs((overall["baseRate"] as? Double ?? 0) - networkExpectation) < 1e-9, "a stranger starts where the network places them")
            #expect(network["standing"] as? Double != nil)
            // The profile puts the standing in words: never "above 100%" or "above 0%".
            let standing = network["standing"] as? Double ?? -1
            let words =
                standing >= 1
                ? "above every other organization"
                : standing <= 0 ? "below every other organization" : "above \(Int((standing * 100).rounded()))%"
            let profile = try await Browser.signedIn(app, as: a).get("/organizations/\(b.organizationID)")
            #expect(profile.html.contains("Network standing from your point of view: \(words)"), "\(standing): \(profile.html)")
            #expect(!profile.html.contains("above 100%") && !profile.html.contains("above 0%"))
        }
    }

    @Test func theBackgroundQueueRecomputesBothSidesOfAChange() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await acmeRecord(app)
            let queued = try await TrustQueueItem.query(on: app.db).all()
            let pairs = Set(queued.map { "\($0.$viewer.id.uuidString.lowercased())>\($0.$subject.id.uuidString.lowercased())" })
            #expect(
                pairs == [
                    "\(a.organizationID)>\(b.organizationID)",
                    "\(b.organizationID)>\(a.organizationID)",
                ])
            #expect(try await TrustService.drain(on: app.db) == 2)
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            #expect(try await TrustSnapshot.query(on: app.db).count() == 2)
            // Nothing changed: a second pass stores nothing new.
            try await TrustService.enqueue(
                viewer: UUID(uuidString: a.organizationID)!, subject: UUID(uuidString: b.organizationID)!, at: Date(), on: app.db)
            #expect(try await TrustService.drain(on: app.db) == 0)
            #expect(try await TrustSnapshot.query(on: app.db).count() == 2)
        }
    }

    /// The figures in plain words with the viewer's own evidence under each part; nothing known reads "Unknown".
    @Test func theTrustExplainedPageSaysWhatEachFigureMeans() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await acmeRecord(app)
            let browser = try await Browser.signedIn(app, as: a)
            let panel = try await browser.get("/partnerships/\(pid)").html
            let link = SiteURL.trustExplained(UUID(uuidString: b.organizationID))
            #expect(panel.contains("<a href=\"\(link)\">How these figures are worked out, with all your evidence</a>"))
            #expect(panel.contains("Self-orientation<div class=\"small muted\">lower is better</div>"))
            let page = try await browser.get(link).html
            #expect(page.contains("<h1>How your trust in Acme is worked out</h1>"))
            #expect(page.contains("id=\"part-reliability\"><h2>Reliability: ") && page.contains("Missed “Launch copy”"))
            #expect(page.contains("Delivered “Design system”"), "every item, not only the strongest five")
            #expect(page.contains("Lower is better: 0 means they always put the partnership first."))
            #expect(page.contains("<h2>Credibility: unknown</h2>"), "a part without evidence has no number")
            #expect(page.contains("The trust equation: "))
            let stranger = try await app.register("Sam", org: "Stranger Co")
            let unknown = try await browser.get(SiteURL.trustExplained(UUID(uuidString: stranger.organizationID))).html
            #expect(
                unknown.contains("<strong class=\"trust-figure\">Unknown</strong>") && unknown.contains("a number would only be a guess"))
            #expect(try await browser.get(SiteURL.trustExplained(UUID(uuidString: a.organizationID))).status == .unprocessableEntity)
            #expect(try await browser.get(SiteURL.trustExplained(UUID())).status == .notFound)
        }
    }

    @Test func chartsCarryScalesDatesHoverValuesAndMeaningfulColours() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let chart = TimeChart(
            id: "c", label: "Trust",
            points: [
                .init(at: t0.addingTimeInterval(86_400 * 10), value: 70, band: 60...80, note: "later"),
                .init(at: t0, value: 50, band: 0...100, note: ""),
            ], range: 0...100, reference: 50, valueText: { String(Int($0)) }, clock: Clock("UTC")
        ).render().text
        #expect(chart.contains("<div class=\"chart-y\" aria-hidden=\"true\"><span>100</span><span>50</span><span>0</span></div>"))
        #expect(chart.contains("<span>15 Jan</span>") && chart.contains("<span>25 Jan</span>"), "dates on the time axis, oldest left")
        #expect(chart.contains("<title>25 Jan 2027, 08:00: 70 · later</title>"))
        #expect(chart.contains("aria-label=\"Trust: from 50 on 15 Jan to 70 on 25 Jan\""))
        let bars = BarChart.scores([1, 0, 0, 0, 0, 0, 0, 2, 0, 3, 4], scale: 0...10, nps: true).render().text
        #expect(bars.contains("fill=\"#c0392b\"><title>0: 1</title>") && bars.contains("fill=\"#8a6d1f\"><title>7: 2</title>"))
        #expect(bars.contains("fill=\"#1e7a47\"><title>10: 4</title>") && bars.contains("promoters (9–10)"))
    }

    @Test func thePartnershipAndProfilePagesShowTheTrustPanel() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await acmeRecord(app)
            let browser = Browser(app)
            _ = try await browser.get("/login")
            _ = try await browser.post("/login", ["email": a.email, "password": "correct horse battery"])
            let page = try await browser.get("/partnerships/\(pid)")
            #expect(page.html.contains("Your trust in Acme"))
            #expect(page.html.contains("id=\"trust-figure\""))
            #expect(page.html.contains("Missed “Launch copy”"))
            // An organization nothing is known of reads "Unknown" with what would change that, not 50.
            let stranger = try await app.register("Sam", org: "Stranger Co")
            let unknown = try await browser.get("/organizations/\(stranger.organizationID)")
            #expect(unknown.html.contains(#"id="trust-figure">Unknown</strong>"#) && unknown.html.contains("What would make it known"))
            #expect(!page.html.contains("What would make it known"))
            // What was computed so far happened two days ago: the rating below is a change over time, not the same burst.
            for snapshot in try await TrustSnapshot.query(on: app.db).all() {
                snapshot.computedAt = snapshot.computedAt.addingTimeInterval(-2 * 86_400)
                try await snapshot.save(on: app.db)
            }
            let rated = try await browser.post(
                "/organizations/\(b.organizationID)/ratings",
                ["rating": "7", "comment": "Solid <b>work</b>", "back": "/partnerships/\(pid)"])
            #expect(rated.location == "/partnerships/\(pid)")
            let profile = try await browser.get("/organizations/\(b.organizationID)")
            #expect(profile.status == .ok)
            #expect(profile.html.contains("Rated +7 by Alice: “Solid &lt;b&gt;work&lt;/b&gt;”"))
            #expect(profile.html.contains("id=\"trust-history\""), "two snapshots make a chart")
            let bad = try await browser.post("/organizations/\(b.organizationID)/ratings", ["rating": "99"])
            #expect(bad.location == SiteURL.organization(UUID(uuidString: b.organizationID)))
            #expect(try await browser.get(bad.location!).html.contains("A rating is a whole number from -10 to 10"))
            let forged = try await browser.post("/organizations/\(b.organizationID)/ratings", ["rating": "5"], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await TrustRating.query(on: app.db).count() == 1)
            #expect(try await browser.get("/organizations/\(UUID().uuidString)").status == .notFound)
        }
    }
}
