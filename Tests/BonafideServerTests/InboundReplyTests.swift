import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Replies by mail")
struct InboundReplyTests {
    @Test func quotedTextAndSignaturesAreStripped() throws {
        let gmail = """
            Yes, the access is ready.
            See you Monday.

            On Thu, 3 Dec 2026 at 10:00, Bonafide <trust@bonafide.test>
            wrote:
            > Alice wrote in “Access”
            > Can you share access?
            """
        #expect(ReplyText.strip(gmail) == "Yes, the access is ready.\nSee you Monday.")
        let signed = "Done.\n-- \nBob Builder\nAcme Inc."
        #expect(ReplyText.strip(signed) == "Done.")
        let outlook = "Will do.\n\nFrom: Bonafide <trust@bonafide.test>\nSent: Thursday\nTo: Bob\n\nAlice wrote"
        #expect(ReplyText.strip(outlook) == "Will do.")
        let german = "Erledigt.\n\nAm 03.12.2026 um 10:00 schrieb Bonafide <trust@bonafide.test>:\n> Frage"
        #expect(ReplyText.strip(german) == "Erledigt.")
        #expect(ReplyText.strip("> only a quote\n> nothing else") == "")
        #expect(ReplyText.strip("Thanks!\n\nSent from my iPhone") == "Thanks!")
    }

    @Test func mimeTextIsFoundAndDecoded() throws {
        let multipart = """
            From: Bob <bob@acme.example>
            To: reply+abc@reply.test
            Subject: Re: Access
            Content-Type: multipart/alternative; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            Gr=C3=BC=C3=9Fe, it is =
            done.
            --b1
            Content-Type: text/html; charset=utf-8

            <p>Grüße</p>
            --b1--
            """
        let mail = try InboundMessage(parsing: multipart)
        #expect(mail.text?.trimmingCharacters(in: .whitespacesAndNewlines) == "Grüße, it is done.")
        #expect(InboundMessage.addresses(in: mail.header("From") ?? "") == ["bob@acme.example"])
        let htmlOnly = try InboundMessage(
            parsing: "From: a@b.c\nContent-Type: text/html\n\n<div>Hi &amp; bye</div><blockquote>old</blockquote>")
        #expect(ReplyText.strip(htmlOnly.text ?? "") == "Hi & bye")
        #expect(throws: InboundMessage.Malformed.noHeaders) { try InboundMessage(parsing: "just some words") }
        #expect(throws: InboundMessage.Malformed.noText) {
            try InboundMessage(parsing: "From: a@b.c\nContent-Type: image/png\n\nxxxx")
        }
        // Linear: a megabyte of nested-looking noise parses at once.
        let noise = "From: a@b.c\nContent-Type: multipart/mixed; boundary=x\n\n" + String(repeating: "--x\n\n", count: 100_000)
        _ = try? InboundMessage(parsing: String(noise.prefix(InboundMessage.maxBytes)))
    }

    /// Bob gets a mail about Alice's question; answers it by mail.
    func question(_ app: Application) async throws -> (a: Account, b: Account, pid: String, outbox: OutboxMessage, token: String) {
        let (a, b, pid) = try await app.activePartnership()
        let ask = try await app.api(
            .POST, "/partnerships/\(pid)/messages", token: a.token,
            json: #"{"body":"Can you share access?","subject":"Access","needsResponse":true}"#)
        #expect(ask.status == .created)
        let outbox = try #require(
            try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                .filter(\.$eventKind == NotificationKind.messageNeedsAnswer.rawValue).first())
        return (a, b, pid, outbox, NotificationMail.replyToken(outbox.id!, key: app.mailTokenKey))
    }

    func reply(
        from: String, token: String, id: String = "<r1@acme.example>",
        text: String = "Done, access granted.\n\nOn Thu, Bonafide wrote:\n> Can you share access?"
    ) -> String {
        "From: Bob <\(from)>\r\nTo: <reply+\(token)@reply.test>\r\nMessage-ID: \(id)\r\nSubject: Re: Access\r\n\r\n\(text)\r\n"
    }

    @Test func aReplyIsPostedOnceAndForgedReplayedOrForeignMailPostsNothing() async throws {
        try await withTestApp({ $0.replyDomain = "reply.test" }) { app in
            let (_, b, pid, outbox, token) = try await question(app)
            let key = app.mailTokenKey
            // The notification mail says where to reply.
            let bob = try #require(try await User.query(on: app.db).filter(\.$email == b.email).first())
            let mail = NotificationMail.compose(
                outbox, for: bob,
                context: .init(baseURL: "https://t.example", tokenKey: key, replyDomain: "reply.test", requireVerifiedAddresses: false),
                heloName: "t.example", now: Date())
            #expect(mail.headers.contains { $0.name == "Reply-To" && $0.value == "<reply+\(token)@reply.test>" })
            #expect(mail.body.contains("Reply to this mail to answer in the thread."))
            func receive(_ raw: String) async throws -> InboundReplies.Outcome {
                try await InboundReplies.receive(raw, domain: "reply.test", key: key, on: app.db)
            }
            func count() async throws -> Int { try await Message.query(on: app.db).count() }
            let before = try await count()
            // The same bytes spelled with a nonzero unused bit in the last character are not a second valid address.
            let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
            let lastIndex = alphabet.firstIndex(of: token.last!)!
            let respelled = String(token.dropLast()) + String(alphabet[lastIndex ^ 1])
            #expect(NotificationMail.openReplyToken(token, key: key) != nil && NotificationMail.openReplyToken(respelled, key: key) == nil)
            // A character in the middle changed (the last one may only hold unused bits).
            let middle = token.index(token.startIndex, offsetBy: 20)
            let forged = token.replacingCharacters(in: middle...middle, with: token[middle] == "a" ? "b" : "a")
            for (raw, why) in [
                (reply(from: b.email, token: forged), "forged"),
                (reply(from: "mallory@evil.example", token: token), "address the notification"),
                ("no headers at all", "header"), (reply(from: b.email, token: token, text: "> only a quote"), "no text"),
            ] {
                let reason: String
                switch try await receive(raw) {
                case .refused(let text), .malformed(let text): reason = text
                case .posted, .repliedToUpdate: Issue.record("posted: \(why)"); continue
                }
                #expect(reason.contains(why), "\(reason)")
            }
            #expect(try await count() == before)
            guard case .posted(let id) = try await receive(reply(from: b.email.uppercased(), token: token)) else {
                Issue.record("not posted")
                return
            }
            let posted = try #require(try await Message.find(id, on: app.db))
            #expect(posted.body == "Done, access granted.")
            #expect(try await User.find(posted.$author.id, on: app.db)?.email == b.email)
            // The question counts as answered, as if Bob had written on the page.
            let thread = try await app.api(.GET, "/partnerships/\(pid)/messages", token: b.token)
            #expect(thread.status == .ok)
            #expect(try await Message.query(on: app.db).filter(\.$needsResponse == true).first()?.respondedAt != nil)
            // The same mail again (a retry by the sending server, or an attacker's replay) posts nothing.
            guard case .refused(let again) = try await receive(reply(from: b.email, token: token)) else {
                Issue.record("replay posted")
                return
            }
            #expect(again.contains("already received"))
            #expect(try await count() == before + 1)
        }
    }

    @Test func theSMTPReceiverRefusesUnknownAddressesAndPostsAGenuineReply() async throws {
        try await withTestApp({ $0.replyDomain = "reply.test" }) { app in
            let (_, b, _, _, token) = try await question(app)
            let server = InboundSMTPServer(host: "127.0.0.1", port: 0)
            try await server.didBootAsync(app)
            let port = try #require(server.localPort)
            func send(to: String, body: String) async throws -> SMTPError? {
                let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(port)", from: b.email)
                do {
                    try await SMTPSession.withSession(settings, heloName: "acme.example") { session in
                        try await session.send(
                            MailMessage(
                                to: to, subject: "Re: Access", body: body, fromName: "Bob", messageID: "\(UUID())@acme.example",
                                date: Date()))
                    }
                    return nil
                } catch let error as SMTPError {
                    return error
                }
            }
            let refused = try await send(to: "reply+nonsense@reply.test", body: "hi")
            #expect(
                refused?.permanent == true && refused?.description.contains("No such reply address") == true,
                "\(String(describing: refused))")
            #expect(try await send(to: "reply+\(token)@reply.test", body: "Sent it over SMTP.\n\n> quoted") == nil)
            #expect(try await Message.query(on: app.db).filter(\.$body == "Sent it over SMTP.").count() == 1)
            await server.shutdownAsync(app)
        }
    }
}
