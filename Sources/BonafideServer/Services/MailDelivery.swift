import Fluent
import Foundation
import Logging
import SQLKit

/// Sends the outbox through the configured mail server: at least once per message, never lost.
///
/// A pass claims due messages (on PostgreSQL with FOR UPDATE SKIP LOCKED, so several servers share the work),
/// submits them over one SMTP connection and records each outcome. A temporary failure (no connection, a 4xx
/// reply) is retried after growing pauses; a 5xx reply for a message, or running out of retries, marks it failed
/// with the server's words. A server that dies mid-pass leaves its claims to expire, and the messages go again; one
/// stopped by shutdown hands back the claims of the messages it did not get through, counting no attempt.
enum MailDelivery {
    /// Pauses before each retry: about two days in all before a message is given up.
    static let retryPauses: [TimeInterval] = [60, 300, 900, 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600, 24 * 3_600]
    static let claimSeconds: TimeInterval = 600
    /// Messages claimed and sent over one connection.
    static let batch = 50

    struct Outcome: Sendable, Equatable {
        var sent = 0
        var retrying = 0
        var failed = 0
    }

    /// One pass over what is due; returns what happened to the messages it claimed.
    @discardableResult
    static func deliverDue(
        with settings: SMTPSettings, heloName: String, context: MailContext? = nil, batch: Int = MailDelivery.batch, now: Date = Date(),
        on db: any Database, logger: Logger
    ) async throws -> Outcome {
        let claimed = try await claim(batch: batch, now: now, on: db)
        guard !claimed.isEmpty else { return Outcome() }
        let senders = try await senderNames(for: Set(claimed.map { $0.$organization.id }), on: db)
        let people = try await User.query(on: db).filter(\.$id ~~ Set(claimed.compactMap(\.userID))).all()
        let recipients = Dictionary(people.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var results: [(OutboxMessage, Result<Void, SMTPError>)] = []
        var cutByShutdown = false
        do {
            try await SMTPSession.withSession(settings, heloName: heloName) { session in
                for message in claimed {
                    // Shutdown (a deploy) came between two messages: the rest are left for the next pass.
                    try Task.checkCancellation()
                    let mail: MailMessage
                    if let userID = message.userID {
                        // A notification: written for the person as they are now (their current address and name).
                        let refusal: String? =
                            if context == nil { "Not sent: this server cannot write notification mails." } else if recipients[userID] == nil
                            {
                                "Not sent: the person no longer has an account."
                            } else if context!.requireVerifiedAddresses && recipients[userID]!.emailVerifiedAt == nil {
                                "Not sent: the address is not confirmed yet."
                            } else { nil }
                        if let refusal {
                            results.append((message, .failure(SMTPError(permanent: true, description: refusal))))
                            continue
                        }
                        mail = NotificationMail.compose(message, for: recipients[userID]!, context: context!, heloName: heloName, now: now)
                    } else {
                        var plain = MailMessage(
                            to: message.toEmail, subject: message.subject, body: message.body,
                            fromName: "\(senders[message.$organization.id] ?? "Bonafide") via Bonafide",
                            messageID: "\(message.id!.uuidString.lowercased())@\(heloName)", date: now)
                        // A calendar file travels only in a multipart mail (an event registration's invitation).
                        if let calendar = message.calendar {
                            plain.html = "<pre style=\"white-space:pre-wrap;font-family:inherit\">\(HTML.escape(message.body))</pre>"
                            plain.calendar = calendar
                        }
                        mail = plain
                    }
                    do {
                        try await session.send(mail)
                        // Recorded at once, not with the rest of the batch: a server killed later in this pass would
                        // otherwise leave every message it had sent to be sent again when the claim runs out.
                        try await markSent(message, now: now, on: db)
                        results.append((message, .success(())))
                    } catch let error as SMTPError {
                        results.append((message, .failure(error)))
                        if error.connectionLost { break }  // the rest wait for the next pass, no attempt counted
                    }
                }
            }
        } catch is CancellationError {
            // Cut off by shutdown, at the greeting or mid-message: not the mail server's failure, so the message under
            // way and those not yet tried count no attempt (the last would fail them for good) and are released for
            // another server's pass. One the server did take before the cut goes again; one recorded as sent does not.
            cutByShutdown = true
        } catch let error as SMTPError where results.isEmpty {
            logger.warning("mail delivery: \(error.description)")
            results = claimed.map { ($0, .failure(error)) }
        } catch {
            logger.warning("mail delivery: \(error)")
            // Before any message (a bad CA file, say): recorded on each, so the page says why they wait. After some
            // were sent (the QUIT or the close failed): what was sent is recorded as sent.
            if results.isEmpty {
                results = claimed.map { ($0, .failure(SMTPError(permanent: false, description: "Mail delivery failed: \(error)"))) }
            }
        }
        let outcome = try await record(results, of: claimed, now: now, on: db, logger: logger)
        if cutByShutdown { throw CancellationError() }
        return outcome
    }

    /// Mail still waiting after this long is not sent at all: a backlog from while no mail server was configured
    /// (invitations to closed surveys, stacked reminders) must not go out at once when one is.
    static let staleAfter: TimeInterval = 7 * 86_400

    /// Marks up to `batch` due messages as being sent by this server.
    static func claim(batch: Int, now: Date, on db: any Database) async throws -> [OutboxMessage] {
        let cutoff = now.addingTimeInterval(-staleAfter)
        // Waiting since its next attempt was due, or since it was written (a re-queued message counts afresh).
        try await OutboxMessage.query(on: db).filter(\.$status == .queued)
            .group(.or) {
                $0.filter(\.$nextAttemptAt < cutoff).group(.and) { $0.filter(\.$nextAttemptAt == nil).filter(\.$createdAt < cutoff) }
            }
            .set(\.$status, to: .failed).set(\.$lastError, to: "Not sent: still waiting a week after it was written.").update()
        return try await db.writeTransaction { tx in
            let ids: [UUID]
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
                struct Row: Decodable { var id: UUID }
                ids = try await sql.select().column("id").from(OutboxMessage.schema)
                    .where("status", .equal, OutboxStatus.queued.rawValue)
                    .where { $0.where("next_attempt_at", .is, SQLLiteral.null).orWhere("next_attempt_at", .lessThanOrEqual, now) }
                    .where { $0.where("claimed_until", .is, SQLLiteral.null).orWhere("claimed_until", .lessThan, now) }
                    .orderBy("created_at").limit(batch)
                    .lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED"))
                    .all(decoding: Row.self).map(\.id)
            } else {
                // SQLite runs one writer at a time, so the transaction alone makes the claim exclusive.
                ids = try await OutboxMessage.query(on: tx).filter(\.$status == .queued)
                    .group(.or) { $0.filter(\.$nextAttemptAt == nil).filter(\.$nextAttemptAt <= now) }
                    .group(.or) { $0.filter(\.$claimedUntil == nil).filter(\.$claimedUntil < now) }
                    .sort(\.$createdAt).limit(batch).all(\.$id)
            }
            guard !ids.isEmpty else { return [] }
            try await OutboxMessage.query(on: tx).filter(\.$id ~~ ids).set(\.$claimedUntil, to: now.addingTimeInterval(claimSeconds))
                .update()
            return try await OutboxMessage.query(on: tx).filter(\.$id ~~ ids).sort(\.$createdAt).all()
        }
    }

    private static func markSent(_ message: OutboxMessage, now: Date, on db: any Database) async throws {
        let update = OutboxMessage.query(on: db).filter(\.$id == message.id!).set(\.$status, to: .sent).set(\.$sentAt, to: now)
            .set(\.$lastError, to: nil).set(\.$claimedUntil, to: nil).set(\.$attempts, to: message.attempts + 1)
        // Account mail and invitations carry a secret link: not kept once delivered.
        if InvitationMail.secretKinds.contains(message.kind) { update.set(\.$body, to: "") }
        try await update.update()
    }

    private static func record(
        _ results: [(OutboxMessage, Result<Void, SMTPError>)], of claimed: [OutboxMessage], now: Date, on db: any Database, logger: Logger
    ) async throws -> Outcome {
        var outcome = Outcome()
        for message in claimed where !results.contains(where: { $0.0 === message }) {
            message.claimedUntil = nil  // not tried in this pass: no attempt counted
        }
        var sent = Set<ObjectIdentifier>()
        for (message, result) in results {
            guard case .failure(let error) = result else {
                // Already stored as sent the moment it was accepted (`markSent`).
                sent.insert(ObjectIdentifier(message))
                outcome.sent += 1
                continue
            }
            message.attempts += 1
            message.claimedUntil = nil
            message.lastError = String(error.description.prefix(500))
            if error.permanent || message.attempts > retryPauses.count {
                message.status = .failed
                outcome.failed += 1
            } else {
                message.nextAttemptAt = now.addingTimeInterval(retryPauses[message.attempts - 1])
                outcome.retrying += 1
            }
        }
        let unsent = claimed.filter { !sent.contains(ObjectIdentifier($0)) }
        try await db.writeTransaction { tx in
            for message in unsent { try await message.save(on: tx) }
        }
        if outcome.sent + outcome.failed + outcome.retrying > 0 {
            logger.info("mail delivery: \(outcome.sent) sent, \(outcome.retrying) to retry, \(outcome.failed) failed")
        }
        return outcome
    }

    private static func senderNames(for organizations: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        let orgs = try await Organization.query(on: db).filter(\.$id ~~ organizations).all()
        return Dictionary(uniqueKeysWithValues: orgs.map { ($0.id!, $0.name) })
    }

    // MARK: Reading

    struct Summary: Sendable, Equatable {
        var queued = 0
        var sent = 0
        var failed = 0
        /// Notifications waiting for their person's daily digest.
        var digest = 0
    }

    /// How an organization's mail stands: one grouped count.
    static func summary(of organization: UUID, on db: any Database) async throws -> Summary {
        guard let sql = db as? any SQLDatabase else { return Summary() }
        struct Row: Decodable {
            var status: String
            var n: Int
        }
        let rows = try await sql.select().column("status").column(
            SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n"))
        )
        .from(OutboxMessage.schema).where("organization_id", .equal, organization).groupBy("status").all(decoding: Row.self)
        let counts = Dictionary(rows.map { ($0.status, $0.n) }, uniquingKeysWith: +)
        return Summary(
            queued: counts[OutboxStatus.queued.rawValue] ?? 0, sent: counts[OutboxStatus.sent.rawValue] ?? 0,
            failed: counts[OutboxStatus.failed.rawValue] ?? 0, digest: counts[OutboxStatus.digest.rawValue] ?? 0)
    }

    /// The latest messages an organization sent or is sending, newest first.
    static func recent(of organization: UUID, limit: Int = 20, on db: any Database) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: db).filter(\.$organization.$id == organization).sort(\.$createdAt, .descending)
            .limit(limit).all()
    }

    /// Puts failed messages back in the queue (after the address or the mail server was fixed).
    static func retryFailed(of organization: UUID, now: Date = Date(), on db: any Database) async throws -> Int {
        let failed = try await OutboxMessage.query(on: db).filter(\.$organization.$id == organization).filter(\.$status == .failed).all()
        for message in failed {
            message.status = .queued
            message.attempts = 0
            message.nextAttemptAt = now
        }
        try await db.writeTransaction { tx in for message in failed { try await message.save(on: tx) } }
        return failed.count
    }
}
