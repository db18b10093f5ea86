import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Replies by mail to updates")
struct UpdateMailReplyTests {
    /// Northwind (Alice) published "Spring launch" to its connected circle: Acme (Bob, Ben) and Kite (Cleo) got it by mail.
    func cast(_ app: Application) async throws -> UpdateReplyTests.Cast { try await UpdateReplyTests().cast(app) }

    func mail(_ app: Application, kind: NotificationKind, to email: String) async throws -> OutboxMessage {
        try #require(
            try await OutboxMessage.query(on: app.db).filter(\.$eventKind == kind.rawValue).filter(\.$toEmail == email)
                .sort(\.$createdAt, .descending).first())
    }

    func token(_ app: Application, _ mail: OutboxMessage) -> String { NotificationMail.replyToken(mail.id!, key: app.mailTokenKey) }

    /// The notification as it is sent: its Reply-To header and the line telling what a reply does.
    func composed(_ app: Application, _ mail: OutboxMessage) async throws -> MailMessage {
        let userID = try #require(mail.userID)
        let user = try #require(try await User.find(userID, on: app.db))
        return NotificationMail.compose(
            mail, for: user,
            context: .init(
                baseURL: "https://t.example", tokenKey: app.mailTokenKey, replyDomain: "reply.test", requireVerifiedAddresses: false),
            heloName: "t.example", now: Date())
    }

    func receive(_ app: Application, from: String, token: String, _ text: String) async throws -> InboundReplies.Outcome {
        let raw =
            "From: Someone <\(from)>\r\nTo: <reply+\(token)@reply.test>\r\nMessage-ID: <\(UUID())@mail.example>\r\n"
            + "Subject: Re: Spring launch\r\n\r\n\(text)\r\n"
        return try await InboundReplies.receive(raw, domain: "reply.test", key: app.mailTokenKey, on: app.db)
    }

    func thread(_ app: Application, _ s: UpdateReplyTests.Cast, as reader: Account) async throws -> [[String: Any]] {
        let threads = try await app.api(.GET, "/updates/\(s.updateID)/replies", token: reader.token)
        #expect(threads.status == .ok, "\(threads.raw)")
        return threads.list.first?["replies"] as? [[String: Any]] ?? []
    }

    @Test func aReplyToTheUpdateMailLandsInTheReadersThreadAndTheWritersAnswerIsAnsweredByMailToo() async throws {
        try await withTestApp({ $0.replyDomain = "reply.test" }) { app in
            let s = try await cast(app)
            let published = try await mail(app, kind: .partnerUpdate, to: s.c.email)
            let sent = try await composed(app, published)
            #expect(sent.headers.contains { $0.name == "Reply-To" && $0.value == "<reply+\(token(app, published))@reply.test>" })
            #expect(sent.body.contains("Reply to this mail to answer the writer; only your organization and theirs see the thread."))

            let words = "Thank you, this is great news, we love it\n\nOn Thu, Bonafide wrote:\n> Northwind: Spring launch"
            guard case .repliedToUpdate(let replyID) = try await receive(app, from: s.c.email, token: token(app, published), words) else {
                Issue.record("the reply was not written")
                return
            }
            let row = try #require(try await UpdateReply.find(replyID, on: app.db))
            #expect(row.$organization.id == UUID(uuidString: s.kite) && row.side == .reader && row.$author.id == UUID(uuidString: s.c.id))
            // Cleo sees it in Kite's thread as if typed on the page: without the quote, scored.
            let kites = try await thread(app, s, as: s.c)
            #expect(kites.map { $0["body"] as? String ?? "" } == ["Thank you, this is great news, we love it"], "\(kites)")
            #expect(kites.first?["label"] as? String == "positive" && (kites.first?["sentiment"] as? Double ?? 0) > 0, "\(kites)")

            // Northwind's owner is told, in a mail that can be answered in turn.
            let told = try await mail(app, kind: .updateReply, to: s.a.email)
            #expect(
                told.subject == "Kite replied to “Spring launch”" && told.body.contains("Thank you, this is great news"), "\(told.subject)")
            #expect(try await composed(app, told).body.contains("Reply to this mail to answer in the thread."))
            guard
                case .repliedToUpdate = try await receive(
                    app, from: s.a.email, token: token(app, told), "See you at the opening, Cleo.\n\n-- \nAlice\nNorthwind")
            else {
                Issue.record("the writer's answer was not written")
                return
            }
            let answered = try await mail(app, kind: .updateReply, to: s.c.email)
            #expect(answered.subject == "Northwind answered your reply to “Spring launch”", "\(answered.subject)")
            guard case .repliedToUpdate = try await receive(app, from: s.c.email, token: token(app, answered), "Looking forward to it.")
            else {
                Issue.record("the reply to the answer was not written")
                return
            }
            let conversation = try await thread(app, s, as: s.a)
            #expect(
                conversation.map { "\($0["side"] as? String ?? ""): \($0["body"] as? String ?? "")" } == [
                    "reader: Thank you, this is great news, we love it", "author: See you at the opening, Cleo.",
                    "reader: Looking forward to it.",
                ], "\(conversation)")
            // Acme's people see none of Kite's thread.
            #expect(try await thread(app, s, as: s.b).isEmpty)
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").filter(\.$toEmail == s.a.email).count()
                    == 2)
        }
    }

    @Test func aReaderWhoLostAccessSinceTheMailIsRefusedAndNothingIsWritten() async throws {
        try await withTestApp({ $0.replyDomain = "reply.test" }) { app in
            let s = try await cast(app)
            let cleos = try await mail(app, kind: .partnerUpdate, to: s.c.email)
            #expect(try await app.api(.DELETE, "/circles/\(s.kite)", token: s.a.token).status == .noContent)
            guard case .refused(let why) = try await receive(app, from: s.c.email, token: token(app, cleos), "Still coming!") else {
                Issue.record("a reader without access wrote in the thread")
                return
            }
            #expect(why.contains("no longer"), "\(why)")
            #expect(try await UpdateReply.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").count() == 0)
            // Acme is still in the circle: Bob's reply to his own mail is taken.
            let bobs = try await mail(app, kind: .partnerUpdate, to: s.b.email)
            guard case .repliedToUpdate = try await receive(app, from: s.b.email, token: token(app, bobs), "We will be there.") else {
                Issue.record("a reader with access was refused")
                return
            }
            #expect(try await UpdateReply.query(on: app.db).count() == 1)
        }
    }

    @Test func forgedTokensOtherSendersAndBadRepliesWriteNothing() async throws {
        try await withTestApp({ $0.replyDomain = "reply.test" }) { app in
            let s = try await cast(app)
            let cleos = try await mail(app, kind: .partnerUpdate, to: s.c.email)
            let genuine = token(app, cleos)
            let middle = genuine.index(genuine.startIndex, offsetBy: 20)
            let altered = genuine.replacingCharacters(in: middle...middle, with: genuine[middle] == "a" ? "b" : "a")
            // A mail about the update of a kind that takes no replies: its token is genuine, yet it names no thread.
            let unanswerable = OutboxMessage()
            unanswerable.$organization.id = cleos.$organization.id
            unanswerable.toEmail = s.c.email
            unanswerable.subject = "Something else about the update"
            unanswerable.body = ""
            unanswerable.kind = Notifier.mailKind
            unanswerable.createdAt = Date()
            unanswerable.userID = cleos.userID
            unanswerable.eventKind = NotificationKind.caseStudy.rawValue
            unanswerable.threadKey = cleos.threadKey
            try await unanswerable.save(on: app.db)
            #expect(!InboundReplies.takesReplies(unanswerable))
            #expect(!(try await composed(app, unanswerable).headers.contains { $0.name == "Reply-To" }))
            let long = String(repeating: "x", count: Updates.maxReply + 1)
            for (from, address, text, why) in [
                (s.c.email, altered, "Forged.", "forged"),
                (s.c.email, token(app, unanswerable), "Not a thread.", "forged"),
                (s.ben.email, genuine, "Ben writing to Cleo's address.", "address the notification"),
                (s.c.email, genuine, long, "A reply has 1 to \(Updates.maxReply) characters"),
            ] {
                switch try await receive(app, from: from, token: address, text) {
                case .refused(let reason): #expect(reason.contains(why), "\(reason)")
                case let other: Issue.record("\(why): \(other)")
                }
            }
            #expect(try await UpdateReply.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.reply").count() == 0)
        }
    }
}
