import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Partnerships page")
struct PartnershipsPageTests {
    @Test func rendersRowsTabsAndTheEmptyStateFromValues() {
        let id = UUID()
        let page = PartnershipsPage(
            rows: [
                .init(
                    id: id, name: "Relaunch", otherSide: "Acme", status: "active", open: 3, atRisk: 1, overdue: 2,
                    nextDue: "4 Mar (in 3 days)")
            ],
            filter: .active, counts: [.all: 2, .active: 1, .invited: 1, .ended: 0])
        let html = page.render().text
        #expect(
            html.contains("<a href=\"/partnerships/\(id.uuidString.lowercased())\">Relaunch</a><div class=\"small muted\">with Acme</div>"))
        #expect(html.contains("3 <span class=\"risk\">2 overdue</span> <span class=\"risk\">1 at risk</span>"))
        #expect(html.contains("<a href=\"/partnerships?status=active\" aria-current=\"page\">Active (1)</a>"))
        #expect(html.contains("<a class=\"button\" href=\"/partnerships/new\">New partnership</a>"))
        let empty = PartnershipsPage(rows: [], filter: .all, counts: [:]).render().text
        #expect(empty.contains("No partnerships yet.") && empty.contains(">Open your first one →</a>"))
    }

    @Test func listsWhatThePersonMaySeeWithItsOpenWork() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            _ = try await app.api(
                .POST, "/partnerships", token: north.token, json: #"{"name":"Pilot","partnerEmail":"someone@else.example"}"#)
            for title in ["Audit", "Report"] {
                let created = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: north.token,
                    json: #"{"title":"\#(title)","dueAt":"2031-01-01T10:00:00Z","timeZone":"UTC"}"#)
                #expect(created.status == .created)
            }
            let browser = try await Browser.signedIn(app, as: north)
            let all = try await browser.get("/partnerships")
            #expect(all.status == .ok)
            #expect(all.html.contains("Relaunch</a><div class=\"small muted\">with Acme</div>"), "\(all.html.prefix(2000))")
            #expect(all.html.contains("with invited: someone@else.example") && all.html.contains("All (2)"))
            #expect(all.html.contains("<td>2</td>"))
            // Counted by the database: one accepted and past due is overdue, one flagged is at risk, and the next due
            // date is the earliest still ahead.
            let audit = try #require(try await Commitment.query(on: app.db).filter(\.$title == "Audit").first())
            audit.status = .accepted
            audit.dueAt = Date().addingTimeInterval(-86_400)
            try await audit.save(on: app.db)
            let report = try #require(try await Commitment.query(on: app.db).filter(\.$title == "Report").first())
            report.status = .accepted
            report.atRisk = true
            try await report.save(on: app.db)
            let counted = try await browser.get("/partnerships")
            #expect(counted.html.contains("<td>2 <span class=\"risk\">1 overdue</span> <span class=\"risk\">1 at risk</span></td>"))
            #expect(counted.html.contains("<td class=\"hide-sm\">1 Jan ("), "\(counted.html)")
            let invited = try await browser.get("/partnerships?status=invited")
            #expect(invited.html.contains("Pilot") && !invited.html.contains("Relaunch</a>"))
            // A colleague who was added to neither sees none; the partner sees only the shared one.
            let colleague = try await app.invitedMember(of: north, role: "member", name: "Max")
            #expect(try await Browser.signedIn(app, as: colleague).get("/partnerships").html.contains("No partnerships yet."))
            let theirs = try await Browser.signedIn(app, as: acme).get("/partnerships")
            #expect(theirs.html.contains("with Northwind") && !theirs.html.contains("Pilot"))
        }
    }
}

@Suite("Partnerships list pages")
struct PartnershipsListPagingTests {
    @Test func aLongListIsPagedWithinItsTab() {
        let rows = [PartnershipsPage.Row(id: UUID(), name: "Relaunch", otherSide: "Acme", status: "active", open: 0, atRisk: 0, overdue: 0)]
        let html = PartnershipsPage(rows: rows, filter: .active, counts: [.active: 120], page: 1, hasMore: true).render().text
        #expect(html.contains("<a href=\"/partnerships?status=active\">← Previous</a>"))
        #expect(html.contains("<a href=\"/partnerships?status=active&amp;page=2\">Next →</a>"))
        #expect(!PartnershipsPage(rows: rows, filter: .all, counts: [:]).render().text.contains("class=\"pager\""))
    }
}
