import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Referral lists")
struct ReferralTests {
    @Test func aClientOpensTheListWithoutAnAccountAndItEndsWhenRevokedOrExpired() async throws {
        try await withTestApp { app in
            let north = try await app.register("Alice", org: "Northwind")
            let lumen = try await app.register("Lia", org: "Lumen")
            let kite = try await app.register("Cleo", org: "Kite")
            let colleague = try await app.invitedMember(of: north, role: "member", name: "Max")
            let placed = try await app.api(
                .PUT, "/circles/\(lumen.organizationID)", token: north.token,
                json: #"{"circle":"trusted-referral","note":"Ships accessible storefronts, always on time"}"#)
            #expect(placed.status == .ok)
            #expect(
                try await app.api(.PUT, "/circles/\(kite.organizationID)", token: north.token, json: #"{"circle":"collaborator"}"#).status
                    == .ok)
            let about = try await app.api(
                .PUT, "/profile/sections/about", token: lumen.token, json: #"{"content":"Accessible storefronts.","visibility":"public"}"#)
            #expect(about.status == .ok)
            #expect(
                try await app.api(
                    .PUT, "/profile/sections/rates", token: lumen.token, json: #"{"content":"EUR 80","visibility":"signedIn"}"#
                )
                .status == .ok)

            #expect(try await app.api(.POST, "/referral-links", token: colleague.token, json: "{}").status == .forbidden)
            let bad = try await app.api(.POST, "/referral-links", token: north.token, json: #"{"expiresInDays":0}"#)
            #expect(bad.status == .badRequest || bad.status == .unprocessableEntity)
            let created = try await app.api(
                .POST, "/referral-links", token: north.token, json: #"{"note":"For Bakery Ltd: your relaunch","expiresInDays":7}"#)
            #expect(created.status == .created, "\(created.raw)")
            let link = created.body["link"] as? String ?? ""
            let token = String(link.split(separator: "/").last ?? "")
            #expect(token.hasPrefix("bfr_"))

            // Without an account: Lumen with Northwind's words and only its public sections; Kite is not a referral.
            let list = try await app.api(.GET, "/referrals/\(token)")
            #expect(list.status == .ok, "\(list.raw)")
            #expect(list.body["referrer"] as? String == "Northwind" && list.body["note"] as? String == "For Bakery Ltd: your relaunch")
            let entries = list.body["organizations"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["name"] as? String } == ["Lumen"])
            #expect(entries.first?["note"] as? String == "Ships accessible storefronts, always on time")
            #expect(entries.first?["sections"] as? [String: String] == ["about": "Accessible storefronts."])
            let visitor = Browser(app)
            let page = try await visitor.get("/referrals/\(token)")
            #expect(
                page.status == .ok && page.html.contains("Recommended by Northwind") && page.html.contains("Ships accessible storefronts"))
            #expect(!page.html.contains("Kite") && !page.html.contains("EUR 80"))
            #expect(try await app.api(.GET, "/referral-links", token: north.token).list.first?["views"] as? Int == 2)

            // Taking Lumen out of the circle takes it off the list at once.
            #expect(try await app.api(.DELETE, "/circles/\(lumen.organizationID)", token: north.token).status == .noContent)
            #expect((try await app.api(.GET, "/referrals/\(token)").body["organizations"] as? [[String: Any]])?.isEmpty == true)

            // Expired and revoked links are gone (410) with a reason; unknown tokens are not found.
            await #expect(throws: Problem.self) {
                _ = try await Referrals.open(token: token, at: Date().addingTimeInterval(8 * 86_400), on: app.db)
            }
            let id = created.body["id"] as? String ?? ""
            #expect(try await app.api(.DELETE, "/referral-links/\(id)", token: north.token).status == .noContent)
            let revoked = try await app.api(.GET, "/referrals/\(token)")
            #expect(revoked.status == .gone && revoked.raw.contains("withdrawn by Northwind"))
            #expect(try await visitor.get("/referrals/\(token)").status == .gone)
            #expect(try await app.api(.DELETE, "/referral-links/\(id)", token: north.token).status == .conflict)
            #expect(try await app.api(.DELETE, "/referral-links/\(id)", token: kite.token).status == .notFound)
            #expect(try await app.api(.GET, "/referrals/bfr_nothing").status == .notFound)
            #expect(try await app.api(.GET, "/referral-links", token: north.token).list.first?["active"] as? Bool == false)
        }
    }
}
