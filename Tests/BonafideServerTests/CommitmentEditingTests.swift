import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Editing a commitment")
struct CommitmentEditingTests {
    @Test func whoMayChangeTheWordsAndHow() {
        #expect(CommitmentEditing.mode(status: .proposed, side: .owner, changePending: false) == .direct)
        #expect(CommitmentEditing.mode(status: .proposed, side: .recipient, changePending: false) == nil)
        #expect(CommitmentEditing.mode(status: .accepted, side: .recipient, changePending: false) == .byAgreement)
        #expect(CommitmentEditing.mode(status: .accepted, side: .owner, changePending: true) == nil)
        for status in [CommitmentStatus.delivered, .completed, .declined, .withdrawn, .missed] {
            #expect(CommitmentEditing.mode(status: status, side: .owner, changePending: false) == nil)
        }
        #expect(CommitmentEditing.mayDecide(status: .accepted, side: .owner, proposedBy: .recipient))
        #expect(!CommitmentEditing.mayDecide(status: .accepted, side: .recipient, proposedBy: .recipient))
        let a = CommitmentWording(title: " Audit ", deliverable: "Report", acceptanceCriteria: "")
        #expect(a.title == "Audit")
        #expect(
            CommitmentWording(title: "Audit v2", deliverable: "Report", acceptanceCriteria: "Signed").changes(from: a) == [
                "title", "acceptance criteria",
            ])
    }

    @Test func aProposalIsRewrittenAtOnceAnAcceptedOneOnlyByAgreement() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token,
                json: #"{"title":"Audit","deliverable":"Report","dueAt":"\#(due)","timeZone":"Europe/Berlin"}"#)
            let p = UUID(uuidString: pid)
            let cid = UUID(uuidString: created.body["id"] as? String ?? "")
            let alice = try await Browser.signedIn(app, as: north)
            let bob = try await Browser.signedIn(app, as: acme)

            // The receiving side cannot rewrite a proposal: it declines it instead.
            #expect(try await bob.get(SiteURL.commitmentEdit(p, cid)).status == .conflict)
            var form = try await alice.get(SiteURL.commitmentEdit(p, cid)).html
            #expect(form.contains("<h1>Edit the proposal</h1>") && form.contains("value=\"Audit\""))
            // Refused input comes back as typed with the reason under the field.
            let refused = try await alice.post(
                SiteURL.commitmentEdit(p, cid),
                ["title": "  ", "deliverable": "Report with appendix", "acceptanceCriteria": "", "dueAt": "2031-01-01T10:00"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("id=\"title-error\"") && refused.html.contains("Report with appendix</textarea>"))
            let saved = try await alice.post(
                SiteURL.commitmentEdit(p, cid),
                ["title": "Security audit", "deliverable": "Report", "acceptanceCriteria": "", "dueAt": "2031-01-01T10:00"])
            #expect(saved.location == SiteURL.commitment(p, cid))
            var c = try #require(try await Commitment.find(cid, on: app.db))
            #expect(c.title == "Security audit" && c.status == .proposed)
            #expect(c.dueAt == Clock.parseLocal("2031-01-01T10:00", zone: "Europe/Berlin"))
            var events = try await PartnershipEvent.query(on: app.db).filter(\.$commitmentID == cid).all().map(\.summary)
            #expect(events.contains("Alice changed the title and due date of the proposal “Audit”"), "\(events)")

            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid!)/transitions", token: acme.token, json: #"{"action":"accept"}"#)
            form = try await bob.get(SiteURL.commitmentEdit(p, cid)).html
            #expect(form.contains("<h1>Propose new wording</h1>") && !form.contains("name=\"dueAt\""))
            let proposed = try await bob.post(
                SiteURL.commitmentEdit(p, cid),
                ["title": "Security audit", "deliverable": "Report", "acceptanceCriteria": "Signed by the CISO"])
            #expect(proposed.location == SiteURL.commitment(p, cid))
            c = try #require(try await Commitment.find(cid, on: app.db))
            #expect(c.acceptanceCriteria == "" && c.pendingAcceptanceCriteria == "Signed by the CISO", "nothing changes before agreement")
            // One proposal at a time.
            #expect(try await alice.get(SiteURL.commitmentEdit(p, cid)).status == .conflict)
            let dashboard = try await alice.get("/dashboard").html
            #expect(
                dashboard.contains(
                    "<strong>Agree to new wording or keep it</strong>: <a href=\"\(SiteURL.commitment(p, cid))\">Security audit</a>"))
            let page = try await alice.get(SiteURL.commitment(p, cid)).html
            #expect(page.contains("<ins>Signed by the CISO</ins>") && page.contains("Agree to the new wording"))
            #expect(
                !(try await bob.get(SiteURL.commitment(p, cid)).html.contains("Agree to the new wording")),
                "not for the side that proposed it")
            #expect(
                try await bob.post(SiteURL.commitmentChangeDecision(p, cid), ["decision": "accept"]).location == SiteURL.commitment(p, cid))
            #expect(try await Commitment.find(cid, on: app.db)?.pendingChangeSide == .recipient, "the proposer cannot agree to itself")

            // Two answers at once: one wins, the other finds nothing waiting.
            let actorA = Actor(user: try #require(try await User.find(UUID(uuidString: north.id), on: app.db)))
            let partnership = try #require(try await Partnership.find(p, on: app.db))
            let waiting = try #require(try await Commitment.find(cid, on: app.db))
            let outcomes = try await together(4) { i in
                do {
                    _ = try await Commitments.decideChange(waiting, in: partnership, accept: i % 2 == 0, by: actorA, on: app.db)
                    return .ok
                } catch let problem as Problem { return problem.status }
            }
            #expect(outcomes.filter { $0 == .ok }.count == 1 && outcomes.filter { $0 == .conflict }.count == 3, "\(outcomes)")
            events = try await PartnershipEvent.query(on: app.db).filter(\.$commitmentID == cid).all().map(\.kind)
            #expect(events.filter { $0 == "commitment.changeAccepted" || $0 == "commitment.changeRefused" }.count == 1)
            #expect(try await Commitment.find(cid, on: app.db)?.pendingChangeSide == nil)
        }
    }

    @Test func theSameRulesOverTheAPI() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token, json: #"{"title":"Audit","dueAt":"\#(due)"}"#)
            let cid = created.body["id"] as? String ?? ""
            let path = "/partnerships/\(pid)/commitments/\(cid)"
            let later = rfc3339(Date().addingTimeInterval(9 * 86_400))
            var r = try await app.api(.PATCH, path, token: acme.token, json: #"{"title":"Mine now"}"#)
            #expect(r.status == .conflict)
            r = try await app.api(.PATCH, path, token: north.token, json: #"{"title":"Security audit","dueAt":"\#(later)"}"#)
            #expect(r.status == .ok && r.body["title"] as? String == "Security audit" && r.body["dueAt"] as? String == later)
            r = try await app.api(.PATCH, path, token: north.token, json: #"{"title":""}"#)
            #expect(r.status == .unprocessableEntity || r.status == .badRequest)
            _ = try await app.api(.POST, path + "/transitions", token: acme.token, json: #"{"action":"accept"}"#)
            r = try await app.api(.PATCH, path, token: acme.token, json: #"{"title":"Security audit","acceptanceCriteria":"Signed"}"#)
            let pending = r.body["pendingChange"] as? [String: Any]
            #expect(
                r.status == .ok && pending?["proposedBy"] as? String == "recipient" && pending?["acceptanceCriteria"] as? String == "Signed"
            )
            #expect(try await app.api(.POST, path + "/change", token: acme.token, json: #"{"decision":"accept"}"#).status == .forbidden)
            let maybe = try await app.api(.POST, path + "/change", token: north.token, json: #"{"decision":"maybe"}"#)
            #expect(maybe.status == .unprocessableEntity && maybe.raw.contains("decision"), "\(maybe.raw)")
            r = try await app.api(.POST, path + "/change", token: north.token, json: #"{"decision":"accept"}"#)
            #expect(r.status == .ok && r.body["acceptanceCriteria"] as? String == "Signed" && r.body["pendingChange"] == nil)
            #expect(try await app.api(.POST, path + "/change", token: north.token, json: #"{"decision":"refuse"}"#).status == .conflict)
        }
    }

    @Test func twoProposalsAtOnceGetOneWinnerAndAnotherTenantSeesNothing() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let (outsider, _, _) = try await app.activePartnership(("Olga", "Orbit"), ("Sam", "Sable"))
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token, json: #"{"title":"Audit","dueAt":"\#(due)"}"#)
            let cid = created.body["id"] as? String ?? ""
            let path = "/partnerships/\(pid)/commitments/\(cid)"
            _ = try await app.api(.POST, path + "/transitions", token: acme.token, json: #"{"action":"accept"}"#)
            let outcomes = try await together(6) { i in
                try await app.api(.PATCH, path, token: i % 2 == 0 ? north.token : acme.token, json: #"{"title":"Audit v\#(i)"}"#).status
            }
            #expect(outcomes.filter { $0 == .ok }.count == 1 && outcomes.filter { $0 == .conflict }.count == 5, "\(outcomes)")
            let proposals = try await PartnershipEvent.query(on: app.db).filter(\.$kind == "commitment.changeProposed").count()
            #expect(proposals == 1)
            // Someone of another partnership: the commitment, its edit form and its answers do not exist for them.
            #expect(try await app.api(.PATCH, path, token: outsider.token, json: #"{"title":"Mine"}"#).status == .notFound)
            let browser = try await Browser.signedIn(app, as: outsider)
            #expect(try await browser.get(SiteURL.commitmentEdit(UUID(uuidString: pid), UUID(uuidString: cid))).status == .notFound)
            #expect(try await app.api(.POST, path + "/change", token: outsider.token, json: #"{"decision":"accept"}"#).status == .notFound)
        }
    }
}
