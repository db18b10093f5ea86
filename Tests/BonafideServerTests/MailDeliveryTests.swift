import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import VaporTesting

@testable import BonafideServer

/// A mail server on 127.0.0.1 for the tests: it speaks enough SMTP to take messages, refuses or defers the
/// recipients it is told to, asks for a password when given one, and keeps what it received.
final class SMTPReceiver: @unchecked Sendable {
    // @unchecked: the mutable state is read and written under `lock`.
    struct Received: Sendable {
        var from: String
        var to: [String]
        var data: String
        var user: String?

        /// The decoded text body (the sender encodes it as base64).
        var body: String {
            let parts = data.components(separatedBy: "\r\n\r\n")
            let encoded = parts.dropFirst().joined().replacingOccurrences(of: "\r\n", with: "")
            return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }

        func header(_ name: String) -> String? {
            let head = data.components(separatedBy: "\r\n\r\n").first ?? ""
            return head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    private let lock = NIOLock()
    private var _received: [Received] = []
    private var _refused: Set<String> = []
    private var _deferred: Set<String> = []
    private var _connections = 0
    let credentials: (user: String, password: String)?
    /// Offers STARTTLS and answers it with a forged reply appended in clear, as a man in the middle would.
    var injectAfterStartTLS: Bool {
        get { lock.withLock { _injectAfterStartTLS } }
        set { lock.withLock { _injectAfterStartTLS = newValue } }
    }
    private var _injectAfterStartTLS = false
    /// Takes connections and never greets them: a server too busy to start a session.
    var silentGreeting: Bool {
        get { lock.withLock { _silentGreeting } }
        set { lock.withLock { _silentGreeting = newValue } }
    }
    private var _silentGreeting = false
    private var _stalled: Set<String> = []
    /// One element each time a session is left waiting (a connection not greeted, a message text not answered).
    let stalls: AsyncStream<Void>
    private let stall: AsyncStream<Void>.Continuation
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private var task: Task<Void, Never>?
    var port: Int { server.channel.localAddress?.port ?? 0 }

    var received: [Received] { lock.withLock { _received } }
    var connections: Int { lock.withLock { _connections } }
    func refuse(_ address: String) { lock.withLock { _ = _refused.insert(address) } }
    func deferring(_ addresses: Set<String>) { lock.withLock { _deferred = addresses } }
    /// Hears the text of a message to these addresses and never answers it: a session under way when a deploy comes.
    func stalling(_ addresses: Set<String>) { lock.withLock { _stalled = addresses } }
    private var _late: Set<String> = []
    private var _lateReleased = false
    /// Takes the text of a message to these addresses (it is received) and answers only once `answerLate()` is called: a
    /// server slow to confirm a message it has accepted.
    func acceptingLate(_ addresses: Set<String>) { lock.withLock { _late = addresses } }
    func answerLate() { lock.withLock { _lateReleased = true } }

    private init(server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, credentials: (String, String)?) {
        self.server = server
        self.credentials = credentials
        let (stalls, stall) = AsyncStream.makeStream(of: Void.self)
        self.stalls = stalls
        self.stall = stall
    }

    static func start(credentials: (String, String)? = nil) async throws -> SMTPReceiver {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let receiver = SMTPReceiver(server: server, credentials: credentials)
        receiver.task = Task {
            try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { try? await receiver.serve(connection) }
                    }
                }
            }
        }
        return receiver
    }

    func stop() async {
        try? await server.channel.close()
        task?.cancel()
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        lock.withLock { _connections += 1 }
        try await connection.executeThenClose { inbound, outbound in
            func say(_ line: String) async throws { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
            if silentGreeting {
                stall.yield()
                for try await _ in inbound {}
                return
            }
            try await say("220 receiver.test ESMTP")
            var from = ""
            var to: [String] = []
            var user: String?
            var data: String?
            var pending = ""
            for try await chunk in inbound {
                pending += String(buffer: chunk)
                while let end = pending.range(of: "\r\n") {
                    let line = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    if var text = data {
                        if line == "." {
                            if lock.withLock({ !_stalled.isDisjoint(with: to) }) {
                                data = nil
                                stall.yield()
                                continue
                            }
                            if lock.withLock({ !_late.isDisjoint(with: to) }) {
                                let message = Received(from: from, to: to, data: text, user: user)
                                lock.withLock { _received.append(message) }
                                data = nil
                                stall.yield()
                                while !lock.withLock({ _lateReleased }) { try await Task.sleep(for: .milliseconds(20)) }
                                try await say("250 queued")
                                continue
                            }
                            let message = Received(from: from, to: to, data: text, user: user)
                            lock.withLock { _received.append(message) }
                            data = nil
                            try await say("250 queued")
                        } else {
                            text += (text.isEmpty ? "" : "\r\n") + (line.hasPrefix("..") ? String(line.dropFirst()) : line)
                            data = text
                        }
                        continue
                    }
                    let verb = line.split(separator: " ").first.map { $0.uppercased() } ?? ""
                    switch verb {
                    case "EHLO":
                        try await say("250-receiver.test")
                        if injectAfterStartTLS { try await say("250-STARTTLS") }
                        try await say(credentials == nil ? "250 8BITMIME" : "250 AUTH PLAIN LOGIN")
                    case "STARTTLS":
                        try await say("220 go ahead\r\n250-receiver.test\r\n250 AUTH PLAIN")
                    case "AUTH":
                        let token = line.split(separator: " ").dropFirst(2).first.map(String.init) ?? ""
                        let parts =
                            Data(base64Encoded: token).map { String(decoding: $0, as: UTF8.self) }?.split(
                                separator: "\0", omittingEmptySubsequences: false) ?? []
                        if let c = credentials, parts.count == 3, parts[1] == c.user, parts[2] == c.password {
                            user = c.user
                            try await say("235 2.7.0 Authentication successful")
                        } else {
                            try await say("535 5.7.8 Authentication credentials invalid")
                        }
                    case "MAIL":
                        if credentials != nil && user == nil {
                            try await say("530 5.7.0 Authentication required")
                        } else {
                            from = String(line.dropFirst("MAIL FROM:".count))
                            to = []
                            try await say("250 ok")
                        }
                    case "RCPT":
                        let address = String(line.dropFirst("RCPT TO:<".count).dropLast())
                        let (refused, deferred) = lock.withLock { (_refused.contains(address), _deferred.contains(address)) }
                        if refused {
                            try await say("550 5.1.1 <\(address)>: no such mailbox")
                        } else if deferred {
                            try await say("451 4.3.0 try again later")
                        } else {
                            to.append(address)
                            try await say("250 ok")
                        }
                    case "DATA":
                        data = ""
                        try await say("354 go ahead")
                    case "RSET":
                        to = []
                        try await say("250 ok")
                    case "QUIT":
                        try await say("221 bye")
                        return
                    default:
                        try await say("502 5.5.2 not implemented")
                    }
                }
            }
        }
    }
}

@Suite("Mail delivery over SMTP")
struct MailDeliveryTests {
    /// A survey whose invitations sit in the outbox for the given addresses.
    func queueInvitations(_ app: Application, to emails: [String]) async throws -> Account {
        let a = try await app.register("Alice", org: "Northwind Ünited")
        let created = try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Q4 customers","kind":"nps"}"#)
        let sid = created.body["id"] as? String ?? ""
        let csv = "email\n" + emails.joined(separator: "\n")
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["csv": csv]), as: UTF8.self)
        let added = try await app.api(.POST, "/surveys/\(sid)/recipients", token: a.token, json: body)
        #expect(added.body["added"] as? Int == emails.count, "\(added.raw)")
        let sent = try await app.api(.POST, "/surveys/\(sid)/send", token: a.token)
        #expect(sent.body["count"] as? Int == emails.count, "\(sent.raw)")
        return a
    }

    func status(of email: String, on db: any Database) async throws -> OutboxMessage? {
        try await OutboxMessage.query(on: db).filter(\.$toEmail == email).first()
    }

    @Test func invitationsAreSubmittedRefusalsFailAndDeferralsAreRetriedLater() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            _ = try await queueInvitations(app, to: ["ana@cust.example", "nobody@cust.example", "later@cust.example"])
            receiver.refuse("nobody@cust.example")
            receiver.deferring(["later@cust.example"])
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let now = Date()
            let first = try await MailDelivery.deliverDue(
                with: settings, heloName: "bonafide.test", now: now, on: app.db, logger: app.logger)
            #expect(first == .init(sent: 1, retrying: 1, failed: 1))
            #expect(receiver.connections == 1, "one connection for the whole batch")

            let mail = try #require(receiver.received.first)
            #expect(mail.to == ["ana@cust.example"] && mail.from == "<trust@bonafide.test>")
            #expect(mail.header("Subject") == "Northwind Ünited asks: Q4 customers".encodedWordForTest)
            #expect(mail.header("From") == "\("Northwind Ünited via Bonafide".encodedWordForTest) <trust@bonafide.test>")
            let link = try #require(mail.body.firstMatch(of: /http:\/\/\S+\/s\/\S+/)).output
            let page = try await app.testing().sendRequest(.GET, String(link.dropFirst("http://127.0.0.1:8080".count)))
            #expect(page.status == .ok && page.body.string.contains("How likely are you"), "the mailed link opens the survey")

            let ana = try #require(try await status(of: "ana@cust.example", on: app.db))
            #expect(ana.status == .sent && ana.sentAt != nil && ana.attempts == 1)
            let nobody = try #require(try await status(of: "nobody@cust.example", on: app.db))
            #expect(nobody.status == .failed)
            #expect(nobody.lastError?.contains("550 5.1.1 <nobody@cust.example>: no such mailbox") == true, "\(nobody.lastError ?? "")")
            let later = try #require(try await status(of: "later@cust.example", on: app.db))
            #expect(later.status == .queued && later.attempts == 1 && later.lastError?.contains("451") == true)
            #expect(later.nextAttemptAt.map { abs($0.timeIntervalSince(now) - 60) < 1 } == true, "first retry after a minute")

            // Not due yet: nothing is sent, nothing is claimed.
            let early = try await MailDelivery.deliverDue(
                with: settings, heloName: "bonafide.test", now: now.addingTimeInterval(30), on: app.db, logger: app.logger)
            #expect(early == .init() && receiver.connections == 1)
            receiver.deferring([])
            let retry = try await MailDelivery.deliverDue(
                with: settings, heloName: "bonafide.test", now: now.addingTimeInterval(61), on: app.db, logger: app.logger)
            #expect(retry == .init(sent: 1, retrying: 0, failed: 0))
            #expect(receiver.received.map(\.to) == [["ana@cust.example"], ["later@cust.example"]], "each person mailed once")
        }
    }

    @Test func aWrongPasswordKeepsEveryMessageQueuedAndIsNeverRecorded() async throws {
        let receiver = try await SMTPReceiver.start(credentials: ("bonafide", "s3cret pass"))
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            _ = try await queueInvitations(app, to: ["ana@cust.example", "bo@cust.example"])
            let wrong = try SMTPSettings.parse(url: "smtp://bonafide:wr%40ng@127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let failed = try await MailDelivery.deliverDue(with: wrong, heloName: "bonafide.test", on: app.db, logger: app.logger)
            #expect(failed == .init(sent: 0, retrying: 2, failed: 0))
            for message in try await OutboxMessage.query(on: app.db).all() {
                #expect(message.status == .queued)
                #expect(
                    message.lastError?.contains("535") == true && message.lastError?.contains("wr@ng") == false,
                    "\(message.lastError ?? "")")
            }
            #expect(receiver.received.isEmpty)

            let right = try SMTPSettings.parse(url: "smtp://bonafide:s3cret%20pass@127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let later = Date().addingTimeInterval(120)
            let sent = try await MailDelivery.deliverDue(with: right, heloName: "bonafide.test", now: later, on: app.db, logger: app.logger)
            #expect(sent == .init(sent: 2, retrying: 0, failed: 0))
            #expect(receiver.received.map(\.user) == ["bonafide", "bonafide"])
        }
    }

    @Test func anUnreachableServerRetriesUntilTheRetriesRunOutAndFailedMailCanBeRequeued() async throws {
        try await withTestApp { app in
            let a = try await queueInvitations(app, to: ["ana@cust.example"])
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            let dead = try SMTPSettings.parse(url: "smtp://127.0.0.1:9", from: "trust@bonafide.test")
            var now = Date()
            for attempt in 1...MailDelivery.retryPauses.count {
                let outcome = try await MailDelivery.deliverDue(
                    with: dead, heloName: "bonafide.test", now: now, on: app.db, logger: app.logger)
                #expect(outcome == .init(sent: 0, retrying: 1, failed: 0), "attempt \(attempt)")
                now = now.addingTimeInterval(MailDelivery.retryPauses[attempt - 1] + 1)
            }
            let last = try await MailDelivery.deliverDue(with: dead, heloName: "bonafide.test", now: now, on: app.db, logger: app.logger)
            #expect(last == .init(sent: 0, retrying: 0, failed: 1))
            let message = try #require(try await status(of: "ana@cust.example", on: app.db))
            #expect(message.status == .failed && message.attempts == MailDelivery.retryPauses.count + 1)
            #expect(message.lastError?.contains("Could not connect to the mail server 127.0.0.1:9") == true, "\(message.lastError ?? "")")

            let requeued = try await MailDelivery.retryFailed(of: UUID(uuidString: a.organizationID)!, on: app.db)
            #expect(requeued == 1)
            #expect(try await status(of: "ana@cust.example", on: app.db)?.status == .queued)
        }
    }

    @Test func repliesInjectedAfterStartTLSEndTheSessionAndStaleMailIsNotSent() async throws {
        let receiver = try await SMTPReceiver.start()
        receiver.injectAfterStartTLS = true
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            _ = try await queueInvitations(app, to: ["ana@cust.example"])
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let now = Date()
            let outcome = try await MailDelivery.deliverDue(
                with: settings, heloName: "bonafide.test", now: now, on: app.db, logger: app.logger)
            #expect(outcome == .init(sent: 0, retrying: 1, failed: 0))
            let message = try #require(try await status(of: "ana@cust.example", on: app.db))
            #expect(message.lastError?.contains("sent data after agreeing to STARTTLS") == true, "\(message.lastError ?? "")")
            #expect(receiver.received.isEmpty)

            // A week later it is still waiting (no mail server would take it): it is not sent at all.
            let later = now.addingTimeInterval(MailDelivery.staleAfter + 3_600)
            _ = try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", now: later, on: app.db, logger: app.logger)
            let stale = try #require(try await status(of: "ana@cust.example", on: app.db))
            #expect(stale.status == .failed && stale.lastError == "Not sent: still waiting a week after it was written.")
            // Sending it again on purpose counts afresh: it goes out.
            receiver.injectAfterStartTLS = false
            #expect(try await MailDelivery.retryFailed(of: stale.$organization.id, now: later, on: app.db) == 1)
            let resent = try await MailDelivery.deliverDue(
                with: settings, heloName: "bonafide.test", now: later, on: app.db, logger: app.logger)
            #expect(resent == .init(sent: 1, retrying: 0, failed: 0))
        }
    }

    /// A deploy stopping the server mid-message: the message under way and those not yet tried count no attempt (at
    /// the last one they would fail for good) and are free at once for another server's pass; what went out before the
    /// cut stays sent and is not sent again.
    @Test func aSessionCutOffByShutdownCountsNoAttemptAndSendsNothingTwice() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let people = ["ana@cust.example", "bo@cust.example", "cy@cust.example"]
            _ = try await queueInvitations(app, to: people)
            receiver.stalling(["bo@cust.example"])
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let pass = Task { try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger) }
            var stalled = receiver.stalls.makeAsyncIterator()
            _ = await stalled.next()
            // What shutdown does to the mail job.
            pass.cancel()
            let ended = await pass.result
            #expect(throws: CancellationError.self) { try ended.get() }

            let bo = try #require(try await status(of: "bo@cust.example", on: app.db))
            #expect(bo.status == .queued && bo.attempts == 0 && bo.lastError == nil && bo.claimedUntil == nil)
            let afterCut = try await OutboxMessage.query(on: app.db).all()
            for message in afterCut where message.status != .sent {
                #expect(message.attempts == 0 && message.lastError == nil && message.claimedUntil == nil, "\(message.toEmail)")
            }
            let sentBeforeCut = afterCut.filter { $0.status == .sent }
            #expect(sentBeforeCut.allSatisfy { $0.attempts == 1 })
            #expect(receiver.received.flatMap(\.to).sorted() == sentBeforeCut.map(\.toEmail).sorted())

            receiver.stalling([])
            let next = try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger)
            #expect(next == .init(sent: people.count - sentBeforeCut.count, retrying: 0, failed: 0))
            #expect(receiver.received.flatMap(\.to).sorted() == people, "each person mailed once")
        }
    }

    /// Shutdown while the server confirms a message it has taken: the session waits for the answer a little longer than
    /// the pass (`SMTPSession.answerAfterCancel`), so the message is recorded as sent and not sent again by the next pass.
    @Test func aMessageAcceptedAsShutdownComesIsRecordedAsSentAndNotSentAgain() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let people = ["ana@cust.example", "bo@cust.example", "cy@cust.example"]
            _ = try await queueInvitations(app, to: people)
            receiver.acceptingLate(["bo@cust.example"])
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let pass = Task { try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger) }
            var stalled = receiver.stalls.makeAsyncIterator()
            _ = await stalled.next()
            pass.cancel()
            // The answer comes after the cancel, within the time the session still waits for it.
            receiver.answerLate()
            // The pass ends either way (cut before the next message, or done if Bo came last).
            _ = await pass.result
            let bo = try #require(try await status(of: "bo@cust.example", on: app.db))
            #expect(bo.status == .sent && bo.attempts == 1 && bo.lastError == nil, "\(bo.status) \(bo.attempts)")

            _ = try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger)
            #expect(receiver.received.flatMap(\.to).sorted() == people, "each person mailed once")
        }
    }

    /// Shutdown while the mail server has not even greeted: none of the batch was tried, so none counts an attempt or
    /// shows an error, and the next pass sends them all.
    @Test func aSessionCutOffByShutdownBeforeTheGreetingCountsNoAttempt() async throws {
        let receiver = try await SMTPReceiver.start()
        receiver.silentGreeting = true
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            _ = try await queueInvitations(app, to: ["ana@cust.example", "bo@cust.example"])
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let pass = Task { try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger) }
            var stalled = receiver.stalls.makeAsyncIterator()
            _ = await stalled.next()
            pass.cancel()
            let ended = await pass.result
            #expect(throws: CancellationError.self) { try ended.get() }
            let messages = try await OutboxMessage.query(on: app.db).all()
            #expect(messages.count == 2)
            for message in messages {
                #expect(message.status == .queued && message.attempts == 0 && message.lastError == nil && message.claimedUntil == nil)
            }

            receiver.silentGreeting = false
            let next = try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger)
            #expect(next == .init(sent: 2, retrying: 0, failed: 0))
        }
    }

    @Test func outgoingMailIsShownAndResentOnlyByTheOrganizationsOwnersAndAdmins() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let a = try await queueInvitations(app, to: ["ana@cust.example", "nobody@cust.example"])
            receiver.refuse("nobody@cust.example")
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            _ = try await MailDelivery.deliverDue(with: settings, heloName: "bonafide.test", on: app.db, logger: app.logger)
            let owner = try await Browser.signedIn(app, as: a)
            let page = try await owner.get("/organization")
            #expect(page.html.contains(#"<p id="mail-summary">1 sent · 0 waiting · 1 failed</p>"#), "\(page.html)")
            #expect(page.html.contains("no such mailbox") && page.html.contains("Send the 1 failed message again"))

            // A member sees the profile but not the mail, and cannot resend it.
            let member = try await Browser.signedIn(app, as: try await app.invitedMember(of: a, role: "member"))
            let memberPage = try await member.get("/organization")
            #expect(!memberPage.html.contains("outgoing-mail") && !memberPage.html.contains("nobody@cust.example"))
            _ = try await member.post("/organization/mail/retry", [:])
            #expect(try await status(of: "nobody@cust.example", on: app.db)?.status == .failed)

            // Another organization sees none of it, and its resend touches nothing of Northwind's.
            let stranger = try await Browser.signedIn(app, as: try await app.register("Eve", org: "Intruder"))
            let strangerPage = try await stranger.get("/organization")
            #expect(strangerPage.html.contains(#"<p id="mail-summary">0 sent · 0 waiting · 0 failed</p>"#))
            #expect(!strangerPage.html.contains("cust.example"))
            _ = try await stranger.post("/organization/mail/retry", [:])
            #expect(try await status(of: "nobody@cust.example", on: app.db)?.status == .failed)

            _ = try await owner.post("/organization/mail/retry", [:])
            #expect(try await status(of: "nobody@cust.example", on: app.db)?.status == .queued)
        }
    }

    @Test func settingsAndMessageText() throws {
        let s = try SMTPSettings.parse(url: "smtps://user%40x:p%3Ass@mail.example.com", from: "trust@example.com")
        #expect(s.security == .implicitTLS && s.port == 465 && s.username == "user@x" && s.password == "p:ss")
        #expect(try SMTPSettings.parse(url: "smtp://[::1]:2525", from: "a@b.example").host == "::1")
        #expect(try SMTPSettings.parse(url: "smtp://mail.example.com", from: "a@b.example").port == 587)
        // Only real loopback addresses may get a password without TLS.
        #expect(try SMTPSettings.parse(url: "smtp://127.0.0.2", from: "a@b.example").isLoopback)
        #expect(try SMTPSettings.parse(url: "smtp://[::1]", from: "a@b.example").isLoopback)
        #expect(try !SMTPSettings.parse(url: "smtp://127.mail.example.com", from: "a@b.example").isLoopback)
        // One emoji sequence longer than an encoded word's room is split between scalars, never left empty.
        let family = String(repeating: "👩‍👩‍👧‍👦", count: 3)
        #expect(!MailMessage.encodedWord(family).contains("=?utf-8?B??="))
        #expect(throws: SMTPSettings.Invalid.self) { try SMTPSettings.parse(url: "http://mail.example.com", from: "a@b.example") }

        // Configuration errors name the variable and never echo a password.
        #expect(throws: AppConfig.Invalid.self) { try AppConfig.fromEnvironment(["BONAFIDE_SMTP_URL": "smtp://mail.example.com"]) }
        do {
            _ = try AppConfig.fromEnvironment(["BONAFIDE_SMTP_URL": "ftp://u:hunter2@x", "BONAFIDE_MAIL_FROM": "a@b.example"])
            Issue.record("a bad URL was accepted")
        } catch let error as AppConfig.Invalid {
            #expect(error.variable == "BONAFIDE_SMTP_URL" && !error.description.contains("hunter2"))
        }
        #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.fromEnvironment(["BONAFIDE_SMTP_URL": "smtp://x.example", "BONAFIDE_MAIL_FROM": "not an address"])
        }

        // Organization names are chosen at sign-up: they can never become another sender address.
        #expect(MailMessage.displayName("Acme Retail via Bonafide") == "Acme Retail via Bonafide")
        #expect(MailMessage.displayName("Mallory <ceo@bank.example> via Bonafide") == #""Mallory <ceo@bank.example> via Bonafide""#)
        #expect(MailMessage.displayName(#"Acme, "Inc." \ Co"#) == #""Acme, \"Inc.\" \\ Co""#)
        #expect(MailMessage.displayName("Smith (UK): Ltd.").hasPrefix("\""))
        let long = MailMessage.displayName("Müller & Söhne Gesellschaft für Gestaltung via Bonafide")
        #expect(long.components(separatedBy: "\r\n ").count == 2, "\(long)")
        var config = AppConfig()
        config.publicURL = "http://127.0.0.1:8080"
        #expect(config.heloName == "[127.0.0.1]")
        config.publicURL = "https://trust.example.com"
        #expect(config.heloName == "trust.example.com")

        // A line break in a subject cannot add a header.
        let text = MailMessage(
            to: "ana@cust.example", subject: "Hi\r\nBcc: everyone@example.com", body: "Line one\n.\nLine three", fromName: "Acme",
            messageID: "1@x", date: Date(timeIntervalSince1970: 0)
        ).rendered(from: "trust@example.com")
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.contains("Subject: Hi Bcc: everyone@example.com") && !head.contains("\r\nBcc:"))
        #expect(head.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        let body = text.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: "")
        #expect(Data(base64Encoded: body).map { String(decoding: $0, as: UTF8.self) } == "Line one\r\n.\r\nLine three")
    }
}

extension String {
    /// The RFC 2047 form the sender uses for text that is not plain ASCII.
    var encodedWordForTest: String { "=?utf-8?B?\(Data(utf8).base64EncodedString())?=" }
}
