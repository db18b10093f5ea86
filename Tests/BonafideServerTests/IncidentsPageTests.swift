import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Incidents overview")
struct IncidentsPageTests {
    @Test func rendersRowsTabsAndPagerFromValues() {
        let page = IncidentsPage(
            rows: [
                .init(
                    title: "Wrong invoice", link: "/partnerships/p/incidents/i", partnership: "Relaunch", ours: true, selfReported: false,
                    severity: "minor", status: "open", handling: .pending, raised: "3 Dec 2026")
            ], filter: .open, counts: [.open: 1, .againstUs: 1, .raisedByUs: 0, .all: 3], page: 1, hasMore: true)
        let html = page.render().text
        #expect(
            html.contains("<a href=\"/partnerships/p/incidents/i\">Wrong invoice</a><div class=\"small muted\">Relaunch · your side</div>"))
        #expect(html.contains("<a href=\"/incidents?show=open\" aria-current=\"page\">Open (1)</a>"))
        #expect(
            html.contains("<a href=\"/incidents?show=open\">← Newer</a>")
                && html.contains("<a href=\"/incidents?show=open&amp;page=2\">Older →</a>"))
    }

    @Test func listsOnlyIncidentsOfVisiblePartnershipsByFilter() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let (other, _, otherPid) = try await app.activePartnership(("Olga", "Orbit"), ("Sam", "Sable"))
            for (token, p, title) in [(north.token, pid, "Wrong invoice"), (other.token, otherPid, "Someone else's")] {
                let r = try await app.api(
                    .POST, "/partnerships/\(p)/incidents", token: token,
                    json: #"{"title":"\#(title)","description":"Sent to the wrong address.","severity":"minor"}"#)
                #expect(r.status == .created)
            }
            let bob = try await Browser.signedIn(app, as: acme)
            let open = try await bob.get("/incidents").html
            #expect(open.contains("Wrong invoice</a>") && !open.contains("Someone else"), "another tenant's incident never shows")
            #expect(open.contains("Relaunch · your side"))
            #expect(try await bob.get("/incidents?show=raisedByUs").html.contains("None here."))
            let alice = try await Browser.signedIn(app, as: north)
            #expect(try await alice.get("/incidents?show=raisedByUs").html.contains("Wrong invoice</a>"))
            #expect(try await alice.get("/incidents?show=bogus&page=-3").status == .ok)
        }
    }
}
