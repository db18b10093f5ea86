import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Thank-yous")
struct ThanksTests {
    func shownTexts(_ app: Application, on organization: String, token: String? = nil) async throws -> [String] {
        let r = try await app.api(.GET, "/organizations/\(organization)/thanks", token: token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list.compactMap { $0["text"] as? String }
    }

    func mails(_ app: Application, to email: String) async throws -> [String] {
        try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$eventKind == "thanks.changed").all()
            .map(\.subject)
    }

    @Test func aThankYouShowsOnlyOnceTheOrganizationThankedConsents() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let path = "/organizations/\(b.organizationID)/thanks"
            let given = try await app.api(.POST, path, token: a.token, json: #"{"text":"  Thank you for the relaunch <3  "}"#)
            #expect(given.status == .created, "\(given.raw)")
            #expect(given.body["status"] as? String == "awaitingConsent")
            #expect(given.body["text"] as? String == "Thank you for the relaunch <3", "kept as plain text, trimmed")
            #expect(given.body["fromOrganizationName"] as? String == "Northwind" && given.body["toOrganizationName"] as? String == "Acme")
            #expect(given.body["decidedAt"] == nil)
            let id = given.body["id"] as? String ?? ""
            let again = try await app.api(.POST, path, token: a.token, json: #"{"text":"And thanks again"}"#)
            #expect(again.status == .conflict, "one waiting per pair: \(again.raw)")

            // Nobody sees it on Acme's profile yet, not even Acme; the two sides see it in their own lists.
            #expect(try await shownTexts(app, on: b.organizationID).isEmpty)
            #expect(try await shownTexts(app, on: b.organizationID, token: c.token).isEmpty)
            #expect(try await shownTexts(app, on: b.organizationID, token: b.token).isEmpty)
            #expect(try await app.api(.GET, "/thanks", token: b.token).list.map { $0["status"] as? String } == ["awaitingConsent"])
            #expect(try await app.api(.GET, "/thanks", token: a.token).list.map { $0["id"] as? String } == [id])
            #expect(try await app.api(.GET, "/thanks", token: c.token).list.isEmpty)
            #expect(try await mails(app, to: b.email) == ["Northwind thanks you and asks to show it on your profile"])

            // Only Acme's owners and admins decide: Northwind is refused, Acme's member too, a third party is told it
            // does not exist.
            let decision = "/thanks/\(id)/decision"
            let mia = try await app.invitedMember(of: b, role: "member")
            #expect(try await app.api(.POST, decision, token: a.token, json: #"{"decision":"show"}"#).status == .forbidden)
            #expect(try await app.api(.POST, decision, token: mia.token, json: #"{"decision":"show"}"#).status == .forbidden)
            #expect(try await app.api(.POST, decision, token: c.token, json: #"{"decision":"show"}"#).status == .notFound)
            #expect(try await app.api(.POST, decision, token: b.token, json: #"{"decision":"maybe"}"#).status == .unprocessableEntity)
            #expect(try await app.api(.POST, "/thanks/\(id)/withdrawal", token: c.token).status == .notFound)

            // Two decisions at once: one wins, the other is told it was already decided.
            let statuses = try await together(2) { _ in
                try await app.api(.POST, decision, token: b.token, json: #"{"decision":"show"}"#).status
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.ok, .conflict], "\(statuses)")
            let shown = try await app.api(.GET, path)
            #expect(shown.list.map { $0["text"] as? String } == ["Thank you for the relaunch <3"], "\(shown.raw)")
            #expect(shown.list.first?["status"] as? String == "shown" && shown.list.first?["decidedAt"] != nil)
            #expect(try await shownTexts(app, on: a.organizationID).isEmpty, "it shows on the thanked one's profile only")
            #expect(try await mails(app, to: a.email) == ["Acme accepted your thank-you: it shows on their profile"])

            // Withdrawn, it leaves the profile, and nothing more can be done with it.
            #expect(try await app.api(.POST, "/thanks/\(id)/withdrawal", token: mia.token).status == .forbidden)
            let withdrawn = try await app.api(.POST, "/thanks/\(id)/withdrawal", token: b.token)
            #expect(withdrawn.body["status"] as? String == "withdrawn", "\(withdrawn.raw)")
            #expect(try await shownTexts(app, on: b.organizationID).isEmpty)
            #expect(try await app.api(.POST, "/thanks/\(id)/withdrawal", token: a.token).status == .conflict)
            #expect(try await app.api(.POST, decision, token: b.token, json: #"{"decision":"show"}"#).status == .conflict)
            #expect(try await mails(app, to: a.email).contains("Acme took your thank-you off its profile"))

            // A declined one is never shown.
            let second = try await app.api(.POST, path, token: a.token, json: #"{"text":"Thanks for the quick fixes"}"#)
            #expect(second.status == .created, "a new one once none waits: \(second.raw)")
            let declined = try await app.api(
                .POST, "/thanks/\(second.body["id"] as? String ?? "")/decision", token: b.token, json: #"{"decision":"decline"}"#)
            #expect(declined.body["status"] as? String == "declined", "\(declined.raw)")
            #expect(try await shownTexts(app, on: b.organizationID).isEmpty)
            #expect(try await app.api(.GET, "/thanks", token: a.token).list.count == 2, "the giver keeps seeing both, with their state")
            #expect(try await app.api(.GET, "/organizations/\(UUID())/thanks").status == .notFound)
        }
    }

    @Test func onlyARelationEntitlesOneToThankAndRefusalsWriteNothing() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let member = try await app.invitedMember(of: a, role: "member")
            let path = "/organizations/\(b.organizationID)/thanks"
            let long = String(repeating: "x", count: Thanks.maxText + 1)
            let cases: [(String, String, String?, HTTPStatus)] = [
                ("/organizations/\(c.organizationID)/thanks", #"{"text":"Thanks!"}"#, a.token, .unprocessableEntity),
                ("/organizations/\(a.organizationID)/thanks", #"{"text":"Thanks!"}"#, a.token, .unprocessableEntity),
                ("/organizations/\(UUID())/thanks", #"{"text":"Thanks!"}"#, a.token, .notFound),
                ("/organizations/not-an-id/thanks", #"{"text":"Thanks!"}"#, a.token, .notFound),
                (path, #"{"text":""}"#, a.token, .unprocessableEntity),
                (path, #"{"text":"   "}"#, a.token, .unprocessableEntity),
                (path, #"{"text":"\#(long)"}"#, a.token, .unprocessableEntity),
                (path, #"{}"#, a.token, .unprocessableEntity),
                (path, #"{"text":"Thanks!"}"#, member.token, .forbidden),
                (path, #"{"text":"Thanks!"}"#, nil, .unauthorized),
            ]
            for (url, json, token, expected) in cases {
                let r = try await app.api(.POST, url, token: token, json: json)
                #expect(r.status == expected, "\(url) \(json.prefix(40)): \(r.raw)")
                #expect(r.headers.contentType?.description.contains("problem+json") == true, "\(r.headers)")
            }
            let stranger = try await app.api(.POST, "/organizations/\(c.organizationID)/thanks", token: a.token, json: #"{"text":"Hi"}"#)
            #expect(stranger.body["detail"] as? String == Self.noRelation("Kite"), "\(stranger.raw)")
            #expect(try await ThankYou.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "thanks.changed").count() == 0)

            // Following Kite is interest, not a relation; keeping it among the connected is.
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"follow"}"#).status == .ok)
            #expect(
                try await app.api(.POST, "/organizations/\(c.organizationID)/thanks", token: a.token, json: #"{"text":"Hi"}"#).status
                    == .unprocessableEntity)
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(
                try await app.api(.POST, "/organizations/\(c.organizationID)/thanks", token: a.token, json: #"{"text":"Hi"}"#).status
                    == .created)
            // Kite placed nobody: it cannot thank Northwind back on that basis (circles are one-sided).
            #expect(
                try await app.api(.POST, "/organizations/\(a.organizationID)/thanks", token: c.token, json: #"{"text":"Hi"}"#).status
                    == .unprocessableEntity)
            // The longest allowed text passes.
            let longest = String(repeating: "x", count: Thanks.maxText)
            #expect(try await app.api(.POST, path, token: a.token, json: #"{"text":"\#(longest)"}"#).status == .created)
        }
    }

    static func noRelation(_ name: String) -> String {
        "You can thank an organization you work or worked with (a partnership, present or past) or one you keep in your circles from connected up; \(name) is neither."
    }

    @Test func aThankYouGivenOnTheProfileIsShownThroughTheConsentButton() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let acme = b.organizationID.lowercased()
            let section = EngagementPageTests().section
            let alice = try await Browser.signedIn(app, as: a)
            let profile = try await alice.get("/organizations/\(acme)")
            let card = section(profile.html, "say-thanks")
            #expect(card.contains("action=\"/organizations/\(acme)/thanks#say-thanks\""), "\(card)")

            // A refusal comes back in the card, as typed.
            let long = String(repeating: "a", count: Thanks.maxText + 1)
            let refused = try await alice.post("/organizations/\(acme)/thanks", ["text": long])
            #expect(refused.status == .unprocessableEntity)
            let again = section(refused.html, "say-thanks")
            #expect(again.contains("A thank-you has 1 to \(Thanks.maxText) characters"), "\(again)")
            #expect(again.contains(">\(long)</textarea>"), "kept as typed")
            #expect(try await ThankYou.query(on: app.db).count() == 0)

            let sent = try await alice.post("/organizations/\(acme)/thanks", ["text": "Thank you for <the> relaunch"])
            #expect(sent.status == .seeOther && sent.location == "/organizations/\(acme)#say-thanks", "\(sent.html.prefix(300))")
            let waiting = section(try await alice.get("/organizations/\(acme)").html, "say-thanks")
            #expect(waiting.contains("Your thank-you waits for Acme") && !waiting.contains("<textarea"), "\(waiting)")

            // Acme's public profile does not show it until Acme agrees.
            #expect(
                try await app.api(.PUT, "/profile/sections/about", token: b.token, json: #"{"content":"Design","visibility":"public"}"#)
                    .status == .ok)
            #expect(!section(try await Browser(app).get("/profiles/\(acme)").html, "recognition").contains("Thanked by"))

            // Acme's owner finds it on the organization page and shows it with the consent button.
            let bob = try await Browser.signedIn(app, as: b)
            let own = section(try await bob.get("/organization").html, "thanks")
            let thanks = try #require(try await ThankYou.query(on: app.db).first())
            let action = "/thanks/\(thanks.id!.uuidString.lowercased())/decision"
            #expect(own.contains("From <strong>Northwind</strong>: “Thank you for &lt;the&gt; relaunch”"), "\(own)")
            #expect(own.contains("action=\"\(action)\""), "the consent button: \(own)")
            let shown = try await bob.post(action, ["decision": "show"])
            #expect(shown.status == .seeOther && shown.location == "/organization#thanks", "\(shown.html.prefix(300))")
            #expect(try await ThankYou.find(thanks.id, on: app.db)?.status == .shown)

            // Now anyone sees it on Acme's public profile, under its badges, and signed-in people on its profile page.
            let recognition = section(try await Browser(app).get("/profiles/\(acme)").html, "recognition")
            #expect(
                recognition.contains("<strong>Thanked by Northwind</strong>: “Thank you for &lt;the&gt; relaunch”")
                    && recognition.contains("No badges yet"), "\(recognition)")
            #expect(section(try await alice.get("/organizations/\(acme)").html, "recognition").contains("Thanked by Northwind"))
        }
    }
}
