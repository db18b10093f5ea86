import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Support requests: the people of an organization a provider serves (a partner, present or past, or one it placed
/// in its circles from connected up) ask it for help, and its people answer in a private thread. The first answer is
/// due by the provider's promise: the response time its profile names, else one working day, counted in its own
/// working week (urgent ones within 4 working hours). Answered in time it counts for the provider's reliability in the
/// requester's eyes, late against it like a promise kept late, never answered like a promise missed; the provider's
/// median answer and resolution times are figures on its profile for the organizations it serves.
enum Support {
    static let maxSubject = 200
    static let maxBody = 4_000
    static let figuresWindow: TimeInterval = 90 * 86_400
    /// What an organization promises when its profile names no response time.
    static let defaultPromise = ResponseTime.workingDays(1)
    static let urgentPromise = ResponseTime.workingHours(4)

    /// One message of a request's thread.
    struct Reply: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var authorName: String?
        var body: String
        var createdAt: Date
    }

    struct Entry: Sendable {
        var id: UUID
        var providerID: UUID
        var providerName: String
        var requesterID: UUID
        var requesterName: String
        /// Who opened it, while that account exists.
        var requesterPerson: String?
        var partnershipID: UUID?
        var subject: String
        var body: String
        var priority: SupportPriority
        var status: SupportStatus
        /// "1 working day": what the first answer was promised within.
        var promise: String
        var createdAt: Date
        var dueAt: Date
        var firstResponseAt: Date?
        var resolvedAt: Date?
        var late: Bool
        /// The thread, oldest first; empty in lists.
        var replies: [Reply]
    }

    /// A provider's answering over the last 90 days.
    struct Figures: Sendable, Equatable {
        var requests: Int
        var answered: Int
        /// Median time to the first answer; a request still unanswered counts as waiting until now.
        var medianFirstResponse: TimeInterval?
        /// Median time from opening to resolution, over the resolved ones.
        var medianResolution: TimeInterval?
        /// Of the requests whose answer is due by now, the share answered within their promise; nil while none is due.
        var withinPromise: Double?
        /// What it promises today for a normal request.
        var promise: String
    }

    /// "Answers support requests in 3 h (median, 90 days, 14 requests); 93% within its promise of 1 working day;
    /// resolves in 2 days."
    static func summary(_ f: Figures) -> String {
        guard f.requests > 0, let first = f.medianFirstResponse else {
            return "No support requests in the last 90 days; it promises a first answer within \(f.promise)."
        }
        var parts = [
            "Answers support requests in \(Recognition.duration(first)) (median, 90 days, \(f.requests) request\(f.requests == 1 ? "" : "s"))"
        ]
        if let share = f.withinPromise {
            parts.append("\(Int((share * 100).rounded()))% within its promise of \(f.promise)")
        } else {
            parts.append("promises a first answer within \(f.promise)")
        }
        if let resolution = f.medianResolution { parts.append("resolves in \(Recognition.duration(resolution))") }
        return parts.joined(separator: "; ") + "."
    }

    enum Side: String, Sendable {
        case provider, requester
    }

    // MARK: Who may ask

    /// Whether the person's organization is one the provider serves: a partner, present or past, or in one of its
    /// circles from connected up (following grants nothing). Asked of `Access`, with the provider's support as a thing
    /// shared with either audience.
    static func isCustomer(_ actor: Actor, of provider: UUID, on db: any Database) async throws -> Bool {
        guard provider != actor.organizationID else { return false }
        return try await mayReadFigures(actor, of: provider, on: db)
    }

    /// The provider's own people and those of the organizations it serves see its support figures.
    static func mayReadFigures(_ actor: Actor, of provider: UUID, on db: any Database) async throws -> Bool {
        let decisions = try await Access.check(
            .person(actor), "reader",
            [
                .shared(organization: provider, name: "support-figures", audience: .partners),
                .shared(organization: provider, name: "support-figures", audience: .connected),
            ], on: db)
        return decisions.contains { $0.allowed }
    }

    /// The organizations the person's organization may open a request with, by name.
    static func providers(for actor: Actor, on db: any Database) async throws -> [(id: UUID, name: String)] {
        let own = actor.organizationID
        let partnerships = try await Partnership.query(on: db).filter(\.$status ~~ [.active, .ended])
            .group(.or) { $0.filter(\.$organization.$id == own).filter(\.$partner.$id == own) }.all()
        let placements = try await CirclePlacement.query(on: db).filter(\.$member.$id == own).filter(\.$circle != .follow).all()
        let candidates = Set(partnerships.compactMap { $0.otherSide(of: own) } + placements.map { $0.$organization.id }).subtracting([own])
        guard !candidates.isEmpty else { return [] }
        var out: [(id: UUID, name: String)] = []
        for org in try await Organization.query(on: db).filter(\.$id ~~ Array(candidates)).all() {
            // The candidates are read the way Access reads relations; Access still decides each one.
            if try await isCustomer(actor, of: org.id!, on: db) { out.append((org.id!, org.name)) }
        }
        return out.sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
    }

    // MARK: Opening, answering, resolving

    static func open(
        with provider: UUID?, subject rawSubject: String, body rawBody: String, priority rawPriority: String? = nil,
        partnership: UUID? = nil, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> Entry {
        // One answer for an unknown organization and one that does not serve the asker: neither says which it is.
        let closed = Problem(.notFound, "No organization with that id takes support requests from yours.")
        guard let provider, let org = try await Organization.find(provider, on: db) else { throw closed }
        guard provider != actor.organizationID else {
            throw Problem(.unprocessableEntity, "Support requests go to another organization: yours cannot open one with itself.")
        }
        guard try await isCustomer(actor, of: provider, on: db) else { throw closed }
        let subject = rawSubject.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxSubject).contains(subject.length) else {
            throw Problem.invalid("subject", "A subject has 1 to \(maxSubject) characters.")
        }
        guard (1...maxBody).contains(body.length) else {
            throw Problem.invalid("body", "Describe what you need in 1 to \(maxBody) characters.")
        }
        guard let priority = SupportPriority(rawValue: rawPriority ?? SupportPriority.normal.rawValue) else {
            throw Problem.invalid("priority", "The priority is normal or urgent.")
        }
        if let partnership {
            let p = try await Policy.partnership(partnership, for: actor, on: db)
            guard p.otherSide(of: actor.organizationID) == provider else {
                throw Problem.invalid("partnershipId", "The partnership must be one between your organization and \(org.name).")
            }
        }
        let (promise, due) = try await deadline(of: org, priority: priority, from: now, on: db)
        return try await db.writeTransaction { tx in
            // A new row conflicts with nothing: no lock to take.
            let r = SupportRequest()
            r.$provider.id = provider
            r.$requester.id = actor.organizationID
            r.$requesterUser.id = actor.id
            r.$partnership.id = partnership
            r.subject = subject
            r.body = body
            r.priority = priority
            r.status = .open
            r.promise = promise
            r.createdAt = now
            r.dueAt = due
            r.late = false
            try await r.save(on: tx)
            let names = try await names(of: [provider, actor.organizationID], on: tx)
            let asker = names[actor.organizationID] ?? "A customer"
            try await tell(
                try await Accounts.managers(of: provider, on: tx),
                "\(asker) asks for support\(priority == .urgent ? " (urgent)" : ""): \(subject)", r, event: "opened",
                detail: "Your promise: a first answer within \(promise), by \(Notifier.dueText(due, zone: org.timeZone)).\n\n\(body)",
                at: now, on: tx)
            try await TrustService.enqueue(viewer: actor.organizationID, subject: provider, at: now, on: tx)
            return entry(r, names: names, people: [actor.id: actor.user.name], replies: [])
        }
    }

    /// A message in the thread. The provider's first one is the first answer, late when it comes after the promise;
    /// a provider's message marks the request answered, the requester's opens it again for the provider.
    static func reply(to id: UUID?, body rawBody: String, by actor: Actor, at now: Date = Date(), on db: any Database) async throws
        -> Entry
    {
        guard let id else { throw Problem.notFound("support request") }
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxBody).contains(body.length) else { throw Problem.invalid("body", "A reply has 1 to \(maxBody) characters.") }
        return try await db.writeTransaction { tx in
            guard let r = try await tx.lockedRow(SupportRequest.self, id), isSide(r, actor) else {
                throw Problem.notFound("support request")
            }
            let fromProvider = actor.organizationID == r.$provider.id
            guard r.status != .resolved else {
                throw Problem(
                    .conflict,
                    fromProvider
                        ? "This request is resolved; the organization that asked can reopen it."
                        : "This request is resolved; reopen it to write again.")
            }
            let message = SupportMessage()
            message.$request.id = id
            message.$organization.id = actor.organizationID
            message.$author.id = actor.id
            message.body = body
            message.createdAt = now
            try await message.save(on: tx)
            var firstAnswer = false
            if fromProvider {
                if r.firstResponseAt == nil {
                    firstAnswer = true
                    r.firstResponseAt = now
                    r.$firstResponseBy.id = actor.id
                    // The sweep may already have marked it late; that stays.
                    if now > r.dueAt { r.late = true }
                }
                r.status = .answered
            } else {
                r.status = .open
            }
            try await r.save(on: tx)
            let names = try await names(of: [r.$provider.id, r.$requester.id], on: tx)
            let other = fromProvider ? r.$requester.id : r.$provider.id
            try await tell(
                try await contacts(of: other, in: r, on: tx),
                "\(names[actor.organizationID] ?? "The other side") \(fromProvider ? "answered" : "wrote in") your support request: \(r.subject)",
                r, event: "message:\(Access.key(message.id!))", detail: body, at: now, on: tx)
            if firstAnswer { try await TrustService.enqueue(viewer: r.$requester.id, subject: r.$provider.id, at: now, on: tx) }
            return try await entries([r], replies: true, on: tx)[0]
        }
    }

    /// Either side marks it resolved; only the requester reopens it. The provider resolving an unanswered request has
    /// answered it by doing so.
    static func resolve(_ id: UUID?, reopen: Bool = false, by actor: Actor, at now: Date = Date(), on db: any Database) async throws
        -> Entry
    {
        guard let id else { throw Problem.notFound("support request") }
        return try await db.writeTransaction { tx in
            guard let r = try await tx.lockedRow(SupportRequest.self, id), isSide(r, actor) else {
                throw Problem.notFound("support request")
            }
            let fromProvider = actor.organizationID == r.$provider.id
            if reopen {
                guard !fromProvider else { throw Problem(.forbidden, "Only the organization that asked can reopen a request.") }
                guard r.status == .resolved else { throw Problem(.conflict, "This request is not resolved.") }
                r.status = .open
                r.resolvedAt = nil
            } else {
                guard r.status != .resolved else { throw Problem(.conflict, "This request is already resolved.") }
                if fromProvider, r.firstResponseAt == nil {
                    r.firstResponseAt = now
                    r.$firstResponseBy.id = actor.id
                }
                // Settled after its promise without an answer in time: late, whoever settled it.
                if (r.firstResponseAt ?? now) > r.dueAt { r.late = true }
                r.status = .resolved
                r.resolvedAt = now
            }
            try await r.save(on: tx)
            let names = try await names(of: [r.$provider.id, r.$requester.id], on: tx)
            let other = fromProvider ? r.$requester.id : r.$provider.id
            let event = reopen ? "reopened" : "resolved"
            try await tell(
                try await contacts(of: other, in: r, on: tx),
                "\(names[actor.organizationID] ?? "The other side") \(event) the support request: \(r.subject)", r,
                event: "\(event):\(Int(now.timeIntervalSince1970))", detail: nil, at: now, on: tx)
            try await TrustService.enqueue(viewer: r.$requester.id, subject: r.$provider.id, at: now, on: tx)
            return try await entries([r], replies: true, on: tx)[0]
        }
    }

    // MARK: Reading

    /// The requests of the person's organization, to it (provider), from it (requester) or both, newest first.
    static func list(for actor: Actor, role: Side? = nil, on db: any Database) async throws -> [Entry] {
        let own = actor.organizationID
        let query = SupportRequest.query(on: db)
        switch role {
        case .provider?: query.filter(\.$provider.$id == own)
        case .requester?: query.filter(\.$requester.$id == own)
        case nil: query.group(.or) { $0.filter(\.$provider.$id == own).filter(\.$requester.$id == own) }
        }
        return try await entries(query.sort(\.$createdAt, .descending).limit(200).all(), replies: false, on: db)
    }

    /// One request with its thread: to the people of its two organizations; anyone else is told it does not exist.
    static func find(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> Entry {
        guard let id, let r = try await SupportRequest.find(id, on: db), isSide(r, actor) else { throw Problem.notFound("support request") }
        return try await entries([r], replies: true, on: db)[0]
    }

    /// The provider's figures for someone who may read them (its people, its partners and circles); 404 otherwise.
    static func figures(of provider: UUID?, for actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Figures {
        guard let provider, try await Organization.find(provider, on: db) != nil,
            try await mayReadFigures(actor, of: provider, on: db)
        else { throw Problem.notFound("organization") }
        return try await figures(of: provider, at: now, on: db)
    }

    /// Requests to the provider opened in the last 90 days. A request its requester settled before any answer says
    /// nothing about answering and is left out.
    static func figures(of provider: UUID, at now: Date = Date(), on db: any Database) async throws -> Figures {
        guard let org = try await Organization.find(provider, on: db) else { throw Problem.notFound("organization") }
        let rows = try await SupportRequest.query(on: db).filter(\.$provider.$id == provider)
            .filter(\.$createdAt >= now.addingTimeInterval(-figuresWindow)).all()
        let counted = rows.filter { $0.firstResponseAt != nil || $0.status != .resolved }
        let answered = counted.filter { $0.firstResponseAt != nil }
        let due = counted.filter { $0.firstResponseAt != nil || $0.late || $0.dueAt <= now }
        let kept = due.filter { $0.firstResponseAt != nil && !$0.late }
        let promise = try await deadline(of: org, priority: .normal, from: now, on: db).promise
        return Figures(
            requests: counted.count, answered: answered.count,
            medianFirstResponse: median(counted.map { ($0.firstResponseAt ?? now).timeIntervalSince($0.createdAt) }),
            medianResolution: median(rows.compactMap { r in r.resolvedAt.map { $0.timeIntervalSince(r.createdAt) } }),
            withinPromise: due.isEmpty ? nil : Double(kept.count) / Double(due.count), promise: promise)
    }

    // MARK: The sweep

    /// Marks requests still unanswered past their promise late, once, and tells the provider's owners and admins.
    /// Each is claimed by a conditional update: the one server whose update still finds it unmarked tells anyone,
    /// however many sweep at the same time.
    @discardableResult
    static func sweepOverdue(now: Date = Date(), batch: Int = 200, on db: any Database) async throws -> Int {
        let overdue = try await SupportRequest.query(on: db).filter(\.$firstResponseAt == nil).filter(\.$late == false)
            .filter(\.$status != .resolved).filter(\.$dueAt <= now).sort(\.$dueAt).limit(batch).all()
        var marked = 0
        for r in overdue {
            marked += try await db.writeTransaction { tx in
                let claimed = try await tx.sql().raw(
                    """
                    UPDATE support_requests SET late = \(bind: true)
                    WHERE id = \(bind: r.id!) AND late = \(bind: false) AND first_response_at IS NULL
                      AND status <> \(bind: SupportStatus.resolved.rawValue)
                    RETURNING id
                    """
                ).first()
                guard claimed != nil else { return 0 }
                let names = try await names(of: [r.$requester.id], on: tx)
                let zone = try await Organization.find(r.$provider.id, on: tx)?.timeZone ?? "UTC"
                try await tell(
                    try await Accounts.managers(of: r.$provider.id, on: tx),
                    "Still unanswered past your promise: \(names[r.$requester.id] ?? "a customer")'s support request “\(r.subject)”", r,
                    event: "late",
                    detail:
                        "A first answer was promised within \(r.promise), by \(Notifier.dueText(r.dueAt, zone: zone)). It now counts against your reliability until answered.",
                    at: now, on: tx)
                try await TrustService.enqueue(viewer: r.$requester.id, subject: r.$provider.id, at: now, on: tx)
                return 1
            }
        }
        return marked
    }

    // MARK: Trust evidence

    /// What the subject's answers to the viewer's support requests say of its reliability: answered within the
    /// promise counts for it (lightly: a reply is a small promise), late against it like a promise kept late without
    /// warning, never answered past the promise like a missed one.
    static func evidence(viewer: UUID, subject: UUID, at now: Date, on db: any Database) async throws -> [TrustEvidence] {
        let requests = try await db.sql().select().columns(evidenceColumns).from(SupportRequest.schema)
            .where("requester_organization_id", .equal, SQLBind(viewer)).where("provider_organization_id", .equal, SQLBind(subject))
            .all(decoding: EvidenceFacts.self)
        return evidence(from: requests, at: now)
    }

    /// The same for many pairs at once (the background recompute's batch).
    static func evidence(for pairs: [TrustService.Pair], at now: Date, on db: any Database) async throws
        -> [TrustService.Pair: [TrustEvidence]]
    {
        let requests = try await TrustService.rows(
            of: pairs, belongingTo: { (r: EvidenceFacts) in [TrustService.Pair(viewer: r.requester, subject: r.provider)] }
        ) { (slice: [TrustService.Pair]) -> [EvidenceFacts] in
            try await db.sql().select().columns(evidenceColumns).from(SupportRequest.schema)
                .where("requester_organization_id", .in, SQLBind.group(TrustService.viewerIDs(of: slice)))
                .where("provider_organization_id", .in, SQLBind.group(TrustService.subjectIDs(of: slice)))
                .all(decoding: EvidenceFacts.self)
        }
        return requests.mapValues { evidence(from: $0, at: now) }
    }

    /// What trust reads of a support request: when it was due and when it was answered.
    struct EvidenceFacts: Decodable {
        var requester: UUID
        var provider: UUID
        var subject: String
        var status: SupportStatus
        var promise: String
        var createdAt: Date
        var dueAt: Date
        var firstResponseAt: Date?
        var late: Bool

        enum CodingKeys: String, CodingKey {
            case subject, status, promise, late
            case requester = "requester_organization_id", provider = "provider_organization_id"
            case createdAt = "created_at", dueAt = "due_at", firstResponseAt = "first_response_at"
        }
    }

    static let evidenceColumns = [
        "requester_organization_id", "provider_organization_id", "subject", "status", "promise", "created_at", "due_at",
        "first_response_at", "late",
    ]

    /// The items of the viewer's requests to the subject, already read.
    static func evidence(from requests: [EvidenceFacts], at now: Date) -> [TrustEvidence] {
        var items: [TrustEvidence] = []
        for r in requests {
            if let answered = r.firstResponseAt {
                let after = Recognition.duration(answered.timeIntervalSince(r.createdAt))
                if r.late {
                    items.append(
                        .init(
                            kind: .lateWithoutNotice, date: answered, weight: 1,
                            summary: "Answered support request “\(r.subject)” after \(after) (promised within \(r.promise))"))
                } else {
                    items.append(
                        .init(
                            kind: .deliveredOnTime, date: answered, weight: 0.5,
                            summary: "Answered support request “\(r.subject)” in \(after), within its promise of \(r.promise)"))
                }
            } else if r.late || (r.status != .resolved && r.dueAt < now) {
                items.append(
                    .init(
                        kind: .missed, date: r.dueAt, weight: 1,
                        summary:
                            "Has not answered support request “\(r.subject)” since \(TrustService.day(r.createdAt)) (promised within \(r.promise))"
                    ))
            }
        }
        return items
    }

    // MARK: Helpers

    /// The provider's promise for a request of this priority opened at `now`, and when its first answer is due: the
    /// response time its profile names (else one working day); urgent ones within 4 working hours when that is sooner.
    static func deadline(of provider: Organization, priority: SupportPriority, from now: Date, on db: any Database) async throws -> (
        promise: String, due: Date
    ) {
        let sections = try await ProfileSections.all(of: provider, on: db)
        let claimed = sections.lazy.compactMap { ResponseTime.claim(in: $0.content)?.time }.first ?? defaultPromise
        let hours = Accounts.workingHours(of: provider)
        let due = claimed.deadline(from: now, hours: hours)
        if priority == .urgent {
            let urgent = urgentPromise.deadline(from: now, hours: hours)
            if urgent < due { return (urgentPromise.label, urgent) }
        }
        return (claimed.label, due)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Only the people of the two organizations see a request; anyone else is told it does not exist.
    private static func isSide(_ r: SupportRequest, _ actor: Actor) -> Bool {
        [r.$provider.id, r.$requester.id].contains(actor.organizationID)
    }

    /// Who hears of the other side's move: the person who asked, or the one who answered first; the organization's
    /// owners and admins while nobody is named.
    private static func contacts(of organization: UUID, in r: SupportRequest, on db: any Database) async throws -> [UUID] {
        if organization == r.$requester.id, let person = r.$requesterUser.id { return [person] }
        if organization == r.$provider.id, let person = r.$firstResponseBy.id { return [person] }
        return try await Accounts.managers(of: organization, on: db)
    }

    private static func tell(
        _ users: [UUID], _ text: String, _ r: SupportRequest, event: String, detail: String?, at now: Date, on db: any Database
    ) async throws {
        let key = Access.key(r.id!)
        try await Notifier.notify(
            users,
            of: .init(
                kind: .support, text: text, link: SiteURL.supportRequest(r.id), detail: detail, about: "support:\(key)",
                key: "support:\(key):\(event)"),
            at: now, on: db)
    }

    private static func names(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { a, _ in a })
    }

    private static func entries(_ rows: [SupportRequest], replies withReplies: Bool, on db: any Database) async throws -> [Entry] {
        guard !rows.isEmpty else { return [] }
        var messages: [SupportMessage] = []
        if withReplies {
            messages = try await SupportMessage.query(on: db).filter(\.$request.$id ~~ rows.compactMap(\.id)).sort(\.$createdAt).all()
        }
        let names = try await names(of: Array(Set(rows.flatMap { [$0.$provider.id, $0.$requester.id] })), on: db)
        let userIDs = Set(rows.compactMap { $0.$requesterUser.id } + messages.compactMap { $0.$author.id })
        var people: [UUID: String] = [:]
        if !userIDs.isEmpty {
            for user in try await User.query(on: db).filter(\.$id ~~ Array(userIDs)).all() { people[user.id!] = user.name }
        }
        let byRequest = Dictionary(grouping: messages, by: { $0.$request.id })
        return rows.map { r in
            entry(r, names: names, people: people, replies: (byRequest[r.id!] ?? []).map { reply($0, names: names, people: people) })
        }
    }

    private static func reply(_ m: SupportMessage, names: [UUID: String], people: [UUID: String]) -> Reply {
        Reply(
            id: m.id!, organizationID: m.$organization.id, organizationName: names[m.$organization.id] ?? "",
            authorName: m.$author.id.flatMap { people[$0] }, body: m.body, createdAt: m.createdAt)
    }

    private static func entry(_ r: SupportRequest, names: [UUID: String], people: [UUID: String], replies: [Reply]) -> Entry {
        Entry(
            id: r.id!, providerID: r.$provider.id, providerName: names[r.$provider.id] ?? "", requesterID: r.$requester.id,
            requesterName: names[r.$requester.id] ?? "", requesterPerson: r.$requesterUser.id.flatMap { people[$0] },
            partnershipID: r.$partnership.id, subject: r.subject, body: r.body, priority: r.priority, status: r.status,
            promise: r.promise, createdAt: r.createdAt, dueAt: r.dueAt, firstResponseAt: r.firstResponseAt, resolvedAt: r.resolvedAt,
            late: r.late, replies: replies)
    }
}
