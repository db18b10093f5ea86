import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Incidents")
struct IncidentAPITests {
    let cause = "The export job used a shared bucket left over from a test."
    let plan = "Per-client buckets, a reviewed export checklist, and an alert on cross-client reads by 1 March."

    func summaries(_ items: [TrustEvidence]) -> [String] { items.map(\.summary) }

    @Test func raisedAcknowledgedResolvedReopenedAndClosedOnTheRecord() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let stranger = try await app.register("Cleo", org: "Kite")
            let base = "/partnerships/\(pid)/incidents"
            // Bad input: specific errors, nothing raised.
            let noTitle = try await app.api(.POST, base, token: a.token, json: #"{"title":"  ","description":"x","severity":"major"}"#)
            #expect(noTitle.status == .unprocessableEntity && noTitle.raw.contains("title"), "\(noTitle.raw)")
            let future = try await app.api(
                .POST, base, token: a.token,
                json:
                    #"{"title":"Leak","description":"x","severity":"major","occurredAt":"\#(rfc3339(Date().addingTimeInterval(86_400)))"}"#)
            #expect(future.status == .unprocessableEntity && future.raw.contains("future"), "\(future.raw)")
            let huge = try await app.api(.POST, base, token: a.token, json: #"{"title":"x","description":"x","severity":"huge"}"#)
            #expect(huge.status.code >= 400 && huge.status.code < 500 && huge.raw.contains("severity"), "\(huge.raw)")
            #expect(try await app.api(.GET, base, token: a.token).list.isEmpty)

            let raised = try await app.api(
                .POST, base, token: a.token,
                json:
                    #"{"title":"Report sent to the wrong client","description":"Our Q3 report reached another customer.","severity":"major"}"#
            )
            #expect(raised.status == .created, "\(raised.raw)")
            #expect(raised.body["status"] as? String == "open" && raised.body["responsibleOrganizationId"] as? String == b.organizationID)
            #expect((raised.body["handling"] as? [String: Any])?["verdict"] as? String == "pending")
            let id = raised.body["id"] as? String ?? ""
            let url = "\(base)/\(id)/transitions"
            let notes = try await app.api(.GET, "/notifications", token: b.token)
            #expect(
                (notes.body["items"] as? [[String: Any]] ?? []).contains {
                    ($0["text"] as? String ?? "").contains("An incident was raised against your side")
                }, "\(notes.raw)")

            // Not part of it: 404 everywhere. Wrong side: 403. Wrong moment: 409.
            #expect(try await app.api(.GET, base, token: stranger.token).status == .notFound)
            #expect(try await app.api(.GET, "\(base)/\(id)", token: stranger.token).status == .notFound)
            #expect(try await app.api(.POST, url, token: stranger.token, json: #"{"action":"acknowledge"}"#).status == .notFound)
            #expect(try await app.api(.POST, url, token: a.token, json: #"{"action":"acknowledge"}"#).status == .forbidden)
            #expect(try await app.api(.POST, url, token: b.token, json: #"{"action":"withdraw","note":"not us"}"#).status == .forbidden)
            #expect(try await app.api(.POST, url, token: a.token, json: #"{"action":"close"}"#).status == .conflict)

            #expect(
                try await app.api(.POST, url, token: b.token, json: #"{"action":"acknowledge","note":"Looking into it"}"#).status == .ok)
            let noPlan = try await app.api(
                .POST, url, token: b.token, json: #"{"action":"resolve","rootCause":"\#(cause)","improvementPlan":"soon"}"#)
            #expect(noPlan.status == .unprocessableEntity && noPlan.raw.contains("improvement plan"), "\(noPlan.raw)")
            let resolved = try await app.api(
                .POST, url, token: b.token, json: #"{"action":"resolve","rootCause":"\#(cause)","improvementPlan":"\#(plan)"}"#)
            #expect(resolved.body["status"] as? String == "resolved" && resolved.body["improvementPlan"] as? String == plan)
            let bare = try await app.api(.POST, url, token: a.token, json: #"{"action":"reopen"}"#)
            #expect(bare.status == .unprocessableEntity, "reopening needs a reason: \(bare.raw)")
            let reopened = try await app.api(
                .POST, url, token: a.token, json: #"{"action":"reopen","note":"The other client still has it"}"#)
            #expect(reopened.body["status"] as? String == "acknowledged" && reopened.body["reopenCount"] as? Int == 1)
            #expect(
                try await app.api(
                    .POST, url, token: b.token, json: #"{"action":"resolve","rootCause":"\#(cause)","improvementPlan":"\#(plan)"}"#
                )
                .status == .ok)
            let closed = try await app.api(.POST, url, token: a.token, json: #"{"action":"close"}"#)
            #expect(closed.body["status"] as? String == "closed", "\(closed.raw)")
            let handling = closed.body["handling"] as? [String: Any] ?? [:]
            #expect(handling["verdict"] as? String == "handledOpenly", "\(closed.raw)")
            // The whole exchange is in the incident's history and the partnership's log.
            let history = (closed.body["history"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(
                history.reversed() == [
                    "incident.raised", "incident.acknowledge", "incident.resolve", "incident.reopen", "incident.resolve", "incident.close",
                ], "\(history)")
            let log = try await app.api(.GET, "/partnerships/\(pid)/log/entries?start=0&end=100", token: a.token)
            #expect(log.raw.contains("incident.resolve") && log.raw.contains("Per-client buckets"), "the plan is in the log")

            // Trust: the incident costs reliability; its open handling earns credibility.
            let items = try await TrustService.evidence(
                viewer: UUID(uuidString: a.organizationID)!, subject: UUID(uuidString: b.organizationID)!, at: Date(), on: app.db)
            #expect(summaries(items).contains("Had a major incident: “Report sent to the wrong client”"), "\(summaries(items))")
            #expect(
                summaries(items).contains {
                    $0.hasPrefix("Handled “Report sent to the wrong client” openly: acknowledged it within 1 hour")
                }, "\(summaries(items))")
            // The other direction has no incident evidence.
            let reverse = try await TrustService.evidence(
                viewer: UUID(uuidString: b.organizationID)!, subject: UUID(uuidString: a.organizationID)!, at: Date(), on: app.db)
            #expect(!reverse.contains { $0.kind == .incident })
        }
    }

    @Test func ignoredIncidentsAreMishandledAndLowerTrustMoreThanHandledOnes() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let base = "/partnerships/\(pid)/incidents"
            let raised = try await app.api(
                .POST, base, token: a.token,
                json: #"{"title":"Site down for a day","description":"No answer on the hotline.","severity":"critical"}"#)
            #expect(raised.status == .created)
            let viewer = UUID(uuidString: a.organizationID)!
            let subject = UUID(uuidString: b.organizationID)!
            let later = Date().addingTimeInterval(10 * 86_400)
            let ignored = try await TrustService.evidence(viewer: viewer, subject: subject, at: later, on: app.db)
            #expect(summaries(ignored).contains("Mishandled “Site down for a day”: not acknowledged for 10 days"), "\(summaries(ignored))")
            let model = RelationshipTrust()
            let ignoredReport = model.assess(ignored, at: later)
            #expect(ignoredReport.component(.credibility).opinion.disbelief > 0)
            // The same incident handled at once reads better.
            let url = "\(base)/\(raised.body["id"] as? String ?? "")/transitions"
            #expect(try await app.api(.POST, url, token: b.token, json: #"{"action":"acknowledge"}"#).status == .ok)
            #expect(
                try await app.api(
                    .POST, url, token: b.token, json: #"{"action":"resolve","rootCause":"\#(cause)","improvementPlan":"\#(plan)"}"#
                )
                .status == .ok)
            #expect(try await app.api(.POST, url, token: a.token, json: #"{"action":"close"}"#).status == .ok)
            let handled = try await TrustService.evidence(viewer: viewer, subject: subject, at: later, on: app.db)
            #expect(handled.contains { $0.kind == .incidentHandledOpenly } && !handled.contains { $0.kind == .incidentMishandled })
            let handledReport = model.assess(handled, at: later)
            #expect(handledReport.overall.expectation > ignoredReport.overall.expectation)
            #expect(handledReport.explanation.contains { $0.summary.hasPrefix("Handled “Site down for a day” openly") })

            // What the API serves: the incident and its handling are in the explanation.
            _ = try await TrustService.drain(on: app.db)
            let served = try await app.api(.GET, "/trust/\(b.organizationID)", token: a.token)
            #expect(served.raw.contains("Had a critical incident: “Site down for a day”"), "\(served.raw.prefix(600))")
        }
    }

    @Test func deadlinesRemindOnceAndPutVerdictsOnTheRecord() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let base = "/partnerships/\(pid)/incidents"
            let ignored = try await app.api(
                .POST, base, token: a.token, json: #"{"title":"Invoices lost","description":"Three invoices vanished.","severity":"major"}"#
            )
            let fixed = try await app.api(
                .POST, base, token: a.token, json: #"{"title":"Wrong logo","description":"Old logo on the site.","severity":"minor"}"#)
            let mistaken = try await app.api(
                .POST, base, token: a.token, json: #"{"title":"Duplicate charge","description":"Charged twice?","severity":"minor"}"#)
            let fixedURL = "\(base)/\(fixed.body["id"] as? String ?? "")/transitions"
            #expect(try await app.api(.POST, fixedURL, token: b.token, json: #"{"action":"acknowledge"}"#).status == .ok)
            #expect(
                try await app.api(
                    .POST, fixedURL, token: b.token, json: #"{"action":"resolve","rootCause":"\#(cause)","improvementPlan":"\#(plan)"}"#
                )
                .status == .ok)
            #expect(
                try await app.api(
                    .POST, "\(base)/\(mistaken.body["id"] as? String ?? "")/transitions", token: a.token,
                    json: #"{"action":"withdraw","note":"Our bank"}"#
                ).status == .ok)
            let day: TimeInterval = 86_400
            func texts(_ account: Account) async throws -> [String] {
                (try await app.api(.GET, "/notifications", token: account.token).body["items"] as? [[String: Any]] ?? [])
                    .compactMap { $0["text"] as? String }
            }
            // Nothing is due yet; the withdrawn one is settled without a word.
            #expect(try await Incidents.sweepDeadlines(now: Date().addingTimeInterval(day), on: app.db) == 0)
            // Day 6: one reminder to the responsible side, once.
            #expect(try await Incidents.sweepDeadlines(now: Date().addingTimeInterval(6 * day), on: app.db) == 1)
            #expect(try await Incidents.sweepDeadlines(now: Date().addingTimeInterval(6 * day), on: app.db) == 0)
            let reminded = try await texts(b)
            #expect(reminded.contains { $0.hasPrefix("“Invoices lost” in Relaunch is still unacknowledged") }, "\(reminded)")
            // Day 8: the ignored one is mishandled, on the record, told to both sides, once.
            #expect(try await Incidents.sweepDeadlines(now: Date().addingTimeInterval(8 * day), on: app.db) == 1)
            #expect(try await Incidents.sweepDeadlines(now: Date().addingTimeInterval(9 * day), on: app.db) == 0)
            #expect(try await texts(a).contains { $0.hasPrefix("“Invoices lost” counts as mishandled: not acknowledged for 8 days") })
            let history = try await app.api(.GET, "\(base)/\(ignored.body["id"] as? String ?? "")", token: a.token)
            #expect(history.raw.contains("incident.mishandled"), "\(history.raw)")
            // Day 15: the fix nobody sent back stands, and says so.
            #expect(try await Incidents.sweepDeadlines(now: Date().addingTimeInterval(15 * day), on: app.db) == 1)
            #expect(try await texts(b).contains { $0.hasPrefix("“Wrong logo” counts as handled openly") })
            #expect(
                try await Incident.query(on: app.db).all().map { $0.verdict ?? "-" }.sorted() == ["handledOpenly", "mishandled", "none"])
        }
    }

    @Test func disclosuresWithdrawalsAndThePublicRecord() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let stranger = try await app.register("Cleo", org: "Kite")
            let member = try await app.invitedMember(of: b, role: "member")
            let base = "/partnerships/\(pid)/incidents"
            // Acme discloses its own incident: it is responsible, and it starts acknowledged.
            let disclosed = try await app.api(
                .POST, base, token: b.token,
                json:
                    #"{"title":"Credentials in a log file","description":"An API key was logged for two hours.","severity":"minor","selfReported":true}"#
            )
            #expect(disclosed.status == .created, "\(disclosed.raw)")
            #expect(disclosed.body["responsibleOrganizationId"] as? String == b.organizationID)
            #expect(disclosed.body["affectedOrganizationId"] as? String == a.organizationID)
            #expect(disclosed.body["status"] as? String == "acknowledged" && disclosed.body["acknowledgedAt"] != nil)
            let id = disclosed.body["id"] as? String ?? ""
            // Owning up costs half: a minor incident weighs 0.5, disclosed 0.25.
            let disclosedEvidence = try await TrustService.evidence(
                viewer: UUID(uuidString: a.organizationID)!, subject: UUID(uuidString: b.organizationID)!, at: Date(), on: app.db)
            #expect(disclosedEvidence.filter { $0.kind == .incident }.map(\.weight) == [0.25], "\(disclosedEvidence)")
            let publication = "\(base)/\(id)/publication"
            // Only a resolved incident is published, by an owner or admin of the responsible side.
            #expect(try await app.api(.PUT, publication, token: b.token).status == .conflict)
            #expect(
                try await app.api(
                    .POST, "\(base)/\(id)/transitions", token: b.token,
                    json: #"{"action":"resolve","rootCause":"\#(cause)","improvementPlan":"\#(plan)"}"#
                ).status == .ok)
            #expect(try await app.api(.PUT, publication, token: a.token).status == .forbidden)
            // A plain member of Acme who is not in the partnership does not even see it.
            #expect(try await app.api(.PUT, publication, token: member.token).status == .notFound)
            #expect(try await app.api(.PUT, publication, token: stranger.token).status == .notFound)
            let published = try await app.api(.PUT, publication, token: b.token)
            #expect(published.status == .ok && published.body["publishedAt"] != nil, "\(published.raw)")

            // Alice raises one in error and withdraws it: it counts for nothing anywhere.
            let mistaken = try await app.api(
                .POST, base, token: a.token, json: #"{"title":"Invoice twice","description":"Charged twice?","severity":"minor"}"#)
            let withdrawn = try await app.api(
                .POST, "\(base)/\(mistaken.body["id"] as? String ?? "")/transitions", token: a.token,
                json: #"{"action":"withdraw","note":"Our bank's mistake"}"#)
            #expect(withdrawn.body["status"] as? String == "withdrawn")

            // Anyone signed in sees the record: counts and the published account, never the description.
            let record = try await app.api(.GET, "/organizations/\(b.organizationID)/incidents", token: stranger.token)
            #expect(record.status == .ok, "\(record.raw)")
            #expect(record.body["total"] as? Int == 1 && record.body["selfReported"] as? Int == 1 && record.body["minor"] as? Int == 1)
            // A disclosure is acknowledged at once: it is kept out of the prompt count and the median.
            #expect(record.body["raisedByPartners"] as? Int == 0 && record.body["acknowledgedPromptly"] as? Int == 0)
            #expect(record.body["medianAcknowledgeSeconds"] == nil && record.body["resolved"] as? Int == 1)
            let accounts = record.body["published"] as? [[String: Any]] ?? []
            #expect(accounts.count == 1 && accounts.first?["rootCause"] as? String == cause)
            #expect(!record.raw.contains("An API key was logged") && !record.raw.contains("Relaunch"), "private details stay private")
            #expect(try await app.api(.GET, "/organizations/\(UUID())/incidents", token: stranger.token).status == .notFound)
            let aRecord = try await app.api(.GET, "/organizations/\(a.organizationID)/incidents", token: stranger.token)
            #expect(aRecord.body["total"] as? Int == 0)

            // Taking it down.
            #expect(try await app.api(.DELETE, publication, token: b.token).body["publishedAt"] == nil)
            let after = try await app.api(.GET, "/organizations/\(b.organizationID)/incidents", token: stranger.token)
            #expect((after.body["published"] as? [[String: Any]])?.isEmpty == true)

            // The profile page shows the record.
            let browser = try await Browser.signedIn(app, as: stranger)
            let profile = try await browser.get("/organizations/\(b.organizationID)")
            #expect(
                profile.html.contains("id=\"incident-record\"")
                    && profile.html.contains("0 raised by 0 partners and 1 disclosed by themselves"),
                "\(profile.html)")
        }
    }

    @Test func incidentPagesOfferOnlyWhatTheSideMayDo() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await Browser.signedIn(app, as: a)
            let created = try await alice.post(
                "/partnerships/\(pid)/incidents",
                ["title": "Missed handover", "description": "Nobody came to the call.", "severity": "minor", "responsible": "partner"])
            #expect(created.status == .seeOther, "\(created.html)")
            let path = created.location ?? ""
            #expect(path.contains("/incidents/"))
            let mine = try await alice.get(path)
            #expect(mine.html.contains("Waiting for Acme to acknowledge it"), "\(mine.html)")
            #expect(mine.html.contains("value=\"withdraw\"") && !mine.html.contains("value=\"acknowledge\""))
            let bob = try await Browser.signedIn(app, as: b)
            let theirs = try await bob.get(path)
            #expect(
                theirs.html.contains("value=\"acknowledge\"") && theirs.html.contains("value=\"resolve\"")
                    && !theirs.html.contains("value=\"withdraw\""))
            // A short root cause is refused with a helpful message and changes nothing.
            let short = try await bob.post(
                path + "/transitions", ["action": "resolve", "rootCause": "oops", "improvementPlan": plan])
            #expect(short.status == .unprocessableEntity)
            #expect(short.html.contains("Explain the root cause") && short.html.contains(">oops</textarea>"), "\(short.html)")
            let again = try await bob.get(path)
            #expect(again.html.contains("<span class=\"status s-open\">open</span>") && !again.html.contains("oops"))
            let page = try await alice.get("/partnerships/\(pid)")
            #expect(page.html.contains("id=\"incidents\"") && page.html.contains("Missed handover"))
        }
    }
}
