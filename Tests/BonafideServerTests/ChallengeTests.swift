import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Challenges")
struct ChallengeTests {
    /// A challenge started through the API, opening `opensIn` seconds from now; its id.
    @discardableResult
    func start(
        _ app: Application, _ owner: Account, title: String = "Show us your fastest checkout", visibility: String = "partners",
        opensIn: TimeInterval = 0, closesIn: TimeInterval = 7 * 86_400, csv: String? = nil
    ) async throws -> String {
        let now = Date()
        let list = csv.map { #","csv":"\#($0)""# } ?? ""
        let r = try await app.api(
            .POST, "/challenges", token: owner.token,
            json:
                #"{"title":"\#(title)","prompt":"How fast can a returning customer **pay**?","opensAt":"\#(rfc3339(now.addingTimeInterval(opensIn)))","closesAt":"\#(rfc3339(now.addingTimeInterval(closesIn)))","timeZone":"Europe/Berlin","visibility":"\#(visibility)"\#(list)}"#
        )
        #expect(r.status == .created, "\(r.raw)")
        return (r.body["challenge"] as? [String: Any])?["id"] as? String ?? ""
    }

    func actorOf(_ app: Application, _ account: Account) async throws -> Actor {
        Actor(user: try #require(try await User.find(UUID(uuidString: account.id), on: app.db)))
    }

    /// A challenge that ran and closed an hour ago, started through the service at an earlier moment, since the API
    /// takes only time boxes that have not passed.
    func ended(_ app: Application, _ owner: Account) async throws -> String {
        let now = Date()
        let created = try await Challenges.create(
            .init(
                title: "Last month's challenge", prompt: "Tell us.", opensAt: now.addingTimeInterval(-3 * 3_600),
                closesAt: now.addingTimeInterval(-3_600), timeZone: "Europe/Berlin", audience: .partners),
            by: try await actorOf(app, owner), baseURL: "http://localhost:8080", at: now.addingTimeInterval(-4 * 3_600), on: app.db)
        return Access.key(created.summary.id)
    }

    /// The personal link's token from the invitation mail to the address.
    func mailedToken(_ app: Application, to email: String) async throws -> String {
        let mail = try #require(
            try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$kind == Challenges.invitationKind).first())
        let link = try #require(mail.body.split(whereSeparator: \.isWhitespace).first { $0.contains("/c/ch_") })
        return String(link.split(separator: "/").last ?? "")
    }

    func entry(_ app: Application, _ id: String, token: String? = nil, personal: String? = nil, body: String, linkURL: String = "")
        async throws -> (status: HTTPStatus, body: [String: Any], list: [[String: Any]], raw: String, headers: HTTPHeaders)
    {
        try await app.api(
            .POST, "/challenges/\(id)/entries", token: token, json: #"{"body":"\#(body)","link":"\#(linkURL)"}"#,
            headers: personal.map { [("X-Challenge-Token", $0)] } ?? [])
    }

    @Test func theAudienceEntersSeesOthersOnlyAfterItsOwnAndHighlightsComeFirstWithTheEntrantTold() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let mia = try await app.invitedMember(of: b, role: "member", name: "Mia")
            let cleo = try await app.register("Cleo", org: "Kite")
            let id = try await start(app, a)

            // Outside the audience the challenge does not exist.
            #expect(try await app.api(.GET, "/challenges/\(id)", token: cleo.token).status == .notFound)
            #expect(try await app.api(.GET, "/challenges", token: cleo.token).list.isEmpty)
            #expect(try await app.api(.GET, "/challenges/\(id)/entries", token: cleo.token).status == .notFound)
            #expect(try await entry(app, id, token: cleo.token, body: "Sneaking in").status == .notFound)
            #expect(try await app.api(.GET, "/challenges", token: b.token).list.map { $0["id"] as? String } == [id])

            let seen = try await app.api(.GET, "/challenges/\(id)", token: b.token)
            #expect(seen.status == .ok && seen.body["canEnter"] as? Bool == true, "\(seen.raw)")
            #expect((seen.body["challenge"] as? [String: Any])?["state"] as? String == "open")
            #expect(seen.body["figures"] == nil, "the figures are the organizer's")

            let bobs = try await entry(app, id, token: b.token, body: "Three steps, wallet pay.", linkURL: "https://acme.example/demo")
            #expect(bobs.status == .created && bobs.body["author"] as? String == "Bob, Acme", "\(bobs.raw)")
            // Mia has not answered yet: she is told an entry exists, not what it says.
            let before = try await app.api(.GET, "/challenges/\(id)", token: mia.token)
            #expect(before.body["hiddenEntries"] as? Int == 1 && (before.body["entries"] as? [Any])?.isEmpty == true, "\(before.raw)")
            #expect(try await app.api(.GET, "/challenges/\(id)/entries", token: mia.token).list.isEmpty)
            let mias = try await entry(app, id, token: mia.token, body: "One-tap reorder.")
            #expect(mias.status == .created, "\(mias.raw)")
            #expect(try await app.api(.GET, "/challenges/\(id)/entries", token: mia.token).list.count == 2)

            // One entry each: sending again edits it.
            let edited = try await entry(app, id, token: b.token, body: "Two steps now.")
            #expect(edited.status == .ok && edited.body["id"] as? String == bobs.body["id"] as? String, "\(edited.raw)")
            #expect(try await ChallengeEntry.query(on: app.db).count() == 2)

            // The organizer highlights Mia's entry: she is told once, in the app and by mail, and it is listed first.
            let miaEntry = mias.body["id"] as? String ?? ""
            let path = "/challenges/\(id)/entries/\(miaEntry)/highlight"
            let highlighted = try await app.api(.POST, path, token: a.token, json: #"{"note":"Fewest taps of all."}"#)
            #expect(highlighted.status == .ok && highlighted.body["highlighted"] as? Bool == true, "\(highlighted.raw)")
            #expect(try await app.api(.POST, path, token: a.token, json: #"{"note":"Fewest taps of all entries."}"#).status == .ok)
            let told = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == mia.email)
                .filter(\.$eventKind == NotificationKind.challenge.rawValue).all()
            #expect(told.count == 1 && told.first?.subject.contains("highlighted your entry") == true, "\(told.map(\.subject))")
            #expect(told.first?.body.contains("Fewest taps of all.") == true)
            let miaID = try #require(UUID(uuidString: mia.id))
            #expect(
                try await Notification.query(on: app.db).filter(\.$user.$id == miaID).all().filter { $0.text.contains("highlighted") }.count
                    == 1)
            let listed = try await app.api(.GET, "/challenges/\(id)/entries", token: b.token).list
            #expect(
                listed.first?["id"] as? String == miaEntry && listed.first?["highlightNote"] as? String == "Fewest taps of all entries.")
            #expect(listed.last?["mine"] as? Bool == true && listed.last?["body"] as? String == "Two steps now.")

            // The organization's figures; its own people run the challenge and do not enter it.
            let own = try await app.api(.GET, "/challenges/\(id)", token: a.token)
            let figures = own.body["figures"] as? [String: Any] ?? [:]
            #expect(
                figures["entries"] as? Int == 2 && figures["participants"] as? Int == 1 && figures["highlights"] as? Int == 1, "\(own.raw)")
            #expect(own.body["organizer"] as? Bool == true && own.body["canEnter"] as? Bool == false)
            #expect(try await entry(app, id, token: a.token, body: "Ours is fast too.").status == .forbidden)
        }
    }

    @Test func entriesBeforeTheOpeningAndAfterTheCloseAreRefusedWithWhen() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let later = try await start(app, a, title: "Next week", opensIn: 86_400, closesIn: 8 * 86_400)
            let early = try await entry(app, later, token: b.token, body: "Too soon?")
            #expect(early.status == .conflict && (early.body["detail"] as? String ?? "").contains("opens"), "\(early.raw)")
            #expect(
                (try await app.api(.GET, "/challenges/\(later)", token: b.token).body["challenge"] as? [String: Any])?["state"] as? String
                    == "upcoming")

            let past = try await ended(app, a)
            let late = try await entry(app, past, token: b.token, body: "Too late?")
            #expect(late.status == .conflict && (late.body["detail"] as? String ?? "").contains("closed"), "\(late.raw)")
            #expect(try await ChallengeEntry.query(on: app.db).count() == 0)
            // A challenge over at its end cannot be closed again.
            #expect(try await app.api(.POST, "/challenges/\(past)/close", token: a.token).status == .conflict)
        }
    }

    @Test func aCustomerWithoutAnAccountEntersThroughThePersonalLinkAndIsToldOfTheHighlight() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let csv = #"email,name\nana@customer.example,Ana Ruiz\nnot-an-address,Nobody\nANA@customer.example,Ana again"#
            let now = Date()
            let created = try await app.api(
                .POST, "/challenges", token: a.token,
                json:
                    #"{"title":"Fastest checkout","prompt":"Show us.","opensAt":"\#(rfc3339(now))","closesAt":"\#(rfc3339(now.addingTimeInterval(86_400)))","visibility":"partners","csv":"\#(csv)"}"#
            )
            #expect(created.status == .created && created.body["invited"] as? Int == 1, "\(created.raw)")
            let skipped = (created.body["skipped"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(
                skipped.count == 2 && skipped.contains("listed twice") && skipped.contains { $0.contains("not an email") }, "\(skipped)")
            let id = (created.body["challenge"] as? [String: Any])?["id"] as? String ?? ""
            let token = try await mailedToken(app, to: "ana@customer.example")
            #expect(token.hasPrefix("ch_"))
            let stored = try #require(try await ChallengeMember.query(on: app.db).filter(\.$email == "ana@customer.example").first())
            #expect(stored.tokenDigest == Secrets.digest(token), "only the digest is kept")

            let ana = [("X-Challenge-Token", token)]
            let seen = try await app.api(.GET, "/challenges/\(id)", headers: ana)
            #expect(seen.status == .ok && seen.body["canEnter"] as? Bool == true, "\(seen.raw)")
            let sent = try await entry(app, id, personal: token, body: "Guest checkout with address autocomplete.")
            #expect(sent.status == .created && sent.body["mine"] as? Bool == true && sent.body["author"] as? String == "Ana Ruiz (invited)")
            #expect(try await entry(app, id, personal: token, body: "Guest checkout, autocomplete, wallet.").status == .ok)
            #expect(try await ChallengeEntry.query(on: app.db).count() == 1)
            // The link opens its own challenge only, and a forged one nothing.
            let other = try await start(app, a, title: "Another one")
            #expect(try await app.api(.GET, "/challenges/\(other)", headers: ana).status == .notFound)
            #expect(try await entry(app, other, personal: token, body: "Here too?").status == .notFound)
            #expect(try await app.api(.GET, "/challenges/\(id)", headers: [("X-Challenge-Token", "ch_forged")]).status == .notFound)

            let entryID = sent.body["id"] as? String ?? ""
            #expect(
                try await app.api(.POST, "/challenges/\(id)/entries/\(entryID)/highlight", token: a.token, json: #"{"note":"So simple."}"#)
                    .status == .ok)
            let notice = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example")
                .filter(\.$kind == Challenges.noticeKind).all()
            #expect(notice.count == 1 && notice.first?.body.contains("So simple.") == true)

            let page = try await Browser(app).get("/c/\(token)")
            #expect(page.status == .ok && page.html.contains("Fastest checkout") && page.html.contains("So simple."), "\(page.html)")
            #expect(page.html.contains("Save your entry"))
            // Through the page: a link that is no web address comes back as typed, with the reason.
            let refused = try await Browser(app).post("/c/\(token)/entries", ["body": "My edit", "link": "javascript:alert(1)"])
            #expect(refused.status == .unprocessableEntity && refused.html.contains("My edit"), "\(refused.html)")
            let saved = try await Browser(app).post("/c/\(token)/entries", ["body": "My edit", "link": "https://ana.example/video"])
            #expect(saved.status == .seeOther)
            #expect(try await ChallengeEntry.query(on: app.db).first()?.link == "https://ana.example/video")
        }
    }

    @Test func twoClosesAtOnceHaveOneWinnerAndTheClosedChallengeTakesNoEntries() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await start(app, a)
            let statuses = try await together(2) { _ in try await app.api(.POST, "/challenges/\(id)/close", token: a.token).status }
            #expect(statuses.sorted { $0.code < $1.code } == [.ok, .conflict], "\(statuses)")
            let late = try await entry(app, id, token: b.token, body: "Still open?")
            #expect(late.status == .conflict && (late.body["detail"] as? String ?? "").contains("closed early"), "\(late.raw)")
            let seen = try await app.api(.GET, "/challenges/\(id)", token: b.token)
            #expect((seen.body["challenge"] as? [String: Any])?["state"] as? String == "closed" && seen.body["canEnter"] as? Bool == false)
            #expect(try await ChallengeEntry.query(on: app.db).count() == 0)
        }
    }

    @Test func badInputIsRefusedWithNothingWritten() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let member = try await app.invitedMember(of: a, role: "member", name: "Max")
            let now = Date()
            func body(_ changes: [String: Any]) -> String {
                var fields: [String: Any] = [
                    "title": "Fastest checkout", "prompt": "Show us.", "opensAt": rfc3339(now.addingTimeInterval(60)),
                    "closesAt": rfc3339(now.addingTimeInterval(86_400)), "timeZone": "Europe/Berlin", "visibility": "partners",
                ]
                for (k, v) in changes { fields[k] = v }
                return String(decoding: try! JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
            }
            for changes in [
                ["title": "   "], ["prompt": ""], ["timeZone": "Mars/Olympus"],
                ["closesAt": rfc3339(now.addingTimeInterval(30))], ["closesAt": rfc3339(now.addingTimeInterval(400 * 86_400))],
                ["opensAt": rfc3339(now.addingTimeInterval(-86_400))], ["csv": "\"unclosed,Ana"], ["csv": "email,name"],
            ] as [[String: Any]] {
                let r = try await app.api(.POST, "/challenges", token: a.token, json: body(changes))
                #expect(r.status == .unprocessableEntity, "\(changes): \(r.raw)")
            }
            #expect(try await app.api(.POST, "/challenges", token: member.token, json: body([:])).status == .forbidden)
            #expect(try await Challenge.query(on: app.db).count() == 0)
            #expect(try await ChallengeMember.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == Challenges.invitationKind).count() == 0)

            let id = try await start(app, a)
            let long = String(repeating: "x", count: Challenges.maxEntry + 1)
            for (text, link) in [
                ("  ", ""), (long, ""), ("Fine", "javascript:alert(1)"), ("Fine", "ftp://files.example/x"), ("Fine", "no address"),
            ] {
                let r = try await entry(app, id, token: b.token, body: text, linkURL: link)
                #expect(r.status == .unprocessableEntity, "\(text.prefix(10)) \(link): \(r.raw)")
            }
            #expect(try await ChallengeEntry.query(on: app.db).count() == 0)

            let sent = try await entry(app, id, token: b.token, body: "Fine")
            let path = "/challenges/\(id)/entries/\(sent.body["id"] as? String ?? "")/highlight"
            for note in ["  ", String(repeating: "y", count: Challenges.maxNote + 1)] {
                #expect(try await app.api(.POST, path, token: a.token, json: #"{"note":"\#(note)"}"#).status == .unprocessableEntity)
            }
            // A colleague who is no owner or admin sees the challenge but neither highlights nor closes it.
            #expect(try await app.api(.GET, "/challenges/\(id)", token: member.token).status == .ok)
            #expect(try await app.api(.POST, path, token: member.token, json: #"{"note":"Good"}"#).status == .forbidden)
            #expect(try await app.api(.POST, "/challenges/\(id)/close", token: member.token).status == .forbidden)
            #expect(try await ChallengeEntry.query(on: app.db).filter(\.$highlightedAt != nil).count() == 0)
            #expect(try await Challenge.query(on: app.db).filter(\.$closedAt != nil).count() == 0)
        }
    }

    @Test func nothingLeaksAcrossOrganizations() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let cleo = try await app.register("Cleo", org: "Kite")
            let northwind = try await start(app, a, visibility: "connected")
            let kite = try await start(app, cleo, title: "Kite's own")
            let bobs = try await entry(app, northwind, token: b.token, body: "Hello")
            #expect(bobs.status == .notFound, "Acme is a partner, not in the connected circle")

            // Another organization's challenge: not found for reading, highlighting or closing.
            #expect(try await app.api(.GET, "/challenges/\(kite)", token: a.token).status == .notFound)
            #expect(try await app.api(.POST, "/challenges/\(kite)/close", token: a.token).status == .notFound)
            #expect(try await app.api(.GET, "/challenges/\(northwind)", token: cleo.token).status == .notFound)

            // Placed in Northwind's connected circle, Kite sees the challenge at once and enters it.
            #expect(
                try await app.api(.PUT, "/circles/\(cleo.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(
                try await app.api(.GET, "/challenges", token: cleo.token).list.compactMap { $0["id"] as? String }.sorted()
                    == [northwind, kite].sorted())
            let cleos = try await entry(app, northwind, token: cleo.token, body: "From Kite")
            #expect(cleos.status == .created, "\(cleos.raw)")
            let cleoEntry = cleos.body["id"] as? String ?? ""
            // An entry is highlighted only through its own challenge, by that challenge's organization.
            #expect(
                try await app.api(.POST, "/challenges/\(kite)/entries/\(cleoEntry)/highlight", token: cleo.token, json: #"{"note":"Mine"}"#)
                    .status == .notFound)
            #expect(
                try await app.api(
                    .POST, "/challenges/\(northwind)/entries/\(cleoEntry)/highlight", token: cleo.token, json: #"{"note":"Mine"}"#
                )
                .status == .notFound)
            #expect(try await app.api(.GET, "/challenges", token: a.token).list.compactMap { $0["id"] as? String } == [northwind])
        }
    }
}

@Suite("Challenge demo")
struct ChallengeDemoTests {
    @Test func northwindsCheckoutChallengeRunsWithEntriesFromItsCircleAndOneHighlight() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            let challenge = try #require(try await Challenge.query(on: app.db).filter(\.$title == "Show us your fastest checkout").first())
            #expect(try await ChallengeEntry.query(on: app.db).filter(\.$challenge.$id == challenge.id!).count() == 3)
            #expect(try await ChallengeEntry.query(on: app.db).filter(\.$highlightedAt != nil).count() == 1)
            let login = try await app.api(
                .POST, "/auth/login", json: #"{"email":"esha@kite.example","password":"\#(DemoSeed.password)"}"#)
            let listed = try await app.api(.GET, "/challenges", token: login.body["token"] as? String).list
            #expect(listed.first?["title"] as? String == "Show us your fastest checkout" && listed.first?["state"] as? String == "open")
            let seen = try await app.api(.GET, "/challenges/\(Access.key(challenge.id!))/entries", token: login.body["token"] as? String)
            #expect(seen.list.count == 3 && seen.list.first?["highlighted"] as? Bool == true, "\(seen.raw)")
        }
    }
}

@Suite("Challenge pages")
struct ChallengePageTests {
    @Test func aPartnerEntersOnThePageAndTheOrganizerHighlightsIt() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let alice = try await Browser.signedIn(app, as: a)
            let form = try await alice.get("/challenges/new")
            #expect(form.status == .ok && form.html.contains("Start the challenge"), "\(form.html)")
            let clock = Clock("Europe/Berlin")
            let now = Date()
            let fields = [
                "title": "Fastest checkout", "prompt": "Show us **yours**.", "opensAt": clock.inputValue(now),
                "closesAt": clock.inputValue(now.addingTimeInterval(3 * 86_400)), "timeZone": "Europe/Berlin", "visibility": "partners",
                "csv": "",
            ]
            var tooShort = fields
            tooShort["closesAt"] = clock.inputValue(now.addingTimeInterval(600))
            let refused = try await alice.post("/challenges", tooShort)
            #expect(
                refused.status == .unprocessableEntity && refused.html.contains("at least an hour")
                    && refused.html.contains("Fastest checkout"))
            #expect(try await alice.post("/challenges", fields).status == .seeOther)
            let id = Access.key(try #require(try await Challenge.query(on: app.db).first()?.id))
            #expect(try await alice.get("/challenges").html.contains("Fastest checkout"))

            let stranger = try await Browser.signedIn(app, as: try await app.register("Bea", org: "Elsewhere"))
            #expect(try await stranger.get("/challenges/\(id)").status == .notFound, "not a partner")

            // Bob, in New York, reads the time box in his zone and in the organizer's.
            let bobUser = try #require(try await User.find(UUID(uuidString: b.id), on: app.db))
            bobUser.timeZone = "America/New_York"
            try await bobUser.save(on: app.db)
            let partner = try await Browser.signedIn(app, as: b)
            let page = try await partner.get("/challenges/\(id)")
            #expect(
                page.status == .ok && page.html.contains("<strong>yours</strong>") && page.html.contains("Send your entry"), "\(page.html)")
            #expect(
                page.html.contains("For the organizer:") && (page.html.contains(" EST</strong>") || page.html.contains(" EDT</strong>")))
            #expect(try await partner.post("/challenges/\(id)/entries", ["body": "Three steps.", "link": ""]).status == .seeOther)
            let entryID = Access.key(try #require(try await ChallengeEntry.query(on: app.db).first()?.id))

            let organizer = try await alice.get("/challenges/\(id)")
            #expect(
                organizer.html.contains("Three steps.") && organizer.html.contains(">Highlight</button>")
                    && organizer.html.contains("figure-entries"))
            #expect(try await alice.post("/challenges/\(id)/entries/\(entryID)/highlight", ["note": "Shortest path."]).status == .seeOther)
            let after = try await partner.get("/challenges/\(id)")
            #expect(after.html.contains("Highlighted by Northwind") && after.html.contains("Shortest path."), "\(after.html)")
            #expect(!after.html.contains(">Highlight</button>"), "only the organizer highlights")
        }
    }
}
