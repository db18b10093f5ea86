import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Partnership page")
struct PartnershipPageTests {
    @Test func filtersNarrowTheCommitmentsByStateOwnerAndDue() {
        let us = UUID()
        let them = UUID()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func commitment(_ status: CommitmentStatus, owner: UUID, dueIn days: Double, atRisk: Bool = false) -> Commitment {
            let c = Commitment()
            c.status = status
            c.$ownerOrganization.id = owner
            c.$recipientOrganization.id = owner == us ? them : us
            c.dueAt = now.addingTimeInterval(days * 86_400)
            c.atRisk = atRisk
            return c
        }
        let late = commitment(.accepted, owner: us, dueIn: -2)
        let soon = commitment(.accepted, owner: them, dueIn: 3, atRisk: true)
        let done = commitment(.completed, owner: us, dueIn: -10)
        let later = commitment(.proposed, owner: them, dueIn: 20)
        let all = [late, soon, done, later]
        func shown(_ f: CommitmentFilter) -> [ObjectIdentifier] {
            all.filter { f.matches($0, ourSide: us, at: now) }.map(ObjectIdentifier.init)
        }
        #expect(shown(CommitmentFilter()).count == 4)
        #expect(shown(CommitmentFilter(state: .open)) == [ObjectIdentifier(late), ObjectIdentifier(soon), ObjectIdentifier(later)])
        #expect(shown(CommitmentFilter(owner: .ours)) == [ObjectIdentifier(late), ObjectIdentifier(done)])
        #expect(shown(CommitmentFilter(owner: .theirs, due: .week)) == [ObjectIdentifier(soon)])
        #expect(shown(CommitmentFilter(due: .overdue)) == [ObjectIdentifier(late)])
        #expect(shown(CommitmentFilter(state: .atRisk)) == [ObjectIdentifier(soon)])
        #expect(shown(CommitmentFilter(due: .month)) == [ObjectIdentifier(soon), ObjectIdentifier(later)])
        // Anything unknown in the link shows everything rather than an error page.
        #expect(CommitmentFilter(query: { ["state": "bogus", "owner": "ours"][$0] }) == CommitmentFilter(owner: .ours))
    }

    @Test func thePageReadsAtAGlance() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let soon = rfc3339(Date().addingTimeInterval(3 * 86_400))
            let later = rfc3339(Date().addingTimeInterval(60 * 86_400))
            for (title, due, token) in [("Style guide", soon, north.token), ("Photo shoot", later, acme.token)] {
                let r = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: token, json: #"{"title":"\#(title)","dueAt":"\#(due)"}"#)
                #expect(r.status == .created)
            }
            let browser = try await Browser.signedIn(app, as: acme)
            let page = try await browser.get("/partnerships/\(pid)").html
            // Jump links to each part, which a phone shows one at a time (tabs.js).
            #expect(
                page.contains(
                    "<nav class=\"jump\" aria-label=\"On this page\" data-tabs><a href=\"#overview\" data-panel=\"panel-overview\">Overview</a>"
                ))
            #expect(page.contains("<div class=\"tab-panel\" id=\"panel-commitments\"><section class=\"card\" id=\"commitments\">"))
            #expect(page.contains("<strong class=\"\">2</strong> open commitments</a>"), "\(page)")
            // Plain words, no event codes, and no warning pill before anyone cosigns.
            #expect(page.contains("<li>Alice proposed “Style guide”, owned by Alice<div class=\"small muted\">Alice · "))
            #expect(!page.contains("<code>commitment."), "event codes stay on the record page")
            #expect(!page.contains("not yet witnessed"))
            #expect(page.contains("<span class=\"status\">signed by Bonafide</span>"))

            let mine = try await browser.get("/partnerships/\(pid)?owner=theirs&due=week").html
            #expect(mine.contains("1 of 2 shown.") && mine.contains("Style guide</a>") && !mine.contains("Photo shoot</a>"))
            #expect(mine.contains("<option value=\"theirs\" selected>"))
            let none = try await browser.get("/partnerships/\(pid)?state=missed").html
            #expect(none.contains("None match these filters.") && none.contains("Show all</a>"))
        }
    }
}

@Suite("Browser witnessing card")
struct BrowserWitnessTests {
    @Test func namesTheKeyAfterTheOrganizationAndOffersSetUpOnlyToManagers() {
        let p = UUID()
        let o = UUID()
        let owner = BrowserWitness(
            partnershipID: p, organizationID: o, organizationName: "Acme Retail & Co. (EU)", canManage: true, csrf: "t")
        #expect(owner.witnessName == "acme-retail-co-eu-web")
        let html = owner.render().text
        #expect(
            html.contains("data-partnership=\"\(p.uuidString.lowercased())\"")
                && html.contains("data-witness-name=\"acme-retail-co-eu-web\""))
        #expect(html.contains("id=\"browser-witness-setup\" hidden>Witness from this browser</button>"))
        #expect(html.contains("<script src=\"/assets/witness.js\" defer></script>"))
        let member = BrowserWitness(partnershipID: p, organizationID: o, organizationName: "Ünïcode", canManage: false, csrf: "t")
        #expect(!member.render().text.contains("browser-witness-setup") && member.witnessName == "n-code-web")
    }
}

@Suite("Opening a partnership")
struct NewPartnershipFormTests {
    @Test func aRefusedFormComesBackAsTypedWithTheReasonUnderItsField() async throws {
        try await withTestApp { app in
            let alice = try await app.register("Alice", org: "Northwind")
            let browser = try await Browser.signedIn(app, as: alice)
            let refused = try await browser.post(
                "/partnerships", ["name": "Relaunch <2027>", "partnerEmail": "not-an-address", "agreement": "We meet weekly."])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("value=\"Relaunch &lt;2027&gt;\"") && refused.html.contains("We meet weekly.</textarea>"))
            #expect(
                refused.html.contains("id=\"partnerEmail-error\" role=\"alert\">&quot;not-an-address&quot; is not an email address.</p>"))
            #expect(refused.html.contains("name=\"partnerEmail\" type=\"email\" value=\"not-an-address\" aria-invalid=\"true\""))
            #expect(try await Partnership.query(on: app.db).count() == 0)
            let opened = try await browser.post("/partnerships", ["name": "Relaunch", "partnerEmail": "bob@acme.example", "agreement": ""])
            #expect(opened.location?.hasPrefix("/partnerships/") == true)
        }
    }
}
