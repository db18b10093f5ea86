import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// What each part of the partnership page shows after a little of everything happened, as one of the members sees
/// it: pinned so that how the page reads its data can change without what it says changing.
@Suite("Partnership page sections")
struct PartnershipPageSectionsTests {
    @Test func everyPartShowsWhatHappenedInOrder() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            // A colleague of Bob's who is not in the partnership: the only one the page offers to add.
            let mia = try await app.invitedMember(of: acme, role: "member", name: "Mia")
            for (title, days, token) in [
                ("Style guide", 3.0, north.token), ("Photo shoot", 60, acme.token), ("Wireframes", 10, north.token),
            ] {
                let due = rfc3339(Date().addingTimeInterval(days * 86_400))
                let r = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: token, json: #"{"title":"\#(title)","dueAt":"\#(due)"}"#)
                #expect(r.status == .created, "\(r.raw)")
            }
            // Alice's request waits; Bob's is answered by Alice, which makes Bob's thread the most recently active.
            let access = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: north.token,
                json: #"{"body":"Can you share access?","subject":"Access to the CMS","needsResponse":true}"#)
            #expect(access.status == .created)
            let budget = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: acme.token,
                json: #"{"body":"Is the budget fixed?","subject":"Budget for Q3","needsResponse":true}"#)
            let tid = budget.body["threadId"] as? String ?? ""
            let answer = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: north.token, json: #"{"body":"Yes, fixed.","threadId":"\#(tid)"}"#)
            #expect(answer.status == .created, "\(answer.raw)")
            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: acme.token,
                json: #"{"title":"Wrong invoice","description":"Sent to the wrong address.","severity":"minor"}"#)
            #expect(raised.status == .created, "\(raised.raw)")
            let agreed = try await app.api(
                .PUT, "/partnerships/\(pid)/agreement", token: acme.token, json: #"{"text":"We meet every Tuesday."}"#)
            #expect(agreed.status == .created)

            let page = try await Browser.signedIn(app, as: acme).get("/partnerships/\(pid)")
            #expect(page.status == .ok)
            let html = page.html
            // Members in the order they joined, each with their side; only Mia can be added.
            #expect(
                html.contains(
                    "<h2>Members</h2><ul><li>Alice <span class=\"muted small\">Northwind</span></li><li>Bob <span class=\"muted small\">Acme</span></li></ul>"
                ), "\(html)")
            #expect(html.contains("<select id=\"member\" name=\"userId\"><option value=\"\(mia.id)\">Mia</option></select>"))
            // The overview counts and the commitments, soonest due first, owners named.
            #expect(html.contains("<strong class=\"\">3</strong> open commitments</a>"))
            #expect(html.contains("<strong class=\"risk\">1</strong> open request</a>"))
            #expect(html.contains("<strong class=\"risk\">1</strong> open incident</a>"))
            let order = ["Style guide</a>", "Wireframes</a>", "Photo shoot</a>"].map { html.range(of: $0)?.lowerBound }
            #expect(order.allSatisfy { $0 != nil } && order[0]! < order[1]! && order[1]! < order[2]!)
            #expect(html.contains("Photo shoot</a><div class=\"small muted\">Bob for Northwind</div>"))
            #expect(html.contains("Style guide</a><div class=\"small muted\">Alice for Acme</div>"))
            // Responsiveness: Northwind answered Bob's request; Alice's waits on Acme.
            #expect(html.contains("<strong id=\"open-requests\">1</strong> open request</p>"))
            #expect(
                html.contains(
                    "<tr><td>Northwind</td><td>1 min</td><td>1</td><td>0</td></tr><tr><td>Acme</td><td>–</td><td>0</td><td>1</td></tr>"))
            // Conversations, most recently active first.
            let budgetAt = try #require(html.range(of: ">Budget for Q3</a>"))
            let accessAt = try #require(html.range(of: ">Access to the CMS</a>"))
            #expect(budgetAt.lowerBound < accessAt.lowerBound)
            // Bob's side raised the incident: Northwind is responsible, "the other side" to Bob.
            #expect(html.contains("Wrong invoice</a><div class=\"small muted\">the other side</div>"))
            #expect(html.contains("<span class=\"status s-minor\">minor</span>"))
            // The agreement as it stands, with who wrote it.
            #expect(
                html.contains(
                    "<pre class=\"agreement\" id=\"agreement-text\">We meet every Tuesday.</pre><p class=\"small muted\">Version 2 by Bob, "
                ))
            // Trust in the other side, and the record naming who did what.
            #expect(html.contains("<h2>Your trust in Northwind</h2>"))
            #expect(html.contains("<div class=\"small muted\">Bob · ") && html.contains("<div class=\"small muted\">Alice · "))
            let timeline = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: acme.token).list
            #expect(html.contains("<strong id=\"log-size\">\(timeline.count)</strong> entries"))
        }
    }

    @Test func someoneOutsideThePartnershipIsToldItDoesNotExist() async throws {
        try await withTestApp { app in
            let (_, _, pid) = try await app.activePartnership()
            let carol = try await app.register("Carol", org: "Globex")
            let outsider = try await Browser.signedIn(app, as: carol)
            #expect(try await outsider.get("/partnerships/\(pid)").status == .notFound)
            #expect(try await app.api(.GET, "/partnerships/\(pid)/timeline", token: carol.token).status == .notFound)
        }
    }
}
