import BonafideCore
import Fluent
import Foundation

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
        if let threadID = d.threadID {
            guard
                let t = try await MessageThread.query(on: db).filter(\.$id == threadID)
                    .filter(\.$partnership.$id == p.id!).first()
            else { throw Problem.invalid("threadId", "No thread with that id exists in this partnership.") }
            thread = t
        } else {
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
        if try await MessageTone.isAnalysed(in: p, on: db) { MessageTone.score(message) }
        try await db.writeTransaction { tx in
            thread.lastMessageAt = now
            try await thread.save(on: tx)
            message.$thread.id = thread.id!
            try await message.save(on: tx)
            let answered = try await Message.query(on: tx).filter(\.$thread.$id == thread.id!)
                .filter(\.$needsResponse == true).filter(\.$respondedAt == nil)
                .filter(\.$organization.$id != actor.organizationID).all()
            for request in answered {
                request.respondedAt = now
                try await request.save(on: tx)
            }
            let ask = d.needsResponse ? " and asks for a response" : ""
            let event = try await Timeline.append(
                p, actor: actor, kind: d.needsResponse ? "message.request" : "message.posted",
                summary: "\(actor.user.name) wrote in “\(thread.subject)”\(ask)"
                    + (answered.isEmpty ? "" : ", answering \(answered.count) open request\(answered.count == 1 ? "" : "s")"),
                extra: [
                    "message": message.id!.uuidString.lowercased(), "thread": thread.id!.uuidString.lowercased(),
                    "bodySha256": LedgerEntry.sha256Hex(body),
                ],
                at: now, on: tx)
            try await Timeline.notify(
                p, side: p.otherSide(of: actor.organizationID), except: actor,
                kind: d.needsResponse ? .messageNeedsAnswer : .messageReceived,
                text: "\(actor.user.name) wrote in “\(thread.subject)”\(ask)", link: SiteURL.thread(p.id, thread.id), detail: body,
                about: "thread:\(thread.id!.uuidString.lowercased())", key: event, at: now, on: tx)
        }
        message.$author.value = actor.user
        return message
    }

    static func threads(of p: Partnership, on db: any Database) async throws -> [MessageThread] {
        try await MessageThread.query(on: db).filter(\.$partnership.$id == p.id!).sort(\.$lastMessageAt, .descending).all()
    }

    static func messages(of p: Partnership, thread: UUID?, on db: any Database) async throws -> [Message] {
        var query = Message.query(on: db).filter(\.$partnership.$id == p.id!).with(\.$author)
        if let thread { query = query.filter(\.$thread.$id == thread) }
        return try await query.sort(\.$createdAt).limit(2000).all()
    }

    /// The open requests of these partnerships with their authors and threads, in one query (joins, not two eager
    /// loads): the inbox lists them on every visit.
    static func openRequests(of partnershipIDs: [UUID], on db: any Database) async throws -> [Message] {
        guard !partnershipIDs.isEmpty else { return [] }
        let requests = try await Message.query(on: db)
            .join(User.self, on: \Message.$author.$id == \User.$id).join(MessageThread.self, on: \Message.$thread.$id == \MessageThread.$id)
            .filter(\.$partnership.$id ~~ partnershipIDs).filter(\.$needsResponse == true).filter(\.$respondedAt == nil)
            .sort(\.$createdAt).all()
        for m in requests {
            m.$author.value = try m.joined(User.self)
            m.$thread.value = try m.joined(MessageThread.self)
        }
        return requests
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
        let sides = [p.$organization.id, p.$partner.id].compactMap { $0 }
        return try await Organization.query(on: db).filter(\.$id ~~ sides).filter(\.$messageSentiment == true).count() > 0
    }

    static func isShown(to actor: Actor, on db: any Database) async throws -> Bool {
        try await Organization.find(actor.organizationID, on: db)?.messageSentiment ?? false
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
        let since = now.addingTimeInterval(-60 * 86_400)
        let messages = try await Message.query(on: db).filter(\.$partnership.$id == p.id!)
            .filter(\.$organization.$id != actor.organizationID).filter(\.$createdAt >= since).filter(\.$sentiment != nil)
            .field(\.$createdAt).field(\.$sentiment).all()
        let cut = now.addingTimeInterval(-30 * 86_400)
        return (
            MeanEstimate(messages.filter { $0.createdAt >= cut }.compactMap(\.sentiment)),
            MeanEstimate(messages.filter { $0.createdAt < cut }.compactMap(\.sentiment))
        )
    }
}

enum Notifications {
    /// A page of the person's notifications, newest first (all, or only the unread), and how many are unread.
    static func list(for actor: Actor, unreadOnly: Bool = false, limit: Int = 100, offset: Int = 0, on db: any Database) async throws
        -> (unread: Int, items: [Notification])
    {
        let unread = try await Notification.query(on: db).filter(\.$user.$id == actor.id).filter(\.$readAt == nil).count()
        let query = Notification.query(on: db).filter(\.$user.$id == actor.id)
        if unreadOnly { query.filter(\.$readAt == nil) }
        let items = try await query.sort(\.$createdAt, .descending).sort(\.$id).range(offset..<(offset + limit)).all()
        return (unread, items)
    }

    /// Opens one of the person's notifications: marked read, its link returned; another person's is not found.
    static func open(_ id: UUID?, for actor: Actor, now: Date = Date(), on db: any Database) async throws -> String {
        guard let id, let n = try await Notification.query(on: db).filter(\.$id == id).filter(\.$user.$id == actor.id).first() else {
            throw Problem.notFound("notification")
        }
        if n.readAt == nil {
            n.readAt = now
            try await n.save(on: db)
        }
        return n.link
    }

    static func unreadCount(for actor: Actor, on db: any Database) async throws -> Int {
        try await Notification.query(on: db).filter(\.$user.$id == actor.id).filter(\.$readAt == nil).count()
    }

    static func markAllRead(for actor: Actor, now: Date = Date(), on db: any Database) async throws {
        try await Notification.query(on: db).filter(\.$user.$id == actor.id).filter(\.$readAt == nil)
            .set(\.$readAt, to: now).update()
    }
}

/// What needs a person's attention across all their partnerships.
struct DashboardData: Sendable {
    /// Something only the person's side can move: a proposal to accept or decline, a delivery to judge, a new date
    /// to answer, an incident to acknowledge or a fix to accept.
    struct Waiting: Sendable {
        var what: String
        var title: String
        var partnershipID: UUID
        var link: String
        var since: Date
        /// The one step that needs no words and undoes nothing, offered right in the list; anything else is done on
        /// the item's own page.
        var quick: QuickAction? = nil
    }

    struct QuickAction: Sendable, Equatable {
        var label: String
        var url: String
        var action: String
    }

    static let quickLabels: [CommitmentAction: String] = [
        .accept: "Accept", .approveDelivery: "Accept delivery", .acceptNewDate: "Accept new date",
    ]

    var waiting: [Waiting]
    var waitingCommitments: Set<UUID>
    var partnerships: [PartnershipListRow]
    var dueSoonMine: [Commitment]
    var dueSoonOwed: [Commitment]
    var openRequests: [Message]
    var slipped: [Commitment]

    /// What the page lists under "owed to your side": not what already waits for the person above it.
    var owedNotWaiting: [Commitment] { dueSoonOwed.filter { !waitingCommitments.contains($0.id!) } }
    /// What slipped that no list above shows: each item once on the page.
    var slippedNotListed: [Commitment] {
        let listed = waitingCommitments.union((dueSoonMine + dueSoonOwed).compactMap(\.id))
        return slipped.filter { !listed.contains($0.id!) }
    }

    static func load(for actor: Actor, now: Date = Date(), on db: any Database) async throws -> DashboardData {
        let partnerships = try await Policy.visiblePartnershipRows(for: actor, on: db)
        let ids = partnerships.map(\.id)
        var mine: [Commitment] = []
        var owed: [Commitment] = []
        var slipped: [Commitment] = []
        var waiting: [Waiting] = []
        var waitingCommitments = Set<UUID>()
        if !ids.isEmpty {
            let closed: [CommitmentStatus] = [.completed, .declined, .withdrawn]
            let horizon = now.addingTimeInterval(14 * 86_400)
            // The four lists of commitments below (what waits for this side, new wording to agree to, what is due soon,
            // what slipped) from one query for any of them, each then taken out by its own condition: four queries
            // were a third of the page's.
            let candidates = try await withOwners(
                Commitment.query(on: db).filter(\.$partnership.$id ~~ ids)
                    .group(.or) { either in
                        either.group(.and) { toMove in
                            toMove.filter(\.$recipientOrganization.$id == actor.organizationID)
                            toMove.group(.or) { $0.filter(\.$status ~~ [.proposed, .delivered]).filter(\.$proposedDueAt != nil) }
                            toMove.filter(\.$status !~ closed)
                        }
                        either.group(.and) { $0.filter(\.$status == .accepted).filter(\.$pendingChangeSideName != nil) }
                        either.group(.and) { $0.filter(\.$status ~~ [.proposed, .accepted]).filter(\.$dueAt <= horizon) }
                        either.group(.and) { slipping in
                            slipping.group(.or) {
                                $0.filter(\.$status == .missed).filter(\.$atRisk == true).filter(\.$proposedDueAt != nil)
                            }
                            slipping.filter(\.$status !~ closed)
                        }
                    }
                    .sort(\.$dueAt))
            let mineToMove = candidates.filter { c in
                c.$recipientOrganization.id == actor.organizationID
                    && ([.proposed, .delivered].contains(c.status) || c.proposedDueAt != nil) && !closed.contains(c.status)
            }
            for c in mineToMove {
                let what =
                    c.status == .proposed
                    ? "Accept or decline" : c.status == .delivered ? "Accept the delivery or send it back" : "Answer the new date"
                let step: CommitmentAction =
                    c.status == .proposed ? .accept : c.status == .delivered ? .approveDelivery : .acceptNewDate
                let allowed = CommitmentLifecycle.allowedActions(in: c.state, by: .recipient, at: now).contains(step)
                let url = SiteURL.commitmentTransitions(c.$partnership.id, c.id)
                waiting.append(
                    .init(
                        what: what, title: c.title, partnershipID: c.$partnership.id, link: SiteURL.commitment(c.$partnership.id, c.id),
                        since: c.status == .delivered ? (c.deliveredAt ?? c.createdAt) : c.createdAt,
                        quick: allowed ? QuickAction(label: Self.quickLabels[step] ?? "", url: url, action: step.rawValue) : nil))
            }
            let incidents = try await Incident.query(on: db).filter(\.$partnership.$id ~~ ids)
                .group(.or) {
                    $0.group(.and) { $0.filter(\.$responsible.$id == actor.organizationID).filter(\.$status == .open) }
                        .group(.and) { $0.filter(\.$affected.$id == actor.organizationID).filter(\.$status == .resolved) }
                }.all()
            for i in incidents {
                let acknowledge =
                    i.$responsible.id == actor.organizationID
                    && IncidentLifecycle.allowedActions(in: i.state, by: .responsible, at: now).contains(.acknowledge)
                waiting.append(
                    .init(
                        what: i.status == .open ? "Acknowledge the incident" : "Accept the fix or reopen", title: i.title,
                        partnershipID: i.$partnership.id, link: SiteURL.incident(i.$partnership.id, i.id),
                        since: i.status == .open ? i.raisedAt : (i.resolvedAt ?? i.raisedAt),
                        quick: acknowledge
                            ? QuickAction(
                                label: "Acknowledge", url: SiteURL.incidentTransitions(i.$partnership.id, i.id), action: "acknowledge")
                            : nil))
            }
            // New wording the other side proposed for accepted work waits for this side's agreement.
            let changes = candidates.filter { $0.status == .accepted && $0.pendingChangeSideName != nil }
                .filter { $0.pendingChangeSide != nil && $0.pendingChangeSide != Policy.side(of: actor, in: $0) }
            for c in changes {
                waiting.append(
                    .init(
                        what: "Agree to new wording or keep it", title: c.title, partnershipID: c.$partnership.id,
                        link: SiteURL.commitment(c.$partnership.id, c.id), since: c.pendingChangeAt ?? c.createdAt))
            }
            waiting.sort { $0.since < $1.since }
            let open = candidates.filter { [.proposed, .accepted].contains($0.status) && $0.dueAt <= horizon }
            waitingCommitments = Set((mineToMove + changes).compactMap(\.id))
            mine = open.filter { $0.$ownerOrganization.id == actor.organizationID }
            owed = open.filter { $0.$recipientOrganization.id == actor.organizationID }
            slipped = candidates.filter { c in
                (c.status == .missed || c.atRisk || c.proposedDueAt != nil) && !closed.contains(c.status)
            }
        }
        let requests = try await Messages.openRequests(of: ids, on: db)
            .filter { $0.$organization.id != actor.organizationID }
        // The unread count is not read here: the page's frame reads it anyway, and the API asks for it itself.
        return DashboardData(
            waiting: waiting, waitingCommitments: waitingCommitments, partnerships: partnerships, dueSoonMine: mine, dueSoonOwed: owed,
            openRequests: requests, slipped: slipped)
    }

    /// What the query finds with each commitment's owner, joined in the same query instead of an eager load's second.
    private static func withOwners(_ query: QueryBuilder<Commitment>) async throws -> [Commitment] {
        let found = try await query.join(User.self, on: \Commitment.$owner.$id == \User.$id).all()
        for c in found { c.$owner.value = try c.joined(User.self) }
        return found
    }
}
