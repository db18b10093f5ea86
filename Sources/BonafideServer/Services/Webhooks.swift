import AsyncHTTPClient
import BonafideCore
import Fluent
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Outgoing webhooks: an organization's partnership events, posted to the endpoints its owners and admins
/// registered, signed per Standard Webhooks, retried for about three days, with a log of every attempt.
enum Webhooks {
    /// Pauses before each retry: about three days in all. Tests scale them down (`BONAFIDE_WEBHOOK_BACKOFF_SCALE`).
    static let retryPauses: [TimeInterval] = [5, 30, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 86_400, 86_400]
    /// A pass stops starting new posts after `passSeconds`; the claim outlasts the pass and its last post's timeout.
    static let passSeconds: TimeInterval = 90
    static let claimSeconds: TimeInterval = 300
    static let batch = 50
    static let maxPerOrganization = 20

    /// Every event type an endpoint can ask for: the partnership record's entry types.
    static let eventTypes: [String] =
        [
            "partnership.created", "partnership.accepted", "partnership.declined", "partnership.ended", "invitation.renewed",
            "member.added", "agreement.updated", "commitment.proposed", "commitment.missed", "message.posted", "message.request",
            "incident.raised", "incident.disclosed", "incident.handledOpenly", "incident.mishandled", "checkin.scheduled",
            "checkin.cancelled", "checkin.held", "checkin.skipped",
        ] + CommitmentAction.allCases.map { "commitment.\($0.rawValue)" } + IncidentAction.allCases.map { "incident.\($0.rawValue)" }

    struct Input: Sendable {
        var url: String
        var events: [String]
        var format: String?
    }

    /// Registers an endpoint; answers it and its secret (shown once).
    static func create(_ input: Input, by actor: Actor, key: [UInt8], allowPrivate: Bool, now: Date = Date(), on db: any Database)
        async throws -> (Webhook, String)
    {
        try Policy.manageOrganization(actor)
        let url = input.url.trimmingCharacters(in: .whitespaces)
        guard url.utf8.count <= 2_000, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = parsed.host, !host.isEmpty, parsed.user == nil
        else { throw Problem.invalid("url", "The webhook URL must be an http(s) URL such as https://example.com/hooks/bonafide.") }
        guard !input.events.isEmpty, input.events.count <= 64 else {
            throw Problem.invalid("events", "Name at least one event type (or \"*\" for all).")
        }
        for event in input.events
        where
            !(event == "*" || eventTypes.contains(event)
            || (event.hasSuffix(".*") && eventTypes.contains { $0.hasPrefix(event.dropLast()) }))
        {
            throw Problem.invalid(
                "events",
                "\"\(event.prefix(80))\" is not an event type. Known: \(eventTypes.joined(separator: ", ")), or a family such as \"commitment.*\", or \"*\"."
            )
        }
        let format = input.format ?? "standard"
        guard ["standard", "slack"].contains(format) else { throw Problem.invalid("format", "The format is standard or slack.") }
        do {
            _ = try await FeedFetcher(client: HTTPClient.shared, allowPrivateAddresses: allowPrivate).checkAddress(
                of: url, purpose: "webhooks")
        } catch let failure as FeedFetcher.Failure {
            throw Problem.invalid("url", failure.description)
        }
        let secret = StandardWebhooks.makeSecret()
        let hook = Webhook()
        hook.$organization.id = actor.organizationID
        hook.url = url
        hook.eventsText = Array(Set(input.events)).sorted().joined(separator: ",")
        hook.sealedSecret = try SecretBox.seal(secret, key: key)
        hook.format = format
        hook.$createdBy.id = actor.id
        hook.createdAt = now
        try await db.writeTransaction { tx in
            // Counted under the organization's row lock: two registrations at once cannot both take the last place.
            _ = try await tx.lockedRow(Organization.self, actor.organizationID)
            let existing = try await Webhook.query(on: tx).filter(\.$organization.$id == actor.organizationID).count()
            guard existing < maxPerOrganization else {
                throw Problem(.conflict, "An organization can have at most \(maxPerOrganization) webhooks; remove one first.")
            }
            try await hook.save(on: tx)
        }
        return (hook, secret)
    }

    static func list(for actor: Actor, on db: any Database) async throws -> [Webhook] {
        try Policy.manageOrganization(actor)
        return try await Webhook.query(on: db).filter(\.$organization.$id == actor.organizationID).sort(\.$createdAt).all()
    }

    /// The actor's organization's webhook; 404 for anyone else's.
    static func find(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> Webhook {
        try Policy.manageOrganization(actor)
        guard let id, let hook = try await Webhook.find(id, on: db), hook.$organization.id == actor.organizationID else {
            throw Problem.notFound("webhook")
        }
        return hook
    }

    static func delete(_ hook: Webhook, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            try await WebhookDelivery.query(on: tx).filter(\.$webhook.$id == hook.id!).delete()
            try await hook.delete(on: tx)
        }
    }

    static func enable(_ hook: Webhook, on db: any Database) async throws {
        hook.disabledAt = nil
        hook.disabledReason = nil
        try await db.writeTransaction { tx in try await hook.save(on: tx) }
    }

    static func deliveries(of hook: Webhook, limit: Int = 100, on db: any Database) async throws -> [WebhookDelivery] {
        try await WebhookDelivery.query(on: db).filter(\.$webhook.$id == hook.id!).sort(\.$createdAt, .descending).limit(limit).all()
    }

    /// "Send again": the same event with the same id, so a receiver that already has it can drop it.
    static func resend(_ deliveryID: UUID?, of hook: Webhook, now: Date = Date(), on db: any Database) async throws -> WebhookDelivery {
        guard hook.disabledAt == nil else { throw Problem(.conflict, "This webhook is turned off; turn it on first.") }
        return try await db.writeTransaction { tx in
            guard let deliveryID, let delivery = try await tx.lockedRow(WebhookDelivery.self, deliveryID),
                delivery.$webhook.id == hook.id
            else { throw Problem.notFound("delivery") }
            guard delivery.status != .pending else { throw Problem(.conflict, "This delivery is still being tried.") }
            delivery.status = .pending
            delivery.attempts = 0
            delivery.nextAttemptAt = now
            delivery.lastError = nil
            try await delivery.save(on: tx)
            return delivery
        }
    }

    // MARK: Events

    struct Event: Codable, Sendable {
        struct Partnership: Codable, Sendable {
            var id: String
            var name: String
        }
        struct Data: Codable, Sendable {
            var partnership: Partnership
            var summary: String
            var reason: String?
            var actor: String?
            var commitmentId: String?
            var incidentId: String?
            var eventId: String
            /// The page of the event in the web app; written as `url` (absolute) when sent.
            var path: String
            var url: String?
        }
        var type: String
        var timestamp: String
        var data: Data
    }

    /// The endpoints of either side of the partnership that are on. One plain query, each row loaded property by
    /// property (`Webhook.load(from:)`): every write in a partnership reads them.
    static func enabled(of p: Partnership, on db: any Database) async throws -> [Webhook] {
        let sides = [p.$organization.id] + (p.$partner.id.map { [$0] } ?? [])
        let rows = try await db.sql().raw(
            "SELECT * FROM webhooks WHERE organization_id IN \(SQLBind.group(sides)) AND disabled_at IS NULL"
        ).all()
        return try rows.map { try Webhook.load(from: RowOutput(row: $0)) }
    }

    /// Queues the event for every enabled endpoint of either side that wants it, in the caller's transaction.
    /// `enabledHooks`, when the caller read them before its transaction (`PartnershipAudience`), saves reading them here.
    static func enqueue(
        kind: String, partnership p: Partnership, eventID: UUID, summary: String, reason: String?, actor: String?, commitmentID: UUID?,
        incidentID: UUID?, at now: Date, enabledHooks: [Webhook]? = nil, on db: any Database
    ) async throws {
        let candidates: [Webhook]
        if let enabledHooks { candidates = enabledHooks } else { candidates = try await enabled(of: p, on: db) }
        let hooks = candidates.filter { $0.wants(kind) }
        guard !hooks.isEmpty else { return }
        let path =
            if let commitmentID { SiteURL.commitment(p.id, commitmentID) } else if let incidentID {
                SiteURL.incident(p.id, incidentID)
            } else {
                SiteURL.partnership(p.id)
            }
        let event = Event(
            type: kind, timestamp: now.formatted(.iso8601),
            data: .init(
                partnership: .init(id: p.id!.apiString, name: p.name), summary: summary, reason: reason, actor: actor,
                commitmentId: commitmentID?.apiString, incidentId: incidentID?.apiString, eventId: eventID.apiString, path: path))
        let payload = String(decoding: try JSONEncoder().encode(event), as: UTF8.self)
        let messageID = "msg_" + eventID.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var targets = hooks.map { $0.id! }
        if enabledHooks != nil {
            // Read before the transaction: an endpoint deleted or turned off since then is skipped here, where a plain
            // insert would break the foreign key and lose the change it announces.
            let sql = try db.sql()
            if sql.dialect.name == "postgresql" {
                // The insert's snapshot would still see an endpoint whose deletion is not yet committed, and its foreign
                // key check fail once it is; the lock waits for that deletion and then leaves the row out.
                var live: [UUID] = []
                for start in stride(from: 0, to: targets.count, by: 1000) {
                    let ids = Array(targets[start..<min(start + 1000, targets.count)])
                    let rows = try await sql.raw(
                        "SELECT id FROM webhooks WHERE id IN \(SQLBind.group(ids)) AND disabled_at IS NULL FOR KEY SHARE"
                    ).all()
                    live += try rows.map { try $0.decodeUUID(column: "id") }
                }
                targets = live
            } else {
                // SQLite has one writer, so nothing changes between this statement's read and its insert.
                let rows: [any SQLExpression] = targets.map { id in
                    SQLQueryString(
                        """
                        SELECT \(bind: UUID()), id, \(bind: messageID), \(bind: kind), \(bind: payload), \(bind: WebhookDeliveryStatus.pending.rawValue), 0, \(bind: now)
                        FROM webhooks WHERE id = \(bind: id) AND disabled_at IS NULL
                        """)
                }
                // SQLite refuses a compound SELECT of more than 500 terms; an organization may have more endpoints.
                for start in stride(from: 0, to: rows.count, by: 400) {
                    try await sql.raw(
                        """
                        INSERT INTO \(ident: WebhookDelivery.schema) (id, webhook_id, message_id, event_type, payload, status, attempts, created_at)
                        \(SQLList(Array(rows[start..<min(start + 400, rows.count)]), separator: SQLRaw(" UNION ALL ")))
                        """
                    ).run()
                }
                return
            }
        }
        let deliveries = targets.map { id in
            let delivery = WebhookDelivery()
            delivery.$webhook.id = id
            delivery.messageID = messageID
            delivery.eventType = kind
            delivery.payload = payload
            delivery.status = .pending
            delivery.attempts = 0
            delivery.createdAt = now
            return delivery
        }
        // A thousand rows a statement stays well under PostgreSQL's 65,535 parameters.
        for start in stride(from: 0, to: deliveries.count, by: 1000) {
            try await Array(deliveries[start..<min(start + 1000, deliveries.count)]).create(on: db)
        }
    }

    /// The body as sent: the stored event with its absolute link, in a stable key order (the same bytes on
    /// every attempt), or the Slack-compatible `{"text": ...}`.
    static func body(of delivery: WebhookDelivery, format: String, baseURL: String) throws -> [UInt8] {
        var event = try JSONDecoder().decode(Event.self, from: Data(delivery.payload.utf8))
        event.data.url = baseURL + event.data.path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if format == "slack" {
            struct Slack: Encodable { var text: String }
            return Array(
                try encoder.encode(
                    Slack(text: "\(event.data.summary) — \(event.data.partnership.name): <\(event.data.url!)|open in Bonafide>")))
        }
        return Array(try encoder.encode(event))
    }

    // MARK: Delivery

    struct Outcome: Sendable, Equatable {
        var delivered = 0
        var retrying = 0
        var failed = 0
    }

    @discardableResult
    static func deliverDue(
        client: HTTPClient, allowPrivate: Bool, key: [UInt8], baseURL: String, backoffScale: Double = 1, now: Date = Date(),
        on db: any Database, logger: Logger
    ) async throws -> Outcome {
        let claimed = try await claim(now: now, on: db)
        guard !claimed.isEmpty else { return Outcome() }
        let hooks = Dictionary(
            try await Webhook.query(on: db).filter(\.$id ~~ Set(claimed.map { $0.$webhook.id })).all().map { ($0.id!, $0) },
            uniquingKeysWith: { a, _ in a })
        let fetcher = FeedFetcher(client: client, allowPrivateAddresses: allowPrivate)
        var outcome = Outcome()
        let started = ContinuousClock.now
        for (index, delivery) in claimed.enumerated() {
            let elapsed = ContinuousClock.now - started
            guard let hook = hooks[delivery.$webhook.id], hook.disabledAt == nil, elapsed < .seconds(passSeconds) else {
                // Turned off meanwhile, or this pass ran long: released for a later pass, no attempt counted.
                delivery.claimedUntil = nil
                try await save(delivery, on: db)
                continue
            }
            // Each post carries the time it is sent: receivers refuse timestamps more than five minutes old.
            let sentAt = now.addingTimeInterval(Double(elapsed.components.seconds))
            let result: (status: Int?, error: String?)
            do {
                try Task.checkCancellation()
                result = try await post(delivery, to: hook, with: fetcher, key: key, baseURL: baseURL, now: sentAt)
            } catch {
                // Shutdown (a deploy) came before this post or cut it off: not the endpoint's failure, so no attempt is
                // counted, which at the last attempt would turn the webhook off. This delivery and those not yet posted
                // are released for another server's next pass; a post the endpoint did take is then sent again, with
                // the same webhook-id for it to tell.
                try await release(claimed[index...], on: db)
                throw error
            }
            delivery.attempts += 1
            delivery.claimedUntil = nil
            delivery.lastStatusCode = result.status
            switch result.error {
            case nil:
                delivery.status = .delivered
                delivery.deliveredAt = now
                delivery.lastError = nil
                outcome.delivered += 1
                try await save(delivery, on: db)
            case let error?:
                delivery.lastError = String(error.prefix(500))
                let gone = result.status == 410
                if gone || delivery.attempts > retryPauses.count {
                    delivery.status = .failed
                    outcome.failed += 1
                    try await db.writeTransaction { tx in
                        try await delivery.save(on: tx)
                        try await disable(
                            hook,
                            because: gone
                                ? "The endpoint answered 410 Gone."
                                : "Every attempt to deliver \(delivery.eventType) for three days failed: \(error)",
                            now: now, on: tx)
                    }
                } else {
                    delivery.nextAttemptAt = now.addingTimeInterval(retryPauses[delivery.attempts - 1] * backoffScale)
                    outcome.retrying += 1
                    try await save(delivery, on: db)
                }
            }
        }
        if outcome != Outcome() {
            logger.info("webhooks: \(outcome.delivered) delivered, \(outcome.retrying) to retry, \(outcome.failed) failed")
        }
        return outcome
    }

    private static func save(_ delivery: WebhookDelivery, on db: any Database) async throws {
        try await db.writeTransaction { tx in try await delivery.save(on: tx) }
    }

    /// Gives claimed deliveries back untouched, to be posted by whichever server's pass comes next.
    private static func release(_ deliveries: ArraySlice<WebhookDelivery>, on db: any Database) async throws {
        let ids = deliveries.compactMap(\.id)
        try await db.writeTransaction { tx in
            try await WebhookDelivery.query(on: tx).filter(\.$id ~~ ids).set(\.$claimedUntil, to: nil).update()
        }
    }

    /// Turns an endpoint off and tells the organization's owners and admins by mail.
    private static func disable(_ hook: Webhook, because reason: String, now: Date, on tx: any Database) async throws {
        guard let fresh = try await tx.lockedRow(Webhook.self, hook.id!), fresh.disabledAt == nil else { return }
        fresh.disabledAt = now
        fresh.disabledReason = String(reason.prefix(500))
        try await fresh.save(on: tx)
        let managers = try await User.query(on: tx).filter(\.$organization.$id == hook.$organization.id)
            .filter(\.$role ~~ [.owner, .admin]).all(\.$id).compactMap { $0 }
        try await Notifier.notify(
            managers,
            of: .init(
                kind: .webhookDisabled, text: "The webhook to \(FeedFetcher.host(of: hook.url)) was turned off", link: SiteURL.webhooks,
                detail: "\(reason)\n\nFix the endpoint, then turn the webhook on again and send the failed events again.",
                key: "webhook-disabled|\(hook.id!.uuidString.lowercased())|\(Int(now.timeIntervalSince1970))"),
            at: now, on: tx)
    }

    private static func claim(now: Date, on db: any Database) async throws -> [WebhookDelivery] {
        try await db.writeTransaction { tx in
            guard let sql = tx as? any SQLDatabase else { return [] }
            struct Row: Decodable { var id: UUID }
            // Only deliveries of endpoints that are on: a turned-off endpoint's backlog must not fill every pass.
            var query = sql.select().column("id").from(WebhookDelivery.schema)
                .where("status", .equal, WebhookDeliveryStatus.pending.rawValue)
                .where { $0.where("next_attempt_at", .is, SQLLiteral.null).orWhere("next_attempt_at", .lessThanOrEqual, now) }
                .where { $0.where("claimed_until", .is, SQLLiteral.null).orWhere("claimed_until", .lessThan, now) }
                .where(SQLRaw("webhook_id IN (SELECT id FROM webhooks WHERE disabled_at IS NULL)"))
                .orderBy("created_at").limit(batch)
            // SQLite runs one writer at a time, so the transaction alone makes the claim exclusive there.
            if sql.dialect.name == "postgresql" { query = query.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED")) }
            let ids = try await query.all(decoding: Row.self).map(\.id)
            guard !ids.isEmpty else { return [] }
            try await WebhookDelivery.query(on: tx).filter(\.$id ~~ ids).set(\.$claimedUntil, to: now.addingTimeInterval(claimSeconds))
                .update()
            return try await WebhookDelivery.query(on: tx).filter(\.$id ~~ ids).sort(\.$createdAt).all()
        }
    }

    /// One attempt: the response code, and what went wrong (nil for a 2xx). Throws only when shutdown cancelled it:
    /// then there was no attempt.
    private static func post(
        _ delivery: WebhookDelivery, to hook: Webhook, with fetcher: FeedFetcher, key: [UInt8], baseURL: String, now: Date
    ) async throws -> (status: Int?, error: String?) {
        do {
            guard let secret = try? SecretBox.open(hook.sealedSecret, key: key) else {
                return (nil, "The webhook's secret cannot be read with this server's key.")
            }
            let body = try body(of: delivery, format: hook.format, baseURL: baseURL)
            let timestamp = Int(now.timeIntervalSince1970)
            var request = HTTPClientRequest(url: hook.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Bonafide-Webhooks/1")
            request.headers.add(name: "webhook-id", value: delivery.messageID)
            request.headers.add(name: "webhook-timestamp", value: String(timestamp))
            if let signature = StandardWebhooks.signature(id: delivery.messageID, timestamp: timestamp, body: body, secret: secret) {
                request.headers.add(name: "webhook-signature", value: signature)
            }
            request.body = .bytes(ByteBuffer(bytes: body))
            let pinned = try await fetcher.checkAddress(of: hook.url, purpose: "webhooks")
            // Connect to the address that was checked: a second lookup could answer differently (DNS rebinding).
            let client = pinned.map { FeedFetcher.makeClient(dnsOverride: $0) } ?? fetcher.client
            defer { if pinned != nil { Task { try? await client.shutdown() } } }
            let response = try await client.execute(request, timeout: .seconds(15))
            _ = try? await response.body.collect(upTo: 65_536)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return (code, nil) }
            return (code, "The endpoint answered \(code) \(response.status.reasonPhrase).")
        } catch let error where Task.isCancelled && BackgroundJobs.isCancellation(error) {
            throw CancellationError()
        } catch let failure as FeedFetcher.Failure {
            return (nil, failure.description)
        } catch {
            return (nil, "Could not reach \(FeedFetcher.host(of: hook.url)): \(FeedFetcher.explain(error)).")
        }
    }
}
