import BonafideCore
import Fluent
import Foundation
import SQLKit

enum Messages {
    struct Draft: Sendable {
        var body: String
        var needsResponse = false
        var threadID: UUID?
        var subject: String?
    }

    /// Posts a message. A message from one side answers the other side's open requests in that thread.
    static func post(_ d: Draft, in p: Partnership, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Message {
        try Policy.requireActive(p)
        let body = d.body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...10_000).contains(body.length) else { throw Problem.invalid("body", "A message must have 1 to 10000 characters.") }
        let thread: MessageThread
        let toneAnalysed: Bool
        // Whether the post may answer requests: a new thread has none. See `answerOpenRequests`.
        let mayAnswer: Bool
        if let threadID = d.threadID {
            // The thread, whether either side has its tone analysed, and whether the other side has open requests in
            // it, in one plain read before the writer's turn. On SQLite the update inside costs no round trip, and the
            // one writer makes it see every request stored before the post's turn: it always runs there.
            let onSQLite = try db.sql().dialect.name == "sqlite"
            let openRequestsColumn: SQLQueryString =
                onSQLite
                ? "1"
                : """
                CASE WHEN EXISTS (\(openRequests(in: threadID, of: p.id!, from: actor.organizationID, at: now, select: "SELECT 1")))
                THEN 1 ELSE 0 END
                """
            guard
                let row = try await db.sql().raw(
                    """
                    SELECT t.*, \(MessageTone.analysedColumn(in: p)) AS tone_analysed, \(openRequestsColumn) AS open_requests
                    FROM message_threads t WHERE t.id = \(bind: threadID) AND t.partnership_id = \(bind: p.id!)
                    """
                ).first()
            else { throw unknownThread }
            thread = try MessageThread.load(from: RowOutput(row: row))
            toneAnalysed = try row.decode(column: "tone_analysed", as: Int.self) == 1
            mayAnswer = try row.decode(column: "open_requests", as: Int.self) == 1
        } else {
            toneAnalysed = try await MessageTone.isAnalysed(in: p, on: db)
            mayAnswer = false
            let subject = (d.subject ?? String(body.prefix(60))).trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(subject.length) else { throw Problem.invalid("subject", "The subject must have 1 to 200 characters.") }
            thread = MessageThread()
            thread.$partnership.id = p.id!
            thread.subject = subject
            thread.$createdBy.id = actor.id
            thread.createdAt = now
        }
        let message = Message()
        message.$partnership.id = p.id!
        message.$author.id = actor.id
        message.$organization.id = actor.organizationID
        message.body = body
        message.needsResponse = d.needsResponse
        message.createdAt = now
        if toneAnalysed { MessageTone.score(message) }
        // Who hears of it is not decided by the post: read before the writer's turn (see PartnershipAudience).
        let audience = try await PartnershipAudience.load(of: p, on: db)
        try await db.writeTransaction { tx in
            let threadIsNew = !thread._$idExists
            if threadIsNew {
                thread.lastMessageAt = now
                try await thread.insert(on: tx)
            }
            message.$thread.id = thread.id!
            // The message, its event and notifications, and the thread's time go out with the log entry at the end
            // (`PendingWrites`): nothing here reads them back.
            try await PendingWrites.insert([message], on: tx)
            let answered =
                mayAnswer ? try await answerOpenRequests(in: thread.id!, of: p.id!, from: actor.organizationID, at: now, on: tx) : []
            let ask = d.needsResponse ? " and asks for a response" : ""
            let event = try await Timeline.append(
                p, actor: actor, kind: d.needsResponse ? "message.request" : "message.posted",
                summary: "\(actor.user.name) wrote in “\(thread.subject)”\(ask)"
                    + (answered.isEmpty ? "" : ", answering \(answered.count) open request\(answered.count == 1 ? "" : "s")"),
                extra: [
                    "message": message.id!.uuidString.lowercased(), "thread": thread.id!.uuidString.lowercased(),
                    "bodySha256": LedgerEntry.sha256Hex(body),
                ],
                at: now, audience: audience, on: tx)
            try await Timeline.notify(
                p, side: p.otherSide(of: actor.organizationID), except: actor,
                kind: d.needsResponse ? .messageNeedsAnswer : .messageReceived,
                text: "\(actor.user.name) wrote in “\(thread.subject)”\(ask)", link: SiteURL.thread(p.id, thread.id), detail: body,
                about: "thread:\(thread.id!.uuidString.lowercased())", key: event, at: now, audience: audience, keyIsNew: true, on: tx)
            // At the end: it locks the thread's row, and every post to the thread waits for that lock until this one
            // commits.
            if !threadIsNew { try await moveLastMessage(of: thread, to: now, on: tx) }
        }
        message.$author.value = actor.user
        return message
    }

    private static let unknownThread = Problem.invalid("threadId", "No thread with that id exists in this partnership.")

    /// Moves the thread's last message time to `now` unless a later one is stored, when the work is done
    /// (`PendingWrites`). Posts commit in another order than their `now` (PostgreSQL commits them concurrently;
    /// SQLite's writer takes them in arrival order): an older post committing after a newer one must not move the
    /// thread back down the list, which the time the thread was read before the writer's turn cannot tell.
    private static func moveLastMessage(of thread: MessageThread, to now: Date, on tx: any Database) async throws {
        let id = try thread.requireID()
        try await PendingWrites.write(on: tx) { writes in
            writes.add(
                """
                UPDATE message_threads SET last_message_at = CASE
                  WHEN last_message_at IS NULL OR last_message_at < \(bind: now) THEN \(bind: now) ELSE last_message_at END
                WHERE id = \(bind: id)
                """ as SQLQueryString)
            return {}
        }
    }

    private struct AnsweredRequest: Decodable { var id: UUID }

    /// Marks the other side's open requests in the thread answered, in one statement that names them: the post
    /// runs on SQLite's one writer, where a read and an update per request would each wait their turn. A request
    /// written after the reply (stored first, as posts can commit out of their own order) is not answered by it.
    /// On PostgreSQL it runs only when the read before the transaction found an open request: a statement less for
    /// most posts. A request committed between that read and this update is then left open, as one committed after
    /// this update's snapshot always was (posts on PostgreSQL run at once under read committed).
    /// The partnership narrows it to its open requests by the index on (partnership, needs response, answered, ...):
    /// by the thread alone, which no index leads with, every post read the whole messages table. "Not after" rather
    /// than "at or before" (the same for a message, which always has a time): SQLite's planner took a range on the
    /// time for the index on (partnership, time), which reads every message of the partnership.
    private static func answerOpenRequests(
        in thread: UUID, of partnership: UUID, from organization: UUID, at now: Date, on tx: any Database
    ) async throws -> [AnsweredRequest] {
        try await tx.sql().raw(answeringOpenRequests(in: thread, of: partnership, from: organization, at: now))
            .all(decoding: AnsweredRequest.self)
    }

    /// The statement of `answerOpenRequests` (`QueryPlanTests` reads its plan).
    static func answeringOpenRequests(in thread: UUID, of partnership: UUID, from organization: UUID, at now: Date) -> SQLQueryString {
        "UPDATE messages SET responded_at = \(bind: now) \(openRequests(in: thread, of: partnership, from: organization, at: now)) RETURNING id"
    }

    /// The other side's requests in the thread that a post at `now` answers: the `WHERE` of `answeringOpenRequests`,
    /// or a whole select with `select`.
    private static func openRequests(
        in thread: UUID, of partnership: UUID, from organization: UUID, at now: Date, select: String = ""
    ) -> SQLQueryString {
        """
        \(unsafeRaw: select.isEmpty ? "" : select + " FROM messages ")\
        WHERE partnership_id = \(bind: partnership) AND needs_response = \(bind: true) AND responded_at IS NULL
          AND thread_id = \(bind: thread)
          AND organization_id <> \(bind: organization) AND NOT (created_at > \(bind: now))
        """
    }

    /// The questions an organization's partners asked it since `since` (messages of its partnerships, on either side,
    /// written by the other side and asking for an answer), as `asked_at` and `answered_at` (nil while open): what its
    /// answer-time badge and the check of its promised response time judge. A select to run alone or in a union.
    static func questionsFromPartners(to organization: UUID, since: Date) -> SQLQueryString {
        """
        SELECT created_at AS asked_at, responded_at AS answered_at FROM messages
        WHERE partnership_id IN (
                SELECT id FROM partnerships WHERE organization_id = \(bind: organization) OR partner_organization_id = \(bind: organization))
          AND organization_id <> \(bind: organization) AND needs_response = \(bind: true) AND created_at >= \(bind: since)
        """
    }

    static func threads(of p: Partnership, on db: any Database) async throws -> [MessageThread] {
        try await MessageThread.query(on: db).filter(\.$partnership.$id == p.id!).sort(\.$lastMessageAt, .descending).all()
    }

    static func messages(of p: Partnership, thread: UUID?, on db: any Database) async throws -> [Message] {
        var query = Message.query(on: db).filter(\.$partnership.$id == p.id!).with(\.$author)
        if let thread { query = query.filter(\.$thread.$id == thread) }
        return try await query.sort(\.$createdAt).limit(2000).all()
    }

    /// How many requests wait for an answer in each partnership (either side's), in one query for all of them: only
    /// the partnership of each open request is read.
    static func openRequestCounts(of partnershipIDs: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard !partnershipIDs.isEmpty else { return [:] }
        let open = try await Message.query(on: db).filter(\.$partnership.$id ~~ partnershipIDs)
            .filter(\.$needsResponse == true).filter(\.$respondedAt == nil).all(\.$partnership.$id)
        return open.reduce(into: [UUID: Int]()) { counts, id in counts[id, default: 0] += 1 }
    }

    struct ResponseTime: Sendable {
        var organization: Organization
        var medianSeconds: Double?
        var answered: Int
        var open: Int
    }

    /// Every request of the partnership (a message that needs an answer), answered or not.
    static func requests(of p: Partnership, on db: any Database) async throws -> [Message] {
        try await Message.query(on: db).filter(\.$partnership.$id == p.id!).filter(\.$needsResponse == true).all()
    }

    /// For each side: how long it took to answer the other side's requests. `requests`, when the caller has them
    /// (`requests(of:on:)`), saves reading them again.
    static func responseTimes(
        of p: Partnership, sides knownSides: [UUID: Organization]? = nil, requests knownRequests: [Message]? = nil, on db: any Database
    ) async throws -> [ResponseTime] {
        let requests: [Message]
        if let knownRequests { requests = knownRequests } else { requests = try await Self.requests(of: p, on: db) }
        let sides = try await Partnerships.sides(of: p, given: knownSides, on: db)
        var result: [ResponseTime] = []
        for orgID in [p.$organization.id, p.$partner.id].compactMap({ $0 }) {
            guard let org = sides[orgID] else { continue }
            let addressed = requests.filter { $0.$organization.id != orgID }
            let durations = addressed.compactMap { m in m.respondedAt.map { $0.timeIntervalSince(m.createdAt) } }
            result.append(
                ResponseTime(
                    organization: org, medianSeconds: ResponseStatistics.median(durations),
                    answered: durations.count, open: addressed.count - durations.count))
        }
        return result
    }
}

/// The tone of partnership messages, analysed only when an organization opts in, and shown only to the
/// organizations that did: a partner who has not opted in never sees scores of its own or anyone's messages.
enum MessageTone {
    static let backfillLimit = 20_000

    static func isAnalysed(in p: Partnership, on db: any Database) async throws -> Bool {
        guard let row = try await db.sql().raw("SELECT \(analysedColumn(in: p)) AS tone_analysed").first() else { return false }
        return try row.decode(column: "tone_analysed", as: Int.self) == 1
    }

    /// `isAnalysed` as a column (1 or 0) of another statement, so a post in a thread reads it with the thread.
    static func analysedColumn(in p: Partnership) -> SQLQueryString {
        let sides = [p.$organization.id, p.$partner.id].compactMap { $0 }
        return """
            CASE WHEN EXISTS (
              SELECT 1 FROM organizations o WHERE o.id IN \(SQLBind.group(sides)) AND o.message_sentiment = \(bind: true)
            ) THEN 1 ELSE 0 END
            """
    }

    /// The one column, read as it is: `Organization.find` decoded the whole organization by reflection for it.
    static func isShown(to actor: Actor, on db: any Database) async throws -> Bool {
        try await db.sql().raw("SELECT message_sentiment FROM organizations WHERE id = \(bind: actor.organizationID)")
            .first()?.decode(column: "message_sentiment", as: Bool.self) ?? false
    }

    static func score(_ m: Message) {
        let s = SentimentAnalyzer.shared.analyze(m.body)
        m.sentiment = s.score
        m.sentimentDriversJSON = StoredDrivers.json(s.drivers)
    }

    /// Scores the messages of an organization's partnerships that were written before it opted in (newest first).
    static func backfill(for organization: UUID, on db: any Database) async throws {
        let partnerships = try await Partnership.query(on: db)
            .group(.or) { $0.filter(\.$organization.$id == organization).filter(\.$partner.$id == organization) }.all()
        guard !partnerships.isEmpty else { return }
        let unscored = try await Message.query(on: db).filter(\.$partnership.$id ~~ partnerships.compactMap(\.id))
            .filter(\.$sentiment == nil).sort(\.$createdAt, .descending).limit(backfillLimit).all()
        try await db.writeTransaction { tx in
            for m in unscored {
                score(m)
                try await m.save(on: tx)
            }
        }
    }

    /// The mean tone of what the other side wrote in the last 30 days, and the 30 days before.
    static func partnerTone(in p: Partnership, for actor: Actor, now: Date = Date(), on db: any Database) async throws
        -> (recent: MeanEstimate, before: MeanEstimate)
    {
        let id = try p.requireID()
        let since = now.addingTimeInterval(-60 * 86_400)
        // The two columns read as they are, in the order the query builder's read gave them (no ORDER BY, the same
        // WHERE, so the same plan): the page read them as partial `Message` models, each through reflection.
        let rows = try await db.sql().raw(
            """
            SELECT created_at, sentiment FROM messages
            WHERE partnership_id = \(bind: id) AND organization_id <> \(bind: actor.organizationID)
              AND created_at >= \(bind: since) AND sentiment IS NOT NULL
            """
        ).all()
        let scored = try rows.map { row in
            (
                createdAt: try row.decode(column: "created_at", as: Date.self),
                sentiment: try row.decode(column: "sentiment", as: Double.self)
            )
        }
        let cut = now.addingTimeInterval(-30 * 86_400)
        return (
            MeanEstimate(scored.filter { $0.createdAt >= cut }.map(\.sentiment)),
            MeanEstimate(scored.filter { $0.createdAt < cut }.map(\.sentiment))
        )
    }
}
