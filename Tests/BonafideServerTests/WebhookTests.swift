import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import VaporTesting

@testable import BonafideServer

/// An HTTP endpoint on 127.0.0.1 that answers each request with the next scripted status (then 200) and keeps
/// what it received.
final class HTTPReceiver: @unchecked Sendable {
    // @unchecked: the mutable state is read and written under `lock`.
    struct Received: Sendable {
        var head: String
        var body: String
        func header(_ name: String) -> String? {
            head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    private let lock = NIOLock()
    private var _received: [Received] = []
    private var _script: [Int] = []
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private var task: Task<Void, Never>?
    var port: Int { server.channel.localAddress?.port ?? 0 }
    var received: [Received] { lock.withLock { _received } }
    func answer(_ statuses: [Int]) { lock.withLock { _script = statuses } }

    private init(server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) { self.server = server }

    static func start() async throws -> HTTPReceiver {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let receiver = HTTPReceiver(server: server)
        receiver.task = Task {
            try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections { group.addTask { try? await receiver.serve(connection) } }
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
        try await connection.executeThenClose { inbound, outbound in
            var pending = ""
            for try await chunk in inbound {
                pending += String(buffer: chunk)
                guard let split = pending.range(of: "\r\n\r\n") else { continue }
                let head = String(pending[..<split.lowerBound])
                let length =
                    head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                let body = String(pending[split.upperBound...])
                guard body.utf8.count >= length else { continue }
                let status = lock.withLock {
                    _received.append(Received(head: head, body: body))
                    return _script.isEmpty ? 200 : _script.removeFirst()
                }
                try await outbound.write(ByteBuffer(string: "HTTP/1.1 \(status) X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
                return
            }
        }
    }
}

@Suite("Webhooks")
struct WebhookTests {
    @Test func registrationsAtOnceNeverPassTheLimitOfTwenty() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let a = try await app.register("Alice", org: "Northwind")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        try await app.api(
                            .POST, "/webhooks", token: a.token, json: #"{"url":"http://127.0.0.1:9/hook\#(i)","events":["*"]}"#
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 20, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 10, "\(statuses)")
            #expect(try await Webhook.query(on: app.db).count() == 20)
        }
    }

    func signature(_ r: HTTPReceiver.Received, secret: String) -> String {
        let key = Data(base64Encoded: String(secret.dropFirst(6)))!
        let signed = "\(r.header("webhook-id")!).\(r.header("webhook-timestamp")!).\(r.body)"
        return "v1," + Data(HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: SymmetricKey(data: key))).base64EncodedString()
    }

    @Test func eventsArriveSignedOnceAfterRetriesAndTheLogShowsEveryAttempt() async throws {
        let receiver = try await HTTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let created = try await app.api(
                .POST, "/webhooks", token: b.token,
                json: #"{"url":"http://127.0.0.1:\#(receiver.port)/hook","events":["commitment.proposed","incident.*"]}"#)
            #expect(created.status == .created, "\(created.raw)")
            let secret = try #require(created.body["secret"] as? String)
            let hid = try #require(created.body["id"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(try await app.api(.GET, "/webhooks", token: b.token).list.first?["secret"] == nil, "the secret is shown once")

            receiver.answer([500, 503])
            let proposed = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Audit","dueAt":"\#(rfc3339(Date().addingTimeInterval(9 * 86_400)))"}"#)
            #expect(proposed.status == .created)
            // A message is not among the events asked for.
            _ = try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"hello"}"#)
            func deliver(at now: Date) async throws -> Webhooks.Outcome {
                try await Webhooks.deliverDue(
                    client: app.feedFetcher.client, allowPrivate: true, key: app.secretBoxKey, baseURL: "https://trust.example", now: now,
                    on: app.db, logger: app.logger)
            }
            let start = Date()
            #expect(try await deliver(at: start) == .init(delivered: 0, retrying: 1, failed: 0))
            #expect(try await deliver(at: start.addingTimeInterval(1)) == .init(), "not before the pause")
            #expect(try await deliver(at: start.addingTimeInterval(6)) == .init(delivered: 0, retrying: 1, failed: 0))
            #expect(try await deliver(at: start.addingTimeInterval(40)) == .init(delivered: 1, retrying: 0, failed: 0))
            #expect(try await deliver(at: start.addingTimeInterval(4_000)) == .init())
            let got = receiver.received
            #expect(got.count == 3)
            #expect(Set(got.map { $0.header("webhook-id") }).count == 1, "the same id on every attempt")
            let last = try #require(got.last)
            #expect(last.header("webhook-signature") == signature(last, secret: secret))
            let event = try JSONSerialization.jsonObject(with: Data(last.body.utf8)) as? [String: Any] ?? [:]
            #expect(event["type"] as? String == "commitment.proposed")
            let data = event["data"] as? [String: Any] ?? [:]
            #expect((data["url"] as? String)?.hasPrefix("https://trust.example/partnerships/") == true)
            #expect((data["summary"] as? String)?.contains("Audit") == true)

            let log = try await app.api(.GET, "/webhooks/\(hid)/deliveries", token: b.token)
            #expect(log.list.count == 1 && log.list.first?["status"] as? String == "delivered" && log.list.first?["attempts"] as? Int == 3)
            // Send again: the same event and id once more.
            let did = log.list.first?["id"] as? String ?? ""
            #expect(try await app.api(.POST, "/webhooks/\(hid)/deliveries/\(did)/resend", token: b.token).status == .ok)
            #expect(try await deliver(at: Date()).delivered == 1)
            #expect(receiver.received.count == 4 && receiver.received.last?.header("webhook-id") == last.header("webhook-id"))

            // Only the organization's owners and admins, and nobody else's.
            let member = try await app.invitedMember(of: b, role: "member")
            #expect(try await app.api(.GET, "/webhooks", token: member.token).status == .forbidden)
            #expect(try await app.api(.GET, "/webhooks/\(hid)/deliveries", token: a.token).status == .notFound)
            #expect(try await app.api(.DELETE, "/webhooks/\(hid)", token: a.token).status == .notFound)
            #expect(try await app.api(.DELETE, "/webhooks/\(hid)", token: b.token).status == .noContent)
            #expect(try await app.api(.GET, "/webhooks/\(hid)/deliveries", token: b.token).status == .notFound)
        }
    }

    @Test func badEndpointsAreRefusedAndAGoneEndpointIsTurnedOffWithAMailToTheOwners() async throws {
        let receiver = try await HTTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            for (json, words) in [
                (#"{"url":"http://127.0.0.1:\#(receiver.port)/hook","events":["*"]}"#, "internal address"),
                (#"{"url":"http://10.1.2.3/hook","events":["*"]}"#, "internal address"),
                (#"{"url":"ftp://example.com/x","events":["*"]}"#, "http(s) URL"),
                (#"{"url":"https://nonexistent.invalid/x","events":["*"]}"#, "does not resolve"),
                (#"{"url":"https://example.com/x","events":["commitment.nope"]}"#, "not an event type"),
                (#"{"url":"https://example.com/x","events":[]}"#, "events"),
            ] {
                let r = try await app.api(.POST, "/webhooks", token: a.token, json: json)
                #expect(r.status.code == 400 || r.status.code == 422, "\(json) → \(r.raw)")
                #expect(r.raw.contains(words), "\(json) → \(r.raw)")
            }
            #expect(try await Webhook.query(on: app.db).count() == 0)
        }
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, _, pid) = try await app.activePartnership()
            let created = try await app.api(
                .POST, "/webhooks", token: a.token,
                json: #"{"url":"http://127.0.0.1:\#(receiver.port)/gone","events":["*"],"format":"slack"}"#)
            #expect(created.status == .created)
            receiver.answer([410])
            _ = try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"hello"}"#)
            let outcome = try await Webhooks.deliverDue(
                client: app.feedFetcher.client, allowPrivate: true, key: app.secretBoxKey, baseURL: "https://trust.example", on: app.db,
                logger: app.logger)
            #expect(outcome.failed == 1)
            let slack = try JSONSerialization.jsonObject(with: Data((receiver.received.last?.body ?? "").utf8)) as? [String: Any] ?? [:]
            #expect((slack["text"] as? String)?.contains("Relaunch") == true)
            let hook = try #require(try await Webhook.query(on: app.db).first())
            #expect(hook.disabledAt != nil && hook.disabledReason?.contains("410") == true)
            let alice = try #require(try await User.query(on: app.db).filter(\.$email == a.email).first())
            let mail = try await OutboxMessage.query(on: app.db).filter(\.$userID == alice.id!)
                .filter(\.$eventKind == NotificationKind.webhookDisabled.rawValue).all()
            #expect(mail.count == 1)
            // A turned-off endpoint's backlog is not claimed (it would crowd out everyone else's deliveries).
            let stuck = WebhookDelivery()
            stuck.$webhook.id = hook.id!
            stuck.messageID = "msg_stuck"
            stuck.eventType = "message.posted"
            stuck.payload = "{}"
            stuck.status = .pending
            stuck.attempts = 0
            stuck.createdAt = Date.distantPast
            try await stuck.save(on: app.db)
            let idle = try await Webhooks.deliverDue(
                client: app.feedFetcher.client, allowPrivate: true, key: app.secretBoxKey, baseURL: "https://trust.example", on: app.db,
                logger: app.logger)
            #expect(idle == .init())
            #expect(try await WebhookDelivery.find(stuck.id, on: app.db)?.claimedUntil == nil)
            try await stuck.delete(on: app.db)
            // Off: new events are not queued for it; turned on again, they are.
            _ = try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"again"}"#)
            #expect(try await WebhookDelivery.query(on: app.db).count() == 1)
            #expect(try await app.api(.POST, "/webhooks/\(hook.id!.uuidString)/enable", token: a.token).status == .ok)
            _ = try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"and again"}"#)
            #expect(try await WebhookDelivery.query(on: app.db).count() == 2)
        }
    }
}
