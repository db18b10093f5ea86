import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Status pages")
struct StatusPageTests {
    @Test func followingTwiceAtOnceFollowsOnce() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            #expect(try await app.api(.PUT, "/organization/status-page", token: a.token, json: #"{"visibility":"partners"}"#).status == .ok)
            let bob = Actor(user: try #require(try await User.find(UUID(uuidString: b.id), on: app.db)))
            let org = UUID(uuidString: a.organizationID)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await StatusPages.subscribe(org, true, by: bob, on: app.db) } }
                try await group.waitForAll()
            }
            #expect(try await StatusSubscription.query(on: app.db).count() == 1)
        }
    }

    @Test func aStatusPageShowsOnlyWhatItsOwnersChoseToWhomTheyChose() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let eve = try await app.register("Eve", org: "Intruder")
            let status = "/organizations/\(a.organizationID)/status"
            // Off until its owners choose: only their own people see it.
            #expect(try await app.api(.GET, status, token: b.token).status == .notFound)
            #expect(try await app.api(.GET, status, token: a.token).status == .ok)
            let disclosed = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: a.token,
                json:
                    #"{"title":"Checkout outage","description":"Our payment provider for Relaunch failed.","severity":"major","selfReported":true}"#
            )
            #expect(disclosed.status == .created, "\(disclosed.raw)")
            let iid = disclosed.body["id"] as? String ?? ""
            // Raised by the partner against Alice's side and not disclosed: never on the page.
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: b.token,
                json: #"{"title":"Late invoice","description":"Invoice came late.","severity":"minor"}"#)
            #expect(
                try await app.api(.PUT, "/organization/status-page", token: a.token, json: #"{"visibility":"sometimes"}"#).status.code
                    == 422)
            let member = try await app.invitedMember(of: a, role: "member")
            #expect(
                try await app.api(.PUT, "/organization/status-page", token: member.token, json: #"{"visibility":"public"}"#).status
                    == .forbidden)
            #expect(try await app.api(.PUT, "/organization/status-page", token: a.token, json: #"{"visibility":"partners"}"#).status == .ok)

            let seen = try await app.api(.GET, status, token: b.token)
            #expect(seen.status == .ok)
            let open = seen.body["open"] as? [[String: Any]] ?? []
            #expect(open.count == 1 && open.first?["title"] as? String == "Checkout outage")
            #expect(!seen.raw.contains("Relaunch") && !seen.raw.contains("payment provider") && !seen.raw.contains("Late invoice"))
            #expect(try await app.api(.GET, status, token: eve.token).status == .notFound)

            // A partner follows it by mail; so does Eve once the page is public. An update reaches both, once each.
            let bobWeb = try await Browser.signedIn(app, as: b)
            _ = try await bobWeb.post("/status/\(a.organizationID)/subscribe", [:])
            let eveWeb = try await Browser.signedIn(app, as: eve)
            _ = try await eveWeb.post("/status/\(a.organizationID)/subscribe", [:])
            #expect(try await StatusSubscription.query(on: app.db).count() == 1, "Eve may not see the page yet")
            #expect(try await app.api(.PUT, "/organization/status-page", token: a.token, json: #"{"visibility":"public"}"#).status == .ok)
            _ = try await eveWeb.post("/status/\(a.organizationID)/subscribe", [:])
            #expect(try await StatusSubscription.query(on: app.db).count() == 2)
            let update = try await app.api(
                .POST, "/partnerships/\(pid)/incidents/\(iid)/transitions", token: a.token,
                json: #"{"action":"update","note":"Payments work again; we are watching."}"#)
            #expect(update.status == .ok, "\(update.raw)")
            let eveMail = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == eve.email)
                .filter(\.$eventKind == NotificationKind.statusUpdate.rawValue).all()
            #expect(eveMail.count == 1 && eveMail.first?.subject.contains("Payments work again") == true)
            let bobMails = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email).filter(
                \.$subject ~~ "Payments work again"
            ).count()
            let bobUpdates = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                .filter(\.$eventKind ~~ [NotificationKind.statusUpdate.rawValue, NotificationKind.incidentUpdated.rawValue]).count()
            #expect(bobUpdates == 1 && bobMails <= 1, "one mail for one update, though Bob is both affected and a follower")

            // Public: the page and its feed without signing in.
            var html = ""
            try await app.testing().test(
                .GET, "/status/\(a.organizationID)",
                afterResponse: { res async in
                    #expect(res.status == .ok)
                    html = res.body.string
                })
            #expect(html.contains("Checkout outage") && html.contains("Payments work again") && html.contains("1 open incident"))
            try await app.testing().test(
                .GET, "/status/\(a.organizationID)/feed.atom",
                afterResponse: { res async in
                    #expect(res.status == .ok && res.headers.contentType?.description.hasPrefix("application/atom+xml") == true)
                    #expect(res.body.string.contains("<title>[acknowledged] Checkout outage</title>"))
                })
            // Restricted again: the anonymous feed is gone; a partner's personal feed address works.
            #expect(try await app.api(.PUT, "/organization/status-page", token: a.token, json: #"{"visibility":"partners"}"#).status == .ok)
            try await app.testing().test(
                .GET, "/status/\(a.organizationID)/feed.atom",
                afterResponse: { res async in
                    #expect(res.status == .notFound)
                })
            let bobPage = try await bobWeb.get("/status/\(a.organizationID)")
            let feedPath = try #require(
                bobPage.html.range(of: "/feed.atom?token=").map { r in
                    "/status/\(a.organizationID)" + bobPage.html[r.lowerBound...].prefix { $0 != "\"" }
                })
            try await app.testing().test(.GET, String(feedPath), afterResponse: { res async in #expect(res.status == .ok) })
            try await app.testing().test(.GET, String(feedPath) + "x", afterResponse: { res async in #expect(res.status == .notFound) })
        }
    }
}
