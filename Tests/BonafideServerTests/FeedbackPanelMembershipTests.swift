import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Feedback panel membership")
struct FeedbackPanelMembershipTests {
    func open(_ app: Application, _ owner: Account) async throws -> String {
        let r = try await app.api(.POST, "/panels", token: owner.token, json: #"{"title":"Product panel"}"#)
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    func confirm(_ app: Application, _ account: Account) async throws {
        let user = try #require(try await User.find(UUID(uuidString: account.id), on: app.db))
        user.emailVerifiedAt = Date()
        try await user.save(on: app.db)
    }

    func mailedToken(_ app: Application, to email: String) async throws -> String {
        let mail = try #require(
            try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$kind == FeedbackPanels.invitationKind).first())
        let link = try #require(mail.body.split(whereSeparator: \.isWhitespace).first { $0.contains("/p/pn_") })
        return String(link.split(separator: "/").last ?? "")
    }

    func panelIDs(_ app: Application, _ account: Account) async throws -> [String] {
        try await app.api(.GET, "/panels", token: account.token).list.compactMap { $0["id"] as? String }
    }

    @Test func aListedAddressWithAConfirmedAccountJoinsAsThatAccount() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let cleo = try await app.register("Cleo", org: "Kite")
            try await confirm(app, b)
            let id = try await open(app, a)

            // Bob's confirmed address joins with his account; Cleo's unconfirmed one, and a customer's, get a link;
            // Alice's own address is one of the organization's people.
            let csv =
                #"email,name\n\#(b.email.uppercased()),Robert from Acme\n\#(cleo.email),Cleo\nana@customer.example,Ana\n\#(a.email),Alice"#
            let invited = try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"csv":"\#(csv)"}"#)
            #expect(invited.status == .ok && invited.body["invited"] as? Int == 3, "\(invited.raw)")
            let reasons = (invited.body["skipped"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons == ["one of your organization's people, who see the panel already"], "\(reasons)")

            // Bob sees the panel among his own and acts with his account; no link was mailed to him, he was told in the app.
            #expect(try await panelIDs(app, b) == [id])
            let seen = try await app.api(.GET, "/panels/\(id)", token: b.token)
            #expect(seen.status == .ok && seen.body["member"] as? Bool == true, "\(seen.raw)")
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email).filter(\.$kind == FeedbackPanels.invitationKind)
                    .count() == 0)
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                    .filter(\.$eventKind == NotificationKind.panel.rawValue).count() == 1)
            let bob = try #require(try await PanelMember.query(on: app.db).filter(\.$email == b.email).first())
            #expect(bob.$user.id?.uuidString.lowercased() == b.id && bob.tokenDigest == nil && bob.name == "Bob")
            #expect(try await app.api(.POST, "/panels/\(id)/ideas", token: b.token, json: #"{"title":"Dark mode"}"#).status == .created)

            // Cleo's address is not proven hers: she gets the link by mail, and the panel is not among her account's.
            #expect(try await mailedToken(app, to: cleo.email).hasPrefix("pn_"))
            #expect(try await panelIDs(app, cleo).isEmpty)
            #expect(try await app.api(.GET, "/panels/\(id)", token: cleo.token).status == .notFound)
            let members = try await app.api(.GET, "/panels/\(id)", token: a.token).body["members"] as? [[String: Any]] ?? []
            #expect(members.filter { $0["withAccount"] as? Bool == true }.count == 1, "\(members)")
        }
    }

    @Test func membersLeaveWithTheirAccountOrLinkAndTheirVotesStay() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await open(app, a)
            #expect(
                try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(
                try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"csv":"ana@customer.example,Ana"}"#).status
                    == .ok)
            let token = try await mailedToken(app, to: "ana@customer.example")
            let ana = [("X-Panel-Token", token)]
            let idea =
                try await app.api(.POST, "/panels/\(id)/ideas", token: a.token, json: #"{"title":"Dark mode"}"#).body["id"] as? String
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(idea ?? "")/votes", token: b.token).status == .created)

            // The organizer is no member and has nothing to leave.
            #expect(try await app.api(.DELETE, "/panels/\(id)/membership", token: a.token).status == .forbidden)

            // Bob leaves: the panel leaves his list and is not found for him; his vote still counts.
            let left = try await app.api(.DELETE, "/panels/\(id)/membership", token: b.token)
            #expect(left.status == .ok && left.body["members"] as? Int == 1, "\(left.raw)")
            #expect(try await panelIDs(app, b).isEmpty)
            #expect(try await app.api(.GET, "/panels/\(id)", token: b.token).status == .notFound)
            #expect(try await app.api(.DELETE, "/panels/\(id)/membership", token: b.token).status == .notFound)
            #expect(try await PanelIdea.find(UUID(uuidString: idea ?? ""), on: app.db)?.votes == 1)
            // Inviting his circle again does not bring him back.
            let again = try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"circle":"connected"}"#)
            #expect(again.body["invited"] as? Int == 0, "\(again.raw)")
            let reasons = (again.body["skipped"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons == ["left the panel"], "\(reasons)")

            // Ana leaves through her link, twice at once: one leave, and the link opens nothing any more.
            let statuses = try await together(2) { _ in
                try await app.api(.DELETE, "/panels/\(id)/membership", headers: ana).status
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { [HTTPStatus.ok, .conflict, .notFound].contains($0) }, "\(statuses)")
            #expect(try await app.api(.GET, "/panels/\(id)", headers: ana).status == .notFound)
            #expect(try await PanelMember.query(on: app.db).filter(\.$leftAt == nil).count() == 0)
            #expect(try await app.api(.GET, "/panels/\(id)", token: a.token).body["panel"] as? [String: Any] != nil)
        }
    }

    @Test func membersLeaveFromThePanelPage() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await open(app, a)
            #expect(
                try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"collaborator"}"#).status == .ok)
            #expect(try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"circle":"collaborator"}"#).status == .ok)
            #expect(
                try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"csv":"ana@customer.example,Ana"}"#).status
                    == .ok)

            // The organizer's page has no leave button; the member's has.
            let alice = try await Browser.signedIn(app, as: a)
            let organizerPage = try await alice.get("/panels/\(id)")
            #expect(organizerPage.status == .ok && !organizerPage.html.contains("Leave the panel"))
            let bob = try await Browser.signedIn(app, as: b)
            #expect(try await bob.get("/panels/\(id)").html.contains("Leave the panel"))
            let left = try await bob.post("/panels/\(id)/leave", [:])
            #expect(left.status == .seeOther && left.location == "/panels", "\(left.html.prefix(200))")
            #expect(try await bob.get("/panels").html.contains("You left “Product panel”"))
            #expect(try await bob.get("/panels/\(id)").status == .notFound)

            // Through the personal link: a page that says so, and the link opens nothing afterwards.
            let token = try await mailedToken(app, to: "ana@customer.example")
            let visitor = Browser(app)
            #expect(try await visitor.get("/p/\(token)").html.contains("Leave the panel"))
            let done = try await visitor.post("/p/\(token)/leave", [:])
            #expect(done.status == .ok && done.html.contains("You left “Product panel”"), "\(done.html.prefix(300))")
            #expect(try await visitor.get("/p/\(token)").status == .notFound)
        }
    }
}
