import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Replies to updates, opens and figures")
struct UpdateReplyTests {
    /// Northwind (Alice) writes to its connected circle, where it placed its partner Acme (Bob, and Ben who never
    /// replies) and Kite (Cleo); Dunmore (Dora) has no relation to Northwind.
    struct Cast {
        var a: Account
        var b: Account
        var ben: Account
        var c: Account
        var d: Account
        var updateID: String
        var acme: String { b.organizationID.lowercased() }
        var kite: String { c.organizationID.lowercased() }
    }

    func cast(_ app: Application) async throws -> Cast {
        let (a, b, _) = try await app.activePartnership()
        let ben = try await app.invitedMember(of: b, role: "member", name: "Ben")
        let c = try await app.register("Cleo", org: "Kite")
        let d = try await app.register("Dora", org: "Dunmore")
        for reader in [b, c] {
            let placed = try await app.api(.PUT, "/circles/\(reader.organizationID)", token: a.token, json: #"{"circle":"connected"}"#)
            #expect(placed.status == .ok, "\(placed.raw)")
        }
        let published = try await app.api(
            .POST, "/updates", token: a.token,
            json: #"{"title":"Spring launch","body":"We open the new studio in May.","visibility":"connected"}"#)
        #expect(published.status == .created, "\(published.raw)")
        return Cast(a: a, b: b, ben: ben, c: c, d: d, updateID: published.body["id"] as? String ?? "")
    }

    func replies(_ app: Application) async throws -> Int { try await UpdateReply.query(on: app.db).count() }

    @Test func eachReaderSeesOnlyItsOwnThreadAndTheWriterAnswersOne() async throws {
        try await withTestApp { app in
            let s = try await cast(app)
            let url = "/updates/\(s.updateID)/replies"

            let fromBob = try await app.api(.POST, url, token: s.b.token, json: #"{"body":"Thank you, this is great news, we love it"}"#)
            #expect(fromBob.status == .created, "\(fromBob.raw)")
            #expect(fromBob.body["side"] as? String == "reader" && fromBob.body["organizationId"] as? String == s.acme)
            #expect(fromBob.body["organizationName"] as? String == "Acme" && fromBob.body["writtenBy"] as? String == "Bob")
            #expect(fromBob.body["label"] as? String == "positive" && (fromBob.body["sentiment"] as? Double ?? 0) > 0, "\(fromBob.raw)")
            let fromCleo = try await app.api(.POST, url, token: s.c.token, json: #"{"body":"When does it open?"}"#)
            #expect(fromCleo.status == .created, "\(fromCleo.raw)")

            // Northwind's owner is told of each reply, with a link to its thread.
            let told = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").filter(\.$toEmail == s.a.email)
                .sort(\.$createdAt).all()
            #expect(
                told.map(\.subject) == ["Acme replied to “Spring launch”", "Kite replied to “Spring launch”"], "\(told.map(\.subject))")
            #expect(told.first?.link == "/updates/\(s.updateID)#thread-\(s.acme)")

            // Each reader organization sees its own thread, its people who did not reply too, and nothing of the other's.
            for (reader, own, other) in [
                (s.b, s.acme, "When does it open?"), (s.ben, s.acme, "When does it open?"), (s.c, s.kite, "great news"),
            ] {
                let mine = try await app.api(.GET, url, token: reader.token)
                #expect(mine.status == .ok, "\(mine.raw)")
                #expect(mine.list.count == 1 && mine.list.first?["organizationId"] as? String == own, "\(mine.raw)")
                #expect(!mine.raw.contains(other), "\(mine.raw)")
            }
            // Naming the other's thread finds nothing and writes nothing.
            let intruding = try await app.api(
                .POST, url, token: s.c.token, json: #"{"body":"Hello Acme","organizationId":"\#(s.acme)"}"#)
            #expect(intruding.status == .notFound, "\(intruding.raw)")

            // The writer sees both threads and answers Acme's; Bob is told, Kite's thread stays as it was.
            let answered = try await app.api(
                .POST, url, token: s.a.token, json: #"{"body":"Thanks Bob, see you there.","organizationId":"\#(s.acme)"}"#)
            #expect(answered.status == .created, "\(answered.raw)")
            #expect(answered.body["side"] as? String == "author" && answered.body["organizationId"] as? String == s.acme)
            #expect(answered.body["organizationName"] as? String == "Northwind")
            let bobTold = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").filter(\.$toEmail == s.b.email)
                .all()
            #expect(bobTold.map(\.subject) == ["Northwind answered your reply to “Spring launch”"])
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").filter(\.$toEmail == s.c.email).count()
                    == 0)

            let all = try await app.api(.GET, url, token: s.a.token)
            #expect(all.list.map { $0["organizationId"] as? String ?? "" } == [s.acme, s.kite], "most recently active first: \(all.raw)")
            let acmeThread = all.list.first?["replies"] as? [[String: Any]] ?? []
            #expect(acmeThread.map { $0["side"] as? String ?? "" } == ["reader", "author"])
            let bobs = try await app.api(.GET, url, token: s.b.token)
            #expect(bobs.raw.contains("Thanks Bob, see you there."))
            #expect(!(try await app.api(.GET, url, token: s.c.token).raw.contains("Thanks Bob")))
            #expect(try await replies(app) == 3)
        }
    }

    @Test func figuresCountReachOpensAndHowTheRepliesLean() async throws {
        try await withTestApp { app in
            let s = try await cast(app)
            let figuresURL = "/updates/\(s.updateID)/figures"
            // Opening it twice counts once; the writer's own reading counts not at all.
            for reader in [s.b, s.b, s.c, s.a] {
                #expect(try await app.api(.GET, "/updates/\(s.updateID)", token: reader.token).status == .ok)
            }
            let bob = try #require(UUID(uuidString: s.b.id))
            #expect(try await UpdateOpen.query(on: app.db).filter(\.$user.$id == bob).count() == 1)

            var figures = try await app.api(.GET, figuresURL, token: s.a.token)
            #expect(figures.status == .ok, "\(figures.raw)")
            #expect(figures.body["reached"] as? Int == 3 && figures.body["reachedOrganizations"] as? Int == 2, "\(figures.raw)")
            #expect(figures.body["opened"] as? Int == 2 && figures.body["replies"] as? Int == 0)
            #expect(figures.body["sentiment"] == nil && figures.body["label"] == nil)

            let url = "/updates/\(s.updateID)/replies"
            #expect(
                try await app.api(.POST, url, token: s.b.token, json: #"{"body":"Thank you, this is great news, we love it"}"#).status
                    == .created)
            #expect(try await app.api(.POST, url, token: s.c.token, json: #"{"body":"When does it open?"}"#).status == .created)
            #expect(
                try await app.api(.POST, url, token: s.a.token, json: #"{"body":"In May.","organizationId":"\#(s.kite)"}"#).status
                    == .created)
            figures = try await app.api(.GET, figuresURL, token: s.a.token)
            #expect(figures.body["replyingOrganizations"] as? Int == 2 && figures.body["replies"] as? Int == 2, "\(figures.raw)")
            #expect(figures.body["answers"] as? Int == 1)
            let mean = figures.body["sentiment"] as? Double ?? 0
            #expect(mean > 0.05 && figures.body["label"] as? String == "positive", "the writer's answer is not counted: \(figures.raw)")
            #expect(!((figures.body["drivers"] as? [String]) ?? []).isEmpty, "\(figures.raw)")

            // As the writer reads them on the update's page.
            let page = try await Browser.signedIn(app, as: s.a).get("/updates/\(s.updateID)")
            let shown = String(format: "%+.2f", mean)
            #expect(
                page.html.contains(
                    "Reached 3 people in 2 organizations · opened by 2 · 2 organizations replied · replies lean positive (\(shown))"),
                "\(page.html)")
            #expect(page.html.contains("2 replies, 1 answer from you · most said: "))

            // Only the writer's people see figures: a reader and a stranger get 404, as for replies to an update they cannot read.
            #expect(try await app.api(.GET, figuresURL, token: s.b.token).status == .notFound)
            #expect(try await app.api(.GET, figuresURL, token: s.d.token).status == .notFound)
            #expect(try await app.api(.GET, url, token: s.d.token).status == .notFound)
            #expect(try await app.api(.POST, url, token: s.d.token, json: #"{"body":"Hi"}"#).status == .notFound)
            #expect(try await app.api(.GET, "/updates/\(UUID())/figures", token: s.a.token).status == .notFound)
        }
    }

    @Test func badRepliesAreRefusedAndWriteNothing() async throws {
        try await withTestApp { app in
            let s = try await cast(app)
            let url = "/updates/\(s.updateID)/replies"
            let long = String(repeating: "x", count: Updates.maxReply + 1)
            let cases: [(String, Account)] = [
                (#"{"body":""}"#, s.b),
                (#"{"body":"   "}"#, s.b),
                (#"{"body":"\#(long)"}"#, s.b),
                // The writer answers a named thread; without one there is nothing to answer.
                (#"{"body":"Thanks"}"#, s.a),
                (#"{"body":"Thanks","organizationId":"not-an-id"}"#, s.a),
            ]
            for (json, account) in cases {
                let r = try await app.api(.POST, url, token: account.token, json: json)
                #expect(r.status == .unprocessableEntity, "\(json.prefix(80)): \(r.raw)")
            }
            // A thread begins with a reader's reply: the writer cannot open one with an organization that wrote none.
            let unasked = try await app.api(.POST, url, token: s.a.token, json: #"{"body":"Hello Kite","organizationId":"\#(s.kite)"}"#)
            #expect(unasked.status == .notFound, "\(unasked.raw)")
            #expect(try await app.api(.POST, url, token: s.b.token, json: #"{"body":"Hi"}"#).status == .created)
            #expect(try await replies(app) == 1)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").count() == 1)
            #expect(try await app.api(.POST, url, json: #"{"body":"Hi"}"#).status == .unauthorized)
        }
    }

    @Test func aReaderRepliesThroughTheUpdatePageAndTheWriterAnswersThere() async throws {
        try await withTestApp { app in
            let s = try await cast(app)
            let path = "/updates/\(s.updateID)"
            let cleo = try await Browser.signedIn(app, as: s.c)
            let page = try await cleo.get(path)
            #expect(page.status == .ok && page.html.contains("Reply to Northwind"), "\(page.html)")
            #expect(page.html.contains("action=\"\(path)/replies\"") && !page.html.contains("How it landed"))
            let kite = try #require(UUID(uuidString: s.c.id))
            #expect(try await UpdateOpen.query(on: app.db).filter(\.$user.$id == kite).count() == 1, "opening the page counts")

            let sent = try await cleo.post(path + "/replies", ["body": "Congratulations <team>!\r\nSee you in May."])
            #expect(sent.status == .seeOther && sent.location == "\(path)#thread-\(s.kite)", "\(sent)")
            let thread = EngagementPageTests().section(try await cleo.get(path).html, "thread-\(s.kite)")
            #expect(thread.contains("Congratulations &lt;team&gt;!\nSee you in May.") && thread.contains("Cleo, Kite"), "\(thread)")

            // Refused as typed at the form, and nothing written.
            let refused = try await cleo.post(path + "/replies", ["body": "  "])
            #expect(refused.status == .unprocessableEntity)
            #expect(
                refused.html.contains("A reply has 1 to \(Updates.maxReply) characters") && refused.html.contains("aria-invalid=\"true\""))
            #expect(try await replies(app) == 1)

            // The writer sees the thread with its tone and answers it through the form; Acme's people see none of it.
            let alice = try await Browser.signedIn(app, as: s.a)
            let writers = try await alice.get(path)
            let threadOfKite = EngagementPageTests().section(writers.html, "thread-\(s.kite)")
            #expect(threadOfKite.contains("Congratulations") && threadOfKite.contains("class=\"sentiment-"), "\(threadOfKite)")
            #expect(threadOfKite.contains("<input type=\"hidden\" name=\"organization\" value=\"\(s.kite)\">"))
            let answer = try await alice.post(path + "/replies", ["organization": s.kite, "body": "Thank you, Cleo."])
            #expect(answer.status == .seeOther && answer.location == "\(path)#thread-\(s.kite)")
            #expect(try await cleo.get(path).html.contains("Thank you, Cleo."))
            let bob = try await Browser.signedIn(app, as: s.b)
            let bobs = try await bob.get(path).html
            #expect(!bobs.contains("Congratulations") && !bobs.contains("Thank you, Cleo.") && bobs.contains("thread-\(s.acme)"))
            #expect(try await Browser.signedIn(app, as: s.d).get(path).status == .notFound)
        }
    }

    @Test func theSummaryReadsAsASentence() {
        let f = Updates.Figures(
            reached: 6, reachedOrganizations: 2, opened: 3, replyingOrganizations: 2, replies: 3, answers: 1, sentiment: 0.42,
            drivers: ["great news", "love"])
        #expect(
            UpdatePage.summary(f)
                == "Reached 6 people in 2 organizations · opened by 3 · 2 organizations replied · replies lean positive (+0.42)")
        #expect(UpdatePage.counts(f) == "3 replies, 1 answer from you · most said: “great news”, “love”")
        let quiet = Updates.Figures(
            reached: 1, reachedOrganizations: 1, opened: 1, replyingOrganizations: 0, replies: 0, answers: 0, sentiment: nil, drivers: [])
        #expect(UpdatePage.summary(quiet) == "Reached 1 person in 1 organization · opened by 1 · no replies yet")
        let cool = Updates.Figures(
            reached: 4, reachedOrganizations: 1, opened: 2, replyingOrganizations: 1, replies: 1, answers: 0, sentiment: -0.3, drivers: [])
        #expect(UpdatePage.summary(cool).hasSuffix("1 organization replied · replies lean negative (-0.30)"))
    }
}
