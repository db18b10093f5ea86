import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Feedback panels")
struct FeedbackPanelTests {
    @discardableResult
    func open(_ app: Application, _ owner: Account, title: String = "Product panel") async throws -> String {
        let r = try await app.api(
            .POST, "/panels", token: owner.token, json: #"{"title":"\#(title)","purpose":"Tell us what to build next."}"#)
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    /// The personal link's token from the invitation mail to the address.
    func mailedToken(_ app: Application, to email: String) async throws -> String {
        let mail = try #require(
            try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$kind == FeedbackPanels.invitationKind).first())
        let link = try #require(mail.body.split(whereSeparator: \.isWhitespace).first { $0.contains("/p/pn_") })
        return String(link.split(separator: "/").last ?? "")
    }

    @Test func customersByLinkAndPartnersByAccountVoteAndSeeTheirFeedbackActedOn() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await open(app, a)
            // Bob's organization is in Alice's "connected" circle: invited with his account.
            #expect(
                try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            let fromCircle = try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"circle":"connected"}"#)
            #expect(fromCircle.status == .ok && fromCircle.body["invited"] as? Int == 1, "\(fromCircle.raw)")
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                    .filter(\.$eventKind == NotificationKind.panel.rawValue).count() == 1)

            // A customer without an account, from a list: a bad line and a repeated address are skipped with the reason.
            let csv = #"email,name\nana@customer.example,Ana Ruiz\nnot-an-address,Nobody\nANA@customer.example,Ana again"#
            let fromList = try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: #"{"csv":"\#(csv)"}"#)
            #expect(fromList.status == .ok && fromList.body["invited"] as? Int == 1, "\(fromList.raw)")
            let skipped = (fromList.body["skipped"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(
                skipped.count == 2 && skipped.contains("already a member") && skipped.contains { $0.contains("not an email") }, "\(skipped)"
            )
            let token = try await mailedToken(app, to: "ana@customer.example")
            #expect(token.hasPrefix("pn_"))
            let stored = try #require(try await PanelMember.query(on: app.db).filter(\.$email == "ana@customer.example").first())
            #expect(stored.tokenDigest == Secrets.digest(token) && stored.$user.id == nil, "only the digest is kept")

            // Ana proposes and votes through her link; a second vote is refused and counted once. Bob votes with his account.
            let ana = [("X-Panel-Token", token)]
            let proposed = try await app.api(
                .POST, "/panels/\(id)/ideas", json: #"{"title":"Export to CSV","details":"Monthly reports."}"#, headers: ana)
            #expect(proposed.status == .created && proposed.body["mine"] as? Bool == true, "\(proposed.raw)")
            let idea = proposed.body["id"] as? String ?? ""
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(idea)/votes", headers: ana).status == .created)
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(idea)/votes", headers: ana).status == .conflict)
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(idea)/votes", token: b.token).status == .created)
            #expect(
                try await app.api(.POST, "/panels/\(id)/ideas/\(idea)/comments", token: b.token, json: #"{"body":"Yes, please."}"#).status
                    == .created)
            #expect(try await PanelVote.query(on: app.db).count() == 2)
            let listed = try await app.api(.GET, "/panels/\(id)", headers: ana)
            let first = (listed.body["ideas"] as? [[String: Any]])?.first
            #expect(first?["votes"] as? Int == 2 && first?["votedByYou"] as? Bool == true, "\(listed.raw)")
            #expect(first?["proposedBy"] == nil, "members' names are for the organization")
            #expect(try await app.api(.GET, "/panels", token: b.token).list.map { $0["id"] as? String } == [id])

            // The organizer marks it done: Ana is mailed, Bob notified, and the members see it under what was done.
            let decided = try await app.api(
                .POST, "/panels/\(id)/ideas/\(idea)/decision", token: a.token,
                json: #"{"status":"done","outcome":"CSV export shipped in March."}"#)
            #expect(decided.status == .ok && decided.body["status"] as? String == "done", "\(decided.raw)")
            let anaMail = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example")
                .filter(\.$kind == FeedbackPanels.noticeKind).all()
            #expect(anaMail.count == 1 && anaMail.first?.subject.hasPrefix("Your feedback was acted on") == true)
            #expect(anaMail.first?.body.contains("CSV export shipped in March.") == true)
            let bobNotified = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                .filter(\.$eventKind == NotificationKind.panel.rawValue).all().filter { $0.subject.hasPrefix("Your feedback was acted on") }
            #expect(bobNotified.count == 1)
            let seen = try await app.api(.GET, "/panels/\(id)", headers: ana)
            let actedOn = seen.body["actedOn"] as? [[String: Any]] ?? []
            #expect(actedOn.first?["outcome"] as? String == "CSV export shipped in March.", "\(seen.raw)")
            let page = try await Browser(app).get("/p/\(token)")
            #expect(page.status == .ok && page.html.contains("What we did with your feedback") && page.html.contains("shipped in March"))

            // Closed: no new ideas or votes.
            #expect(try await app.api(.POST, "/panels/\(id)/closure", token: a.token).status == .ok)
            #expect(try await app.api(.POST, "/panels/\(id)/ideas", json: #"{"title":"More"}"#, headers: ana).status == .conflict)
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(idea)/votes", token: b.token).status == .conflict)
            #expect(try await PanelIdea.query(on: app.db).count() == 1)
        }
    }

    @Test func strangersGetNotFoundAndBadInputWritesNothing() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let member = try await app.invitedMember(of: a, role: "member")
            let id = try await open(app, a)
            let idea = try await app.api(.POST, "/panels/\(id)/ideas", token: a.token, json: #"{"title":"Dark mode"}"#)
            #expect(idea.status == .created, "\(idea.raw)")
            let ideaID = idea.body["id"] as? String ?? ""

            // Another organization sees nothing of it: the panel, its ideas and its actions are not found.
            #expect(try await app.api(.GET, "/panels/\(id)", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/panels", token: c.token).list.isEmpty)
            #expect(try await app.api(.POST, "/panels/\(id)/ideas", token: c.token, json: #"{"title":"Hi"}"#).status == .notFound)
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(ideaID)/votes", token: c.token).status == .notFound)
            #expect(
                try await app.api(.POST, "/panels/\(id)/ideas/\(ideaID)/comments", token: c.token, json: #"{"body":"Hi"}"#).status
                    == .notFound)
            #expect(
                try await app.api(
                    .POST, "/panels/\(id)/ideas/\(ideaID)/decision", token: c.token, json: #"{"status":"done","outcome":"x"}"#
                ).status == .notFound)
            #expect(
                try await app.api(.POST, "/panels/\(id)/members", token: c.token, json: #"{"csv":"e@x.example,E"}"#).status == .notFound)
            #expect(try await app.api(.GET, "/panels/\(id)", headers: [("X-Panel-Token", "pn_forged")]).status == .notFound)
            // A colleague who is no owner or admin sees the panel but does not run it.
            #expect(try await app.api(.GET, "/panels/\(id)", token: member.token).status == .ok)
            #expect(try await app.api(.POST, "/panels/\(id)/closure", token: member.token).status == .forbidden)

            // Bad input: 422, nothing written.
            #expect(try await app.api(.POST, "/panels", token: a.token, json: #"{"title":"   "}"#).status == .unprocessableEntity)
            #expect(try await FeedbackPanel.query(on: app.db).count() == 1)
            for json in [
                #"{}"#, #"{"csv":"   "}"#, #"{"csv":"\"unclosed,Ana"}"#, #"{"circle":"connected","csv":"ana@x.example,Ana"}"#,
            ] {
                let r = try await app.api(.POST, "/panels/\(id)/members", token: a.token, json: json)
                #expect(r.status == .unprocessableEntity, "\(json): \(r.raw)")
            }
            #expect(try await PanelMember.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == FeedbackPanels.invitationKind).count() == 0)
            let long = String(repeating: "x", count: FeedbackPanels.maxIdeaTitle + 1)
            for title in ["  ", long] {
                #expect(
                    try await app.api(.POST, "/panels/\(id)/ideas", token: a.token, json: #"{"title":"\#(title)"}"#).status
                        == .unprocessableEntity)
            }
            #expect(try await PanelIdea.query(on: app.db).count() == 1)
            for json in [#"{"status":"done","outcome":"  "}"#, #"{"status":"proposed","outcome":"x"}"#] {
                let r = try await app.api(.POST, "/panels/\(id)/ideas/\(ideaID)/decision", token: a.token, json: json)
                #expect(r.status == .unprocessableEntity || r.status == .badRequest, "\(json): \(r.raw)")
            }
            #expect(try await PanelIdea.query(on: app.db).filter(\.$status == .proposed).count() == 1)
            // The organization's people decide rather than vote.
            #expect(try await app.api(.POST, "/panels/\(id)/ideas/\(ideaID)/votes", token: a.token).status == .forbidden)
        }
    }
}

@Suite("Feedback panel pages")
struct FeedbackPanelPageTests {
    @Test func aMemberVotesThroughTheWebPage() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let created = try await app.api(.POST, "/panels", token: a.token, json: #"{"title":"Partner panel"}"#)
            let id = created.body["id"] as? String ?? ""
            #expect(
                try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"collaborator"}"#).status == .ok)
            let alice = try await Browser.signedIn(app, as: a)
            #expect(try await alice.post("/panels/\(id)/members", ["circle": "collaborator"]).status == .seeOther)
            #expect(try await alice.post("/panels/\(id)/ideas", ["title": "Shared roadmap", "details": ""]).status == .seeOther)
            let ideaID = try #require(try await PanelIdea.query(on: app.db).first()?.id)

            let bob = try await Browser.signedIn(app, as: b)
            let page = try await bob.get("/panels/\(id)")
            #expect(page.status == .ok && page.html.contains("Shared roadmap") && page.html.contains(">+1</button>"), "\(page.html)")
            #expect(try await bob.post("/panels/\(id)/ideas/\(Access.key(ideaID))/vote", [:]).status == .seeOther)
            let after = try await bob.get("/panels/\(id)")
            #expect(after.html.contains("1 vote") && after.html.contains("you voted"), "\(after.html)")
            #expect(try await PanelIdea.find(ideaID, on: app.db)?.votes == 1)
            // A stranger's browser gets no panel.
            let cleo = try await Browser.signedIn(app, as: try await app.register("Cleo", org: "Kite"))
            #expect(try await cleo.get("/panels/\(id)").status == .notFound)
        }
    }
}
