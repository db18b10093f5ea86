import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// Who hears of a challenge, who reads it without an account, and as whom an invited address takes part.
@Suite("Challenge audience")
struct ChallengeAudienceTests {
    let challenges = ChallengeTests()

    func confirm(_ app: Application, _ account: Account) async throws {
        let user = try #require(try await User.find(UUID(uuidString: account.id), on: app.db))
        user.emailVerifiedAt = Date()
        try await user.save(on: app.db)
    }

    func started(_ app: Application, to email: String) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email)
            .filter(\.$eventKind == NotificationKind.challengeStarted.rawValue).all()
    }

    func bell(_ app: Application, _ account: Account, about title: String) async throws -> [String] {
        let id = try #require(UUID(uuidString: account.id))
        return try await Notification.query(on: app.db).filter(\.$user.$id == id).all().map(\.text).filter { $0.contains(title) }
    }

    @Test func startingTellsThePeopleOfKnownOrganizationsInTheAudienceOnceEachAsTheyChose() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let mia = try await app.invitedMember(of: b, role: "member", name: "Mia")
            let cleo = try await app.register("Cleo", org: "Kite")
            let dora = try await app.register("Dora", org: "Lark")
            #expect(
                try await app.api(.PUT, "/circles/\(cleo.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            let off = try await app.api(.PUT, "/me/notifications", token: mia.token, json: #"{"modes":{"challenge.started":"off"}}"#)
            #expect(off.status == .ok, "\(off.raw)")

            _ = try await challenges.start(app, a, title: "Fastest checkout", visibility: "partners")
            // Bob's mail opens with his own line about the work with Northwind, then the time box and the prompt.
            let bobs = try await started(app, to: b.email)
            #expect(bobs.count == 1 && bobs.first?.subject == "Northwind started a challenge: “Fastest checkout”", "\(bobs.map(\.subject))")
            let body = bobs.first?.body ?? ""
            #expect(body.hasPrefix("You work with Northwind at Acme; nothing is open between you right now.\n\n"), "\(body)")
            #expect(body.contains("Entries are open from") && body.contains("How fast can a returning customer pay?"), "\(body)")
            // Mia turned these mails off: the bell still has it.
            #expect(try await started(app, to: mia.email).isEmpty)
            #expect(try await bell(app, mia, about: "Fastest checkout") == ["Northwind started a challenge: “Fastest checkout”"])
            // Kite is in a circle, not a partner: outside this audience. Northwind's own people run it.
            #expect(try await bell(app, cleo, about: "Fastest checkout").isEmpty)
            #expect(try await bell(app, a, about: "Fastest checkout").isEmpty)

            // A public challenge opening tomorrow reaches every organization Northwind knows, each with its own line,
            // and no stranger: Lark may read it but is not written to.
            _ = try await challenges.start(app, a, title: "Best onboarding", visibility: "public", opensIn: 86_400, closesIn: 3 * 86_400)
            let kites = try await started(app, to: cleo.email)
            #expect(
                kites.count == 1 && kites.first?.subject == "Northwind announced a challenge: “Best onboarding”", "\(kites.map(\.subject))")
            #expect(kites.first?.body.hasPrefix("Northwind counts Kite among its connected.") == true, "\(kites.first?.body ?? "")")
            #expect(try await started(app, to: b.email).count == 2)
            #expect(try await bell(app, dora, about: "Best onboarding").isEmpty)
            #expect(try await started(app, to: dora.email).isEmpty)

            // The mail carries a one-click unsubscribe for this kind, which stops it for Bob only.
            let bob = try #require(try await User.query(on: app.db).filter(\.$email == b.email).first())
            let mail = NotificationMail.compose(
                try #require(bobs.first), for: bob,
                context: .init(baseURL: "https://t.example", tokenKey: app.mailTokenKey, replyDomain: nil, requireVerifiedAddresses: false),
                heloName: "t.example", now: Date())
            #expect(mail.body.contains(NotificationKind.challengeStarted.label), "\(mail.body)")
            let unsubscribe = try #require(mail.headers.first { $0.name == "List-Unsubscribe" }?.value)
                .trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            try await app.testing().test(
                .POST, String(unsubscribe.dropFirst("https://t.example".count)),
                beforeRequest: { req in
                    req.headers.contentType = .urlEncodedForm
                    req.body = ByteBuffer(string: "List-Unsubscribe=One-Click")
                }, afterResponse: { res async in #expect(res.status == .ok) })
            #expect(try await Notifier.settings(of: bob.id!, on: app.db).mode(for: .challengeStarted) == .off)
            _ = try await challenges.start(app, a, title: "Third one", visibility: "partners")
            #expect(try await started(app, to: b.email).count == 2)
            #expect(try await bell(app, b, about: "Third one").count == 1)
        }
    }

    @Test func theDemoStartsItsChallengeWithoutMailingAnyone() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$eventKind == NotificationKind.challengeStarted.rawValue).count() == 0)
            // Kite's people, in Northwind's connected circle, find it under the bell.
            let esha = try #require(try await User.query(on: app.db).filter(\.$email == "esha@kite.example").first())
            let told = try await Notification.query(on: app.db).filter(\.$user.$id == esha.id!).all().map(\.text)
            #expect(told.filter { $0.contains("a challenge: “Show us your fastest checkout”") }.count == 1, "\(told)")
        }
    }

    @Test func aPublicChallengeIsReadWithoutAnAccountAndItsEntriesShowAfterTheClose() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await challenges.start(app, a, title: "Open to all", visibility: "public")
            let partnersOnly = try await challenges.start(app, a, title: "Partners only", visibility: "partners")

            let first = try await app.api(.GET, "/challenges/\(id)")
            #expect(first.status == .ok && first.body["canEnter"] as? Bool == false && first.body["yourEntry"] == nil, "\(first.raw)")
            let summary = first.body["challenge"] as? [String: Any] ?? [:]
            #expect(summary["title"] as? String == "Open to all" && summary["state"] as? String == "open" && summary["closesAt"] != nil)
            #expect(summary["prompt"] as? String == "How fast can a returning customer **pay**?")

            let bobs = try await challenges.entry(app, id, token: b.token, body: "Wallet pay in two taps.")
            #expect(bobs.status == .created, "\(bobs.raw)")
            let highlight = "/challenges/\(id)/entries/\(bobs.body["id"] as? String ?? "")/highlight"
            #expect(try await app.api(.POST, highlight, token: a.token, json: #"{"note":"Shortest of all."}"#).status == .ok)
            // Before the close a visitor learns there is an entry and a highlight, not what they say.
            let open = try await app.api(.GET, "/challenges/\(id)")
            #expect(open.body["hiddenEntries"] as? Int == 1 && (open.body["entries"] as? [Any])?.isEmpty == true, "\(open.raw)")
            #expect((open.body["challenge"] as? [String: Any])?["highlights"] as? Int == 1)
            #expect(try await app.api(.GET, "/challenges/\(id)/entries").list.isEmpty)
            #expect(try await challenges.entry(app, id, body: "Me too, without an account").status == .unauthorized)

            let page = try await Browser(app).get("/challenges/\(id)")
            #expect(
                page.status == .ok && page.html.contains("<strong>pay</strong>") && page.html.contains("Sign in to take part"),
                "\(page.html)")
            #expect(page.html.contains("id=\"sign-in-to-enter\" href=\"/login?next=%2Fchallenges%2F"), "\(page.html)")
            #expect(page.html.contains("1 entry so far (1 highlighted)") && !page.html.contains("Wallet pay in two taps."))
            #expect(!page.html.contains("Send your entry") && !page.html.contains("← All challenges"))

            // Any other challenge, or none, is not found; its page asks the visitor to sign in, as every other does.
            #expect(try await app.api(.GET, "/challenges/\(partnersOnly)").status == .notFound)
            #expect(try await app.api(.GET, "/challenges/\(partnersOnly)/entries").status == .notFound)
            #expect(try await app.api(.GET, "/challenges/\(UUID().uuidString.lowercased())").status == .notFound)
            let hidden = try await Browser(app).get("/challenges/\(partnersOnly)")
            #expect(hidden.status == .seeOther && hidden.location?.hasPrefix("/login?next=") == true, "\(hidden)")

            // Closed, the entries are the challenge's showcase for visitors too, highlights first.
            #expect(try await app.api(.POST, "/challenges/\(id)/close", token: a.token).status == .ok)
            let listed = try await app.api(.GET, "/challenges/\(id)/entries").list
            #expect(listed.count == 1 && listed.first?["highlighted"] as? Bool == true && listed.first?["author"] as? String == "Bob, Acme")
            let after = try await Browser(app).get("/challenges/\(id)")
            #expect(after.html.contains("Wallet pay in two taps.") && after.html.contains("Shortest of all."), "\(after.html)")
            #expect(after.html.contains("it takes no more entries") && !after.html.contains("Sign in to take part"))
        }
    }

    @Test func anAddressAnAccountConfirmedIsInvitedAsThatAccountAndToldOnce() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let cleo = try await app.register("Cleo", org: "Kite")
            let dora = try await app.register("Dora", org: "Lark")
            try await confirm(app, cleo)
            try await confirm(app, b)

            // Cleo's and Bob's confirmed addresses take part as their accounts; Dora's unconfirmed one, and a customer's,
            // get a link; Alice's is one of the organization's people.
            let csv =
                #"email,name\n\#(cleo.email.uppercased()),Cleo from Kite\n\#(b.email),Bob\n\#(dora.email),Dora\nana@customer.example,Ana\n\#(a.email),Alice"#
            let now = Date()
            let created = try await app.api(
                .POST, "/challenges", token: a.token,
                json:
                    #"{"title":"Fastest checkout","prompt":"Show us.","opensAt":"\#(rfc3339(now))","closesAt":"\#(rfc3339(now.addingTimeInterval(86_400)))","visibility":"partners","csv":"\#(csv)"}"#
            )
            #expect(created.status == .created && created.body["invited"] as? Int == 4, "\(created.raw)")
            let reasons = (created.body["skipped"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons == ["one of your organization's people, who run the challenge"], "\(reasons)")
            let id = (created.body["challenge"] as? [String: Any])?["id"] as? String ?? ""
            let figures = try await app.api(.GET, "/challenges/\(id)", token: a.token).body["figures"] as? [String: Any]
            #expect(figures?["invited"] as? Int == 4, "\(String(describing: figures))")

            // Cleo, outside the audience, is told in the app and by mail as she chose, with no link; the challenge is
            // among hers and she enters with her account.
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == cleo.email).filter(\.$kind == Challenges.invitationKind)
                    .count() == 0)
            #expect(try await started(app, to: cleo.email).map(\.subject) == ["Northwind invites you to its challenge “Fastest checkout”"])
            let stored = try #require(try await ChallengeMember.query(on: app.db).filter(\.$email == cleo.email).first())
            #expect(stored.tokenDigest.hasPrefix(Challenges.noLink) && stored.name == "Cleo")
            #expect(try await app.api(.GET, "/challenges", token: cleo.token).list.compactMap { $0["id"] as? String } == [id])
            #expect(try await app.api(.GET, "/challenges/\(id)", token: cleo.token).body["canEnter"] as? Bool == true)
            let cleos = try await challenges.entry(app, id, token: cleo.token, body: "Preloaded payment sheet.")
            #expect(cleos.status == .created && cleos.body["author"] as? String == "Cleo, Kite", "\(cleos.raw)")

            // Bob, in the audience and on the list, is told once, and gets no link.
            #expect(try await started(app, to: b.email).map(\.subject) == ["Northwind started a challenge: “Fastest checkout”"])
            #expect(try await bell(app, b, about: "Fastest checkout").count == 1)
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email).filter(\.$kind == Challenges.invitationKind)
                    .count() == 0)

            // Dora's address is not proven hers: the link is mailed, and her account does not see the challenge.
            let doras = try await challenges.mailedToken(app, to: dora.email)
            #expect(doras.hasPrefix("ch_"))
            #expect(try await app.api(.GET, "/challenges/\(id)", headers: [("X-Challenge-Token", doras)]).status == .ok)
            #expect(try await app.api(.GET, "/challenges/\(id)", token: dora.token).status == .notFound)
            #expect(try await app.api(.GET, "/challenges", token: dora.token).list.isEmpty)
        }
    }

    /// The personal links mailed to the address, by challenge id.
    func links(_ app: Application, to email: String) async throws -> [String: String] {
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$kind == Challenges.invitationKind)
            .all()
        var byChallenge: [String: String] = [:]
        for mail in mails {
            guard let link = mail.body.split(whereSeparator: \.isWhitespace).first(where: { $0.contains("/c/ch_") }) else { continue }
            let token = String(link.split(separator: "/").last ?? "")
            let member = try await ChallengeMember.query(on: app.db).filter(\.$tokenDigest == Secrets.digest(token)).first()
            if let member { byChallenge[Access.key(member.$challenge.id)] = token }
        }
        return byChallenge
    }

    @Test func anAccountInTheAudienceAndALinkToItsAddressSendOneEntry() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let mia = try await app.invitedMember(of: b, role: "member", name: "Mia")
            // Listed before they confirmed their addresses: each got a link as well as their account in the audience.
            let csv = #"email,name\n\#(b.email),Bob\n\#(mia.email),Mia"#
            let first = try await challenges.start(app, a, title: "First", csv: csv)
            let second = try await challenges.start(app, a, title: "Second", csv: csv)
            try await confirm(app, b)
            try await confirm(app, mia)
            let bobsLink = try #require(try await links(app, to: b.email)[first])

            // The account first, then the link: the link edits the account's entry, and each sees it as theirs.
            let sent = try await challenges.entry(app, first, token: b.token, body: "Three steps.")
            #expect(sent.status == .created, "\(sent.raw)")
            let again = try await challenges.entry(app, first, personal: bobsLink, body: "Two steps now.")
            #expect(again.status == .ok && again.body["id"] as? String == sent.body["id"] as? String, "\(again.raw)")
            let throughLink = try await app.api(.GET, "/challenges/\(first)", headers: [("X-Challenge-Token", bobsLink)])
            #expect((throughLink.body["yourEntry"] as? [String: Any])?["body"] as? String == "Two steps now.", "\(throughLink.raw)")
            let throughAccount = try await app.api(.GET, "/challenges/\(first)", token: b.token).body["yourEntry"] as? [String: Any]
            #expect(throughAccount?["author"] as? String == "Bob, Acme" && throughAccount?["body"] as? String == "Two steps now.")
            #expect(try await ChallengeEntry.query(on: app.db).count() == 1)

            // Mia sends through her account and her link at the same moment: one entry.
            let miasLink = try #require(try await links(app, to: mia.email)[second])
            let helper = challenges
            let statuses = try await together(2) { i in
                if i == 0 { return try await helper.entry(app, second, token: mia.token, body: "By account").status }
                return try await helper.entry(app, second, personal: miasLink, body: "By link").status
            }
            #expect(
                statuses.filter { $0 == .created }.count == 1 && statuses.allSatisfy { [.created, .ok, .conflict].contains($0) },
                "\(statuses)")
            let secondID = try #require(UUID(uuidString: second))
            #expect(try await ChallengeEntry.query(on: app.db).filter(\.$challenge.$id == secondID).count() == 1)
        }
    }
}
