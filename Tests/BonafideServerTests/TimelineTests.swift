import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// The timeline as the API and the commitment and incident pages serve it: newest first, who made each change by
/// name (no one for the server's own), only the commitment's or incident's own steps in their histories, and at most
/// the newest 500 entries.
@Suite("Timeline")
struct TimelineTests {
    @Test func newestFirstWithWhoDidItAndEachHistoryOnlyItsOwnSteps() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let proposed = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token,
                json: #"{"title":"Style guide","dueAt":"\#(rfc3339(Date().addingTimeInterval(3 * 86_400)))"}"#)
            let cid = proposed.body["id"] as? String ?? ""
            let declined = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: acme.token,
                json: #"{"action":"decline","reason":"Not in scope"}"#)
            #expect(declined.status == .ok, "\(declined.raw)")
            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: acme.token,
                json: #"{"title":"Wrong invoice","description":"Sent to the wrong address.","severity":"minor"}"#)
            let iid = raised.body["id"] as? String ?? ""
            // A change nobody made, as the server's sweeps record them.
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            try await app.db.writeTransaction { tx in
                _ = try await Timeline.append(p, actor: nil, kind: "record.test", summary: "Recorded by the server", on: tx)
            }

            let timeline = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: north.token)
            #expect(timeline.status == .ok)
            let events = timeline.list
            #expect(
                events.compactMap { $0["kind"] as? String }
                    == [
                        "record.test", "incident.raised", "commitment.decline", "commitment.proposed", "partnership.accepted",
                        "agreement.updated", "partnership.created",
                    ], "\(timeline.raw)")
            #expect(events.map { $0["actorName"] as? String } == [nil, "Bob", "Bob", "Alice", "Bob", "Alice", "Alice"])
            #expect(events[2]["reason"] as? String == "Not in scope" && events[2]["commitmentId"] as? String == cid)
            #expect(events[1]["incidentId"] as? String == iid && events[1]["commitmentId"] == nil)
            let times = events.compactMap { ($0["createdAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } }
            #expect(times.count == events.count && zip(times, times.dropFirst()).allSatisfy { $0 >= $1 })

            // The commitment's history holds only its own steps; so does the incident's.
            let commitment = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(cid)", token: acme.token)
            let steps = (commitment.body["history"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(steps == ["commitment.decline", "commitment.proposed"], "\(commitment.raw)")
            let incident = try await app.api(.GET, "/partnerships/\(pid)/incidents/\(iid)", token: north.token)
            let incidentSteps = (incident.body["history"] as? [[String: Any]] ?? []).compactMap { $0["actorName"] as? String }
            #expect(incidentSteps == ["Bob"], "\(incident.raw)")

            // The commitment's page tells the same steps, with the reason.
            let page = try await Browser.signedIn(app, as: north).get("/partnerships/\(pid)/commitments/\(cid)").html
            #expect(page.contains("<li>Bob declined “Style guide”: <em>Not in scope</em><div class=\"small muted\">"), "\(page)")
            #expect(page.contains("<li>Alice proposed “Style guide”, owned by Alice<div class=\"small muted\">"))
        }
    }

    @Test func onlyTheNewest500AreServed() async throws {
        try await withTestApp { app in
            let (north, _, pid) = try await app.activePartnership()
            let partnershipID = try #require(UUID(uuidString: pid))
            let start = Date().addingTimeInterval(60)
            let steps = (0..<505).map { i in
                PartnershipEvent(
                    partnershipID: partnershipID, actorID: nil, kind: "record.step", summary: "Step \(i)",
                    at: start.addingTimeInterval(Double(i)))
            }
            try await steps.create(on: app.db)
            let events = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: north.token).list
            #expect(events.count == 500)
            #expect(events.first?["summary"] as? String == "Step 504" && events.last?["summary"] as? String == "Step 5")
        }
    }
}
