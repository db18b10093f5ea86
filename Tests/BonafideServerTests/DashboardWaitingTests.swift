import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Waiting for you")
struct DashboardWaitingTests {
    /// How often `text` appears in the page.
    func count(_ text: String, in html: String) -> Int { html.components(separatedBy: text).count - 1 }

    @Test func eachThingOnlyYourSideCanMoveAppearsOnceAndLeavesWhenDone() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token, json: #"{"title":"Style guide","dueAt":"\#(due)"}"#)
            let url = "/partnerships/\(pid)/commitments/\(created.body["id"] as? String ?? "")/transitions"
            let acmeBrowser = try await Browser.signedIn(app, as: acme)
            var page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("<strong>Accept or decline</strong>: <a href="), "\(page.prefix(1500))")
            #expect(count("Style guide</a>", in: page) == 1, "listed once, not again under what is owed")
            // Northwind, who proposed it, has nothing waiting.
            #expect(try await Browser.signedIn(app, as: north).get("/dashboard").html.contains("Nothing waits for your side."))

            #expect(try await app.api(.POST, url, token: acme.token, json: #"{"action":"accept"}"#).status == .ok)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("Nothing waits for your side.") && count("Style guide</a>", in: page) == 1)
            #expect(try await app.api(.POST, url, token: north.token, json: #"{"action":"deliver"}"#).status == .ok)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("<strong>Accept the delivery or send it back</strong>") && count("Style guide</a>", in: page) == 1)
            #expect(try await app.api(.POST, url, token: acme.token, json: #"{"action":"approveDelivery"}"#).status == .ok)
            #expect(try await acmeBrowser.get("/dashboard").html.contains("Nothing waits for your side."))

            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: north.token,
                json: #"{"title":"Wrong invoice","description":"Sent to the wrong address.","severity":"minor"}"#)
            #expect(raised.status == .created)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("<strong>Acknowledge the incident</strong>: <a href=") && page.contains("Wrong invoice"))
        }
    }

    /// Accepting a proposal, a delivery or a new date and acknowledging an incident take one click in the list; the
    /// person stays on the dashboard, told what happened, and the item is gone.
    @Test func oneClickActionsWorkFromTheListAndReturnToIt() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token, json: #"{"title":"Style guide","dueAt":"\#(due)"}"#)
            let commitment = UUID(uuidString: created.body["id"] as? String ?? "")
            let partnership = UUID(uuidString: pid)
            let transitions = SiteURL.commitmentTransitions(partnership, commitment)
            let acmeBrowser = try await Browser.signedIn(app, as: acme)
            var page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("action=\"\(transitions)\""), "\(page.prefix(2000))")
            #expect(page.contains("<button class=\"small\" aria-label=\"Accept: Style guide\">Accept</button>"))

            let accepted = try await acmeBrowser.post(transitions, ["action": "accept", "back": "/dashboard"])
            #expect(accepted.location == "/dashboard")
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("“Style guide” accepted. The other side has been notified."))
            #expect(page.contains("Nothing waits for your side."))

            // Anywhere else than the dashboard, the action returns to the commitment as before.
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(commitment!)/transitions", token: north.token, json: #"{"action":"deliver"}"#)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("aria-label=\"Accept delivery: Style guide\""))
            let approved = try await acmeBrowser.post(transitions, ["action": "approveDelivery", "back": "https://evil.example/"])
            #expect(approved.location == SiteURL.commitment(partnership, commitment))

            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: north.token,
                json: #"{"title":"Wrong invoice","description":"Sent to the wrong address.","severity":"minor"}"#)
            let incident = UUID(uuidString: raised.body["id"] as? String ?? "")
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("aria-label=\"Acknowledge: Wrong invoice\">Acknowledge</button>"))
            // The side that raised it has nothing to click.
            #expect(!(try await Browser.signedIn(app, as: north).get("/dashboard").html.contains("aria-label=\"Acknowledge")))
            let acknowledged = try await acmeBrowser.post(
                SiteURL.incidentTransitions(partnership, incident), ["action": "acknowledge", "back": "/dashboard"])
            #expect(acknowledged.location == "/dashboard")
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("“Wrong invoice” acknowledged.") && page.contains("Nothing waits for your side."))
        }
    }

    @Test func aNewOrganizationSeesItsFirstStepsUntilAllAreDone() async throws {
        try await withTestApp { app in
            let solo = try await app.register("Sol", org: "Solo Studio")
            let browser = try await Browser.signedIn(app, as: solo)
            var page = try await browser.get("/dashboard").html
            #expect(page.contains("Getting started: 0 of 5 done"), "\(page.prefix(2500))")
            #expect(page.contains("<a href=\"/partnerships/new\">Open your first partnership</a>"))
            #expect(!page.contains("Due soon"), "no empty lists before the first partnership")

            let org = try #require(try await Organization.find(UUID(uuidString: solo.organizationID), on: app.db))
            org.description = "Brand identities for small food producers."
            try await org.save(on: app.db)
            _ = try await app.api(
                .POST, "/organization/invitations", token: solo.token, json: #"{"email":"mo@solo.example","role":"member"}"#)
            page = try await browser.get("/dashboard").html
            #expect(page.contains("Getting started: 2 of 5 done"))
            #expect(page.contains("<s>Say what your organization does</s>") && page.contains("<s>Invite a colleague</s>"))

            // A member cannot take these steps: no checklist for them.
            let member = try await app.invitedMember(of: solo, role: "member", name: "Ria")
            #expect(!(try await Browser.signedIn(app, as: member).get("/dashboard").html.contains("Getting started")))

            let other = try await app.register("Olu", org: "Other Co")
            let invited = try await app.api(
                .POST, "/partnerships", token: solo.token, json: #"{"name":"Labels","partnerEmail":"\#(other.email)"}"#)
            #expect(invited.status == .created)
            _ = try await app.api(
                .POST, "/surveys", token: solo.token,
                json: #"{"title":"How did we do?","kind":"nps","campaign":"spring"}"#)
            let witness = try NoteSigner(name: "solo-witness")
            let registered = try await app.api(
                .PUT, "/organization/witness-key", token: solo.token, json: #"{"key":"\#(witness.verifier.encoded)"}"#)
            #expect(registered.status == .ok)
            let soloActor = Actor(user: try #require(try await User.find(UUID(uuidString: solo.id), on: app.db)))
            let progress = try #require(try await Onboarding.progress(for: soloActor, on: app.db))
            #expect(progress.isComplete, "\(progress.remaining)")
            #expect(!(try await browser.get("/dashboard").html.contains("Getting started")))
        }
    }
}
