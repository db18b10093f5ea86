import BonafideCore
import Fluent
import Foundation
import SQLKit

/// One organization's trust in another: evidence gathered from what they did together, assessed by
/// `RelationshipTrust`, placed in the network, stored with its history and recomputed as evidence arrives.
enum TrustService {
    /// What the API serves and a snapshot stores.
    struct Assessment: Codable, Sendable, Equatable {
        var viewer: UUID
        var subject: UUID
        var subjectName: String
        var computedAt: Date
        var overall: Opinion
        var components: [RelationshipTrust.ComponentReport]
        var trustQuotient: Double
        var explanation: [RelationshipTrust.Reason]
        var evidenceCount: Int
        var network: Network

        struct Network: Codable, Sendable, Equatable {
            /// What organizations the viewer trusts think of the subject, discounted by that trust and fused.
            var opinion: Opinion
            /// How many of them have an opinion of the subject.
            var intermediaries: Int
            /// SybilRank from the viewer's point of view: the share of other organizations ranked below the
            /// subject (0 to 1), nil when the viewer trusts nobody yet.
            var standing: Double?
        }

        /// Equal in everything a person would see, ignoring when it was computed.
        func sameFigures(as other: Assessment) -> Bool {
            abs(overall.expectation - other.overall.expectation) < 1e-4
                && abs(overall.uncertainty - other.overall.uncertainty) < 1e-4
                && evidenceCount == other.evidenceCount
                && explanation.map(\.summary) == other.explanation.map(\.summary)
                && abs((network.standing ?? -1) - (other.network.standing ?? -1)) < 1e-4
        }
    }

    /// How far an overall opinion must move (half a point of the percentage shown) before the pairs that read it are
    /// recomputed.
    static let propagationThreshold = 5e-3

    static func movesOthers(from old: Opinion, to new: Opinion) -> Bool {
        abs(old.belief - new.belief) >= propagationThreshold || abs(old.disbelief - new.disbelief) >= propagationThreshold
            || abs(old.uncertainty - new.uncertainty) >= propagationThreshold || abs(old.baseRate - new.baseRate) >= propagationThreshold
    }

    static let model = RelationshipTrust()
    /// A request unanswered this long counts as ignored; answered within a day counts as prompt.
    static let ignoredAfter: TimeInterval = 3 * 86_400
    static let promptWithin: TimeInterval = 86_400

    // MARK: Evidence

    /// Everything the viewer has seen the subject do, in plain words, in `evidenceOrder`.
    static func evidence(viewer: UUID, subject: UUID, at now: Date, on db: any Database) async throws -> [TrustEvidence] {
        let shared = try await sharedPartnerships(viewer, subject, on: db)
        let partnershipIDs = shared.map(\.id)
        var items: [TrustEvidence] = []
        if !partnershipIDs.isEmpty {
            let promises = try await promiseFacts(in: partnershipIDs, from: subject, to: viewer, on: db)
            let sentBack = try await sendBackFacts(in: partnershipIDs, on: db)
            items += promiseEvidence(promises, sentBack: sentBack, at: now)
            let messages = try await messageFacts(in: partnershipIDs, by: [viewer, subject], on: db)
            items += messageEvidence(messages, viewer: viewer, subject: subject, at: now)
            items += partnershipEvidence(shared, at: now)
        }
        // Incidents the subject caused the viewer, and how it handled them.
        items += try await Incidents.evidence(viewer: viewer, subject: subject, at: now, on: db)
        // Credentials their issuers confirmed.
        items += try await Credentials.evidence(viewer: viewer, subject: subject, at: now, on: db)
        // Check-ins held and noted together.
        items += try await CheckIns.evidence(in: shared, on: db)
        // Confidential documents shared and kept.
        items += try await Documents.evidence(viewer: viewer, subject: subject, in: shared, on: db)
        // How they reached out: personal requests for an introduction, or the same text to many.
        items += try await Introductions.evidence(viewer: viewer, subject: subject, on: db)
        // How they answered the viewer's support requests: in time, late, or not at all past their promise.
        items += try await Support.evidence(viewer: viewer, subject: subject, at: now, on: db)
        items += ratingEvidence(try await ratingFacts(by: viewer, of: subject, on: db))
        items += placementEvidence(try await placementFacts(of: subject, by: viewer, on: db))
        items += testimonialEvidence(try await testimonialFacts(by: viewer, of: subject, on: db))
        items += surveyEvidence(try await surveyAnswerFacts(by: viewer, about: subject, on: db))
        return evidenceOrder(items)
    }

    /// The order a pair's evidence is handed to the model and shown in: by date, then kind, then words (weight and
    /// value last, so only items alike in everything tie). The rows come back in whatever order each database and
    /// query plan gives, and the batched reads group them differently from the single-pair ones; the model is not
    /// indifferent to order: the weekly cap on positive evidence decays by the age of the first item of each week, and
    /// the explanation keeps the input order among reasons of equal effect and date (a different order read as a
    /// change of figures and stored a new snapshot). Oldest first is what the cap means: the week's earliest item.
    static func evidenceOrder(_ items: [TrustEvidence]) -> [TrustEvidence] {
        items.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.date != y.date { return x.date < y.date }
            if x.kind != y.kind { return x.kind.rawValue < y.kind.rawValue }
            if x.summary != y.summary { return x.summary < y.summary }
            if x.weight != y.weight { return x.weight < y.weight }
            if x.value != y.value { return x.value < y.value }
            return a.offset < b.offset
        }
        .map(\.element)
    }

    /// Promises the subject made to the viewer, and those the viewer sent back. `promises` are the subject's to the
    /// viewer alone; `sentBack` may hold any commitment's (only those among `promises` count).
    static func promiseEvidence(_ promises: [PromiseFacts], sentBack: [SendBackFacts], at now: Date) -> [TrustEvidence] {
        var items: [TrustEvidence] = []
        let byID = Dictionary(promises.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for c in promises {
            // Size: the time the promise spanned, a fortnight counting as 1 (half a unit at least, 3 at most).
            let span = max(0, c.dueAt.timeIntervalSince(c.createdAt)) / (14 * 86_400)
            let weight = min(3, max(0.5, span))
            let flaggedBeforeDue = c.flaggedAt.map { $0 <= c.dueAt } ?? false
            let due = Self.day(c.dueAt)
            switch CommitmentLifecycle.outcome(of: c.state, flaggedBeforeDue: flaggedBeforeDue, at: now) {
            case .onTime:
                items.append(
                    .init(
                        kind: .deliveredOnTime, date: c.deliveredAt ?? c.completedAt ?? c.dueAt, weight: weight,
                        summary: "Delivered “\(c.title)” on time (due \(due))"))
            case .lateWithNotice:
                items.append(
                    .init(
                        kind: .lateWithNotice, date: c.deliveredAt ?? c.dueAt, weight: weight,
                        summary: "Delivered “\(c.title)” late but warned you before it was due (due \(due))"))
            case .lateWithoutNotice:
                items.append(
                    .init(
                        kind: .lateWithoutNotice, date: c.deliveredAt ?? c.dueAt, weight: weight,
                        summary: "Delivered “\(c.title)” late without warning (due \(due))"))
            case .missed:
                items.append(.init(kind: .missed, date: c.dueAt, weight: weight, summary: "Missed “\(c.title)” (due \(due))"))
            case .open:
                break
            }
        }
        for event in sentBack {
            guard let id = event.commitmentID, let c = byID[id] else { continue }
            items.append(
                .init(
                    kind: .sentBack, date: event.createdAt, weight: 1,
                    summary: "You sent “\(c.title)” back: \(event.reason ?? "it did not meet the acceptance criteria")"))
        }
        return items
    }

    /// The viewer's requests and how the subject answered them, and what the subject wrote. `messages` are those of
    /// the pair's partnerships; only the two's own count.
    static func messageEvidence(_ messages: [MessageFacts], viewer: UUID, subject: UUID, at now: Date) -> [TrustEvidence] {
        var items: [TrustEvidence] = []
        for m in messages where m.needsResponse && m.organization == viewer {
            let topic = m.topic
            if let answered = m.respondedAt {
                let hours = Int((answered.timeIntervalSince(m.createdAt) / 3_600).rounded())
                let prompt = answered.timeIntervalSince(m.createdAt) <= promptWithin
                items.append(
                    .init(
                        kind: prompt ? .requestAnsweredPromptly : .requestAnsweredLate, date: answered,
                        summary: "Answered your request in “\(topic)” after \(hours) h"))
            } else if now.timeIntervalSince(m.createdAt) > ignoredAfter {
                items.append(
                    .init(
                        kind: .requestIgnored, date: m.createdAt.addingTimeInterval(ignoredAfter),
                        summary: "Has not answered your request in “\(topic)” since \(Self.day(m.createdAt))"))
            }
        }
        for m in messages where m.organization == subject {
            items.append(.init(kind: .exchange, date: m.createdAt, summary: "Wrote to you in “\(m.topic)”"))
        }
        return items
    }

    /// Length of the relationship: each full month of an active partnership.
    static func partnershipEvidence(_ shared: [SharedPartnership], at now: Date) -> [TrustEvidence] {
        var items: [TrustEvidence] = []
        for p in shared where p.status == .active {
            guard let start = p.createdAt else { continue }
            let months = Int(now.timeIntervalSince(start) / (30 * 86_400))
            for month in stride(from: 1, through: min(months, 120), by: 1) {
                items.append(
                    .init(
                        kind: .checkIn, date: start.addingTimeInterval(Double(month) * 30 * 86_400),
                        summary: "Partners in “\(p.name)” for \(month) month\(month == 1 ? "" : "s")"))
            }
        }
        return items
    }

    /// The viewer's own explicit ratings.
    static func ratingEvidence(_ ratings: [RatingFacts]) -> [TrustEvidence] {
        ratings.map { r -> TrustEvidence in
            let comment = r.comment.isEmpty ? "" : ": “\(r.comment)”"
            return TrustEvidence(
                kind: .rating, date: r.createdAt, value: Double(r.rating) / 10,
                summary: "Rated \(r.rating > 0 ? "+" : "")\(r.rating) by \(r.authorName)\(comment)")
        }
    }

    /// Where the viewer keeps the subject: closeness is intimacy; a trusted referral is also a vouch.
    static func placementEvidence(_ placement: PlacementFacts?) -> [TrustEvidence] {
        guard let placement, placement.circle != .follow else { return [] }
        let note = placement.note.isEmpty ? "" : ": “\(placement.note.prefix(120))”"
        var items = [
            TrustEvidence(
                kind: .circlePlacement, date: placement.placedAt, value: placement.circle.closeness,
                summary: "In your \(placement.circle.title.lowercased()) circle\(note)")
        ]
        if placement.circle == .trustedReferral {
            items.append(.init(kind: .vouch, date: placement.placedAt, summary: "You vouch for them as a trusted referral"))
        }
        return items
    }

    /// What the viewer's organization said of them in a testimonial, by its tone.
    static func testimonialEvidence(_ testimonial: TestimonialFacts?) -> [TrustEvidence] {
        guard let t = testimonial else { return [] }
        return [
            TrustEvidence(
                kind: .testimonial, date: t.writtenAt, value: t.sentiment,
                summary: "Your testimonial (\(Sentiment.label(for: t.sentiment).rawValue)): “\(t.text.prefix(120))”")
        ]
    }

    /// The viewer's people answering the subject's NPS or CSAT surveys: how they would recommend or rate it.
    static func surveyEvidence(_ answers: [SurveyAnswerFacts]) -> [TrustEvidence] {
        answers.compactMap { r -> TrustEvidence? in
            guard let score = r.score else { return nil }
            // NPS 0-10 and CSAT 1-5 both map onto -1..1 around their neutral middle (5 and 3).
            let value = r.kind == .nps ? Double(score - 5) / 5 : Double(score - 3) / 2
            let reason = r.reason.isEmpty ? "" : ": “\(r.reason.prefix(120))”"
            let name = r.name.isEmpty ? r.email : r.name
            return TrustEvidence(
                kind: .rating, date: r.submittedAt, value: value, summary: "\(name) answered “\(r.title)” with \(score)\(reason)")
        }
    }

    /// What trust reads of a commitment: its title, dates and state, as plain values (every pair decoded its
    /// partnerships' commitments as whole models).
    struct PromiseFacts {
        var id: UUID
        var partnership: UUID
        var owner: UUID
        var recipient: UUID
        var title: String
        var status: CommitmentStatus
        var dueAt: Date
        var atRisk: Bool
        var atRiskReason: String?
        var proposedDueAt: Date?
        var proposedDueReason: String?
        var flaggedAt: Date?
        var deliveredAt: Date?
        var completedAt: Date?
        var createdAt: Date

        /// Reads the columns `promiseColumns` selects, each with one call to the driver (two when it may be NULL), as
        /// the facts of `TrustService+EvidenceFacts` are read.
        init(row: any SQLRow) throws {
            id = try row.decodeUUID(column: "id")
            partnership = try row.decodeUUID(column: "partnership_id")
            owner = try row.decodeUUID(column: "owner_organization_id")
            recipient = try row.decodeUUID(column: "recipient_organization_id")
            title = try row.decode(column: "title", as: String.self)
            status = try row.decodeRawValue(column: "status", as: CommitmentStatus.self)
            dueAt = try row.decode(column: "due_at", as: Date.self)
            atRisk = try row.decode(column: "at_risk", as: Bool.self)
            atRiskReason = try row.decodeIfPresent(column: "at_risk_reason", as: String.self)
            proposedDueAt = try row.decodeIfPresent(column: "proposed_due_at", as: Date.self)
            proposedDueReason = try row.decodeIfPresent(column: "proposed_due_reason", as: String.self)
            flaggedAt = try row.decodeIfPresent(column: "flagged_at", as: Date.self)
            deliveredAt = try row.decodeIfPresent(column: "delivered_at", as: Date.self)
            completedAt = try row.decodeIfPresent(column: "completed_at", as: Date.self)
            createdAt = try row.decode(column: "created_at", as: Date.self)
        }

        var state: CommitmentState {
            CommitmentState(
                status: status, dueAt: dueAt, atRisk: atRisk, atRiskReason: atRiskReason, proposedDueAt: proposedDueAt,
                proposedDueReason: proposedDueReason, deliveredAt: deliveredAt, completedAt: completedAt)
        }
    }

    static func promiseFacts(in partnerships: [UUID], from owner: UUID, to recipient: UUID, on db: any Database) async throws
        -> [PromiseFacts]
    {
        try await db.sql().select().columns(promiseColumns).from(Commitment.schema)
            .where("partnership_id", .in, SQLBind.group(partnerships))
            .where("owner_organization_id", .equal, SQLBind(owner)).where("recipient_organization_id", .equal, SQLBind(recipient))
            .all().map(PromiseFacts.init(row:))
    }

    /// Every commitment of the partnerships, whoever owes whom: a batch reads all its pairs' at once and keeps each
    /// pair's in memory.
    static func promiseFacts(in partnerships: [UUID], on db: any Database) async throws -> [PromiseFacts] {
        try await rows(in: partnerships) { (slice: [UUID]) -> [PromiseFacts] in
            try await db.sql().select().columns(promiseColumns).from(Commitment.schema)
                .where("partnership_id", .in, SQLBind.group(slice)).all().map(PromiseFacts.init(row:))
        }
    }

    static let promiseColumns = [
        "id", "partnership_id", "owner_organization_id", "recipient_organization_id", "title", "status", "due_at", "at_risk",
        "at_risk_reason", "proposed_due_at", "proposed_due_reason", "flagged_at", "delivered_at", "completed_at", "created_at",
    ]

    /// What trust reads of a message: who wrote it, when, whether it asked for an answer and when it got one, and its
    /// thread's subject. Every pair decoded its partnerships' messages whole (bodies included) and their threads.
    struct MessageFacts {
        var partnership: UUID
        var organization: UUID
        var needsResponse: Bool
        var respondedAt: Date?
        var createdAt: Date
        var topic: String

        /// Reads the columns `messageQuery` selects, each with one call to the driver (two when it may be NULL).
        init(row: any SQLRow) throws {
            partnership = try row.decodeUUID(column: "partnership_id")
            organization = try row.decodeUUID(column: "organization_id")
            needsResponse = try row.decode(column: "needs_response", as: Bool.self)
            respondedAt = try row.decodeIfPresent(column: "responded_at", as: Date.self)
            createdAt = try row.decode(column: "created_at", as: Date.self)
            topic = try row.decode(column: "subject", as: String.self)
        }
    }

    static func messageFacts(in partnerships: [UUID], by organizations: [UUID], on db: any Database) async throws -> [MessageFacts] {
        try await messageQuery(on: db).where(SQLColumn("partnership_id", table: "m"), .in, SQLBind.group(partnerships))
            .where(SQLColumn("organization_id", table: "m"), .in, SQLBind.group(organizations))
            .all().map(MessageFacts.init(row:))
    }

    /// Every message of the partnerships, whoever wrote it: a batch reads all its pairs' at once and keeps each pair's
    /// two sides' in memory.
    static func messageFacts(in partnerships: [UUID], on db: any Database) async throws -> [MessageFacts] {
        try await rows(in: partnerships) { (slice: [UUID]) -> [MessageFacts] in
            try await messageQuery(on: db).where(SQLColumn("partnership_id", table: "m"), .in, SQLBind.group(slice))
                .all().map(MessageFacts.init(row:))
        }
    }

    private static func messageQuery(on db: any Database) throws -> SQLSelectBuilder {
        try db.sql().select().column(SQLColumn("partnership_id", table: "m")).column(SQLColumn("organization_id", table: "m"))
            .column(SQLColumn("needs_response", table: "m")).column(SQLColumn("responded_at", table: "m"))
            .column(SQLColumn("created_at", table: "m")).column(SQLColumn("subject", table: "t"))
            .from(SQLAlias(SQLIdentifier(Message.schema), as: SQLIdentifier("m")))
            .join(
                SQLAlias(SQLIdentifier(MessageThread.schema), as: SQLIdentifier("t")), on: SQLColumn("id", table: "t"), .equal,
                SQLColumn("thread_id", table: "m")
            )
    }

    static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }

    // MARK: Network

    /// Every pair's current opinion, from `trust_opinions` (one row per pair), not from the snapshot history.
    static func latestOpinions(on db: any Database) async throws -> [Pair: Opinion] {
        try await TrustOpinions.all(on: db)
    }

    /// Ordered by viewer, then subject: writers that lock pairs' rows lock them in this one order, so two of them
    /// (two servers, on PostgreSQL) wait for each other rather than each holding a row the other wants.
    struct Pair: Hashable, Sendable, Comparable {
        var viewer: UUID
        var subject: UUID

        static func < (a: Pair, b: Pair) -> Bool {
            (a.viewer.uuidString, a.subject.uuidString) < (b.viewer.uuidString, b.subject.uuidString)
        }
    }

    // MARK: Assess, store, recompute

    /// The viewer's trust in the subject now; `network` holds every pair's current opinion (read once for many pairs).
    static func assess(viewer: UUID, subject: UUID, at now: Date, network: inout TrustNetwork, on db: any Database) async throws
        -> Assessment
    {
        guard let subjectName = try await organizationName(subject, on: db) else { throw Problem.notFound("organization") }
        let evidence = try await evidence(viewer: viewer, subject: subject, at: now, on: db)
        return assess(viewer: viewer, subject: subject, named: subjectName, from: evidence, at: now, network: &network)
    }

    /// The same from the subject's name and the pair's evidence already read: the recompute reads them for its whole
    /// batch at once.
    static func assess(
        viewer: UUID, subject: UUID, named subjectName: String, from evidence: [TrustEvidence], at now: Date, network: inout TrustNetwork
    ) -> Assessment {
        let view = network.network(viewer: viewer, subject: subject)
        // A stranger starts where the network places them; with no network view, at 0.5.
        let baseRate = view.intermediaries > 0 ? view.opinion.expectation : 0.5
        let report = model.assess(evidence, at: now, baseRate: baseRate)
        return Assessment(
            viewer: viewer, subject: subject, subjectName: subjectName, computedAt: now, overall: report.overall,
            components: report.components, trustQuotient: report.trustQuotient, explanation: report.explanation,
            evidenceCount: report.evidenceCount, network: view)
    }

    /// Every item of evidence with what it did to the figure, strongest first: the stored assessment keeps only the
    /// few that moved it most. The network's view comes from that assessment, so the whole network is not read again.
    static func allReasons(of assessment: Assessment, at now: Date = Date(), on db: any Database) async throws
        -> [RelationshipTrust.Reason]
    {
        let evidence = try await evidence(viewer: assessment.viewer, subject: assessment.subject, at: now, on: db)
        let network = assessment.network
        let baseRate = network.intermediaries > 0 ? network.opinion.expectation : 0.5
        return model.assess(evidence, at: now, baseRate: baseRate, explaining: evidence.count).explanation
    }

    /// Stores new assessments: a snapshot each (the history) and each pair's current opinion, in one statement each.
    /// Last in its transaction: the opinions' token (`TrustOpinions.store`) is locked from then until the commit, and
    /// every other writer of opinions, on any server, waits for it.
    static func store(_ assessments: [Assessment], on db: any Database) async throws {
        guard !assessments.isEmpty else { return }
        let sql = try db.sql()
        for start in stride(from: 0, to: assessments.count, by: 100) {
            let chunk = assessments[start..<min(start + 100, assessments.count)]
            let snapshots: [any SQLExpression] = try chunk.map { a in
                let report = String(decoding: try encoder.encode(a), as: UTF8.self)
                return SQLQueryString(
                    "(\(bind: UUID()), \(bind: a.viewer), \(bind: a.subject), \(bind: a.computedAt), \(bind: a.overall.expectation), \(bind: a.overall.uncertainty), \(bind: report))"
                )
            }
            try await sql.raw(
                """
                INSERT INTO \(ident: TrustSnapshot.schema)
                (id, viewer_organization_id, subject_organization_id, computed_at, expectation, uncertainty, report)
                VALUES \(SQLList(snapshots))
                """
            ).run()
        }
        try await TrustOpinions.store(assessments.map { (Pair(viewer: $0.viewer, subject: $0.subject), $0.overall) }, on: sql)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = .sortedKeys
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// The pair's newest snapshot, in the order the recompute reads it (`latestAssessments`), ties included.
    static func latest(viewer: UUID, subject: UUID, on db: any Database) async throws -> (snapshot: TrustSnapshot, assessment: Assessment)?
    {
        guard
            let s = try await TrustSnapshot.query(on: db).filter(\.$viewer.$id == viewer).filter(\.$subject.$id == subject)
                .sort(\.$computedAt, .descending).sort(DatabaseQuery.Sort.custom(storedLastFirst(db))).first(),
            let assessment = try? decoder.decode(Assessment.self, from: Data(s.report.utf8))
        else { return nil }
        return (s, assessment)
    }

    struct HistoryPoint: Sendable, Equatable {
        var at: Date
        var expectation: Double
        var uncertainty: Double
        /// The lowest the figure can go as evidence comes in (belief); the highest is belief + uncertainty.
        var belief: Double
    }

    static func history(viewer: UUID, subject: UUID, limit: Int = 200, on db: any Database) async throws -> [HistoryPoint] {
        try await TrustSnapshot.query(on: db).filter(\.$viewer.$id == viewer).filter(\.$subject.$id == subject)
            .sort(\.$computedAt, .descending).limit(limit).all()
            .reversed().map { s in
                let belief = (try? decoder.decode(Assessment.self, from: Data(s.report.utf8)))?.overall.belief
                return HistoryPoint(at: s.computedAt, expectation: s.expectation, uncertainty: s.uncertainty, belief: belief ?? 0)
            }
    }

    /// The viewer's current trust in the subject: the newest snapshot, computed now if there is none yet or the
    /// pair is waiting for the background job (so a page never shows stale figures after a change).
    static func current(viewer: UUID, subject: UUID, at now: Date = Date(), on db: any Database) async throws -> (
        Assessment, [HistoryPoint]
    ) {
        guard viewer != subject else { throw Problem(.unprocessableEntity, "Trust is about other organizations, not your own.") }
        guard try await Organization.find(subject, on: db) != nil else { throw Problem.notFound("organization") }
        let pending = try await claim(Pair(viewer: viewer, subject: subject), on: db)
        let stored = try await latest(viewer: viewer, subject: subject, on: db)
        let assessment: Assessment
        if let stored, pending == nil, now.timeIntervalSince(stored.snapshot.computedAt) <= 86_400 {
            assessment = stored.assessment
        } else {
            var network = try await TrustNetwork.load(on: db)
            let fresh = try await assess(viewer: viewer, subject: subject, at: now, network: &network, on: db)
            let changed = stored.map { !$0.assessment.sameFigures(as: fresh) } ?? true
            assessment = changed ? fresh : stored!.assessment
            let passedOn =
                changed
                ? Self.followUps(
                    of: Pair(viewer: viewer, subject: subject), from: stored?.assessment.overall, to: fresh.overall, in: &network)
                : []
            // Nothing to write is no write: on SQLite a transaction waits its turn at the one writer.
            if changed || pending != nil {
                // As the job writes a batch: the follow-ups first, the figures last (`store` locks the opinions' token
                // until the commit).
                try await db.writeTransaction { tx in
                    try await enqueue(passedOn.map { ($0.viewer, $0.subject) }, at: now, deferring: false, on: tx)
                    if let pending { try await TrustQueueItem.query(on: tx).filter(\.$id == pending.id).delete() }
                    if changed { try await store([fresh], on: tx) }
                }
            }
        }
        return (assessment, try await history(viewer: viewer, subject: subject, on: db))
    }

    // MARK: The queue

    /// Marks both directions of a partnership for recomputation; called for every change to its log.
    static func enqueue(_ partnership: Partnership, at now: Date, on db: any Database) async throws {
        guard let partner = partnership.$partner.id else { return }
        try await enqueue([(partnership.$organization.id, partner), (partner, partnership.$organization.id)], at: now, on: db)
    }

    static func enqueue(viewer: UUID, subject: UUID, at now: Date, on db: any Database) async throws {
        try await enqueue([(viewer, subject)], at: now, on: db)
    }

    /// Queues (viewer, subject) pairs: every change to a partnership queues both directions inside its write
    /// transaction, with the transaction's other deferred writes when it is one (`PendingWrites`), else in one
    /// statement now. `deferring: false` queues them now even so: a recompute queues its follow-ups before it stores
    /// its figures, whose lock must be the transaction's last.
    static func enqueue(
        _ pairs: [(viewer: UUID, subject: UUID)], at now: Date, deferring: Bool = true, on db: any Database
    ) async throws {
        let pairs = pairs.filter { $0.viewer != $0.subject }.map { Pair(viewer: $0.viewer, subject: $0.subject) }
        guard !pairs.isEmpty else { return }
        if !deferring || !PendingWrites.queueTrust(pairs, at: now) {
            var writes = CombinedWrites()
            queue(Set(pairs).sorted().map { ($0, now) }, into: &writes)
            try await writes.run(on: try db.sql())
        }
        // This server's job takes the pairs up at once, not at its next tick. After the commit, not now: woken inside
        // the transaction, it could claim before the rows are visible, find nothing, and sleep through them. A write
        // that rolls back wakes nobody.
        AfterCommit.schedule { JobWakeup.trustQueue.poke() }
    }

    /// The statements that queue the pairs. Each pair once, in the order given (sorted by the callers): on PostgreSQL
    /// an insert waits for another transaction's uncommitted insert of the same pair, so two servers queueing shared
    /// pairs in their own orders could each wait for the other.
    static func queue(_ pairs: [(pair: Pair, at: Date)], into writes: inout CombinedWrites) {
        // 500 rows of 4 binds stay far below the parameter limits of both databases.
        for start in stride(from: 0, to: pairs.count, by: 500) {
            let rows: [any SQLExpression] = pairs[start..<min(start + 500, pairs.count)].map {
                SQLQueryString("(\(bind: UUID()), \(bind: $0.pair.viewer), \(bind: $0.pair.subject), \(bind: $0.at))")
            }
            // Insert-or-ignore against the pair's waiting row only: two transactions queueing the same pair at once
            // must not fail each other, and a claimed row may be recomputing from evidence read before this change.
            writes.add(
                """
                INSERT INTO trust_queue (id, viewer_organization_id, subject_organization_id, queued_at)
                VALUES \(SQLList(rows))
                ON CONFLICT (viewer_organization_id, subject_organization_id) WHERE claimed_until IS NULL DO NOTHING
                """ as SQLQueryString)
        }
    }

    /// How long a server may take over a claimed pair before another may take it again.
    static let claimLease: TimeInterval = 120
    /// How many waiting pairs the job takes at once. Each batch reads the whole network of opinions and the evidence of
    /// its pairs before it computes anything, so at 500 organizations, ten batches of 50 spent most of their time
    /// reading the same rows ten times; a batch of 500 reads them once, and 500 views take about a second (0.86-1.16 s
    /// on 2 cores at N=100).
    static let recomputeBatch = 500

    struct Claim: Decodable, Sendable {
        var id: UUID
        var viewer: UUID
        var subject: UUID
    }

    /// Takes up to `limit` pairs, oldest first, that nobody holds: each server draining the queue gets different
    /// ones, and one that dies leaves its pairs to the others when the lease runs out.
    static func claim(_ limit: Int, on db: any Database) async throws -> [Claim] {
        let sql = try db.sql()
        let (now, until) = leaseClock(sql)
        // SKIP LOCKED: another server's claim in flight is passed over, not waited for. SQLite has one writer at a
        // time, so there the update alone makes the claim exclusive.
        let skipLocked = SQLRaw(sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : "")
        let claimed: SQLQueryString = """
            UPDATE trust_queue SET claimed_until = \(until) WHERE id IN (
              SELECT id FROM trust_queue WHERE claimed_until IS NULL OR claimed_until < \(now)
              ORDER BY queued_at LIMIT \(bind: limit)\(skipLocked))
            RETURNING id, viewer_organization_id AS viewer, subject_organization_id AS subject
            """
        return try await sql.raw(claimed).all(decoding: Claim.self)
    }

    /// Takes the pair's waiting row, if it has one, for a recompute done right now (a page that cannot wait).
    static func claim(_ pair: Pair, on db: any Database) async throws -> Claim? {
        let sql = try db.sql()
        // Most page views find nothing waiting: asking first keeps them reads, since on SQLite an UPDATE takes the one
        // write lock even when it matches no row, and every trust panel and profile asks.
        struct Waiting: Decodable { var n: Int }
        let waiting: SQLQueryString = """
            SELECT 1 AS n FROM trust_queue
            WHERE viewer_organization_id = \(bind: pair.viewer) AND subject_organization_id = \(bind: pair.subject)
              AND claimed_until IS NULL
            LIMIT 1
            """
        guard try await sql.raw(waiting).first(decoding: Waiting.self) != nil else { return nil }
        let until = leaseClock(sql).until
        let claimed: SQLQueryString = """
            UPDATE trust_queue SET claimed_until = \(until)
            WHERE viewer_organization_id = \(bind: pair.viewer) AND subject_organization_id = \(bind: pair.subject)
              AND claimed_until IS NULL
            RETURNING id, viewer_organization_id AS viewer, subject_organization_id AS subject
            """
        return try await sql.raw(claimed).first(decoding: Claim.self)
    }

    /// "Now" and the end of a lease taken now. On PostgreSQL the database's clock decides, since the servers' clocks
    /// may disagree; SQLite has one server.
    private static func leaseClock(_ sql: any SQLDatabase) -> (now: any SQLExpression, until: any SQLExpression) {
        if sql.dialect.name == "postgresql" {
            return (SQLRaw("now()"), SQLQueryString("now() + make_interval(secs => \(literal: claimLease))"))
        }
        let now = Date()
        return (SQLBind(now), SQLBind(now.addingTimeInterval(claimLease)))
    }

    /// Recomputes up to `limit` waiting pairs. A changed opinion of S held by R can change what everyone who
    /// trusts R thinks of S, so those pairs are queued in turn (the change threshold makes this settle). A pair
    /// leaves the queue only once its figures are stored: a server killed halfway leaves it to the next claim.
    ///
    /// The opinions are read once for the whole batch and each new one is applied in memory for the pairs after it;
    /// the batch's snapshots, opinions, follow-up pairs and finished queue rows are written in one transaction.
    @discardableResult
    static func drain(limit: Int = 100, at now: Date = Date(), on db: any Database) async throws -> Int {
        try await drainBatch(limit: limit, at: now, on: db).changed
    }

    /// One batch of `drain`: how many waiting rows it took (none: the queue is empty), the pairs they were for, and
    /// how many pairs changed. A batch where nothing changed says nothing about the rows still waiting behind it.
    static func drainBatch(limit: Int = 100, at now: Date = Date(), on db: any Database) async throws -> (
        claimed: Int, changed: Int, pairs: [Pair]
    ) {
        let claims = try await claim(limit, on: db)
        guard !claims.isEmpty else { return (0, 0, []) }
        var network = try await TrustNetwork.load(on: db)
        var stored: [Assessment] = []
        var followUps: [Pair] = []
        // A pair queued again while it was held comes back twice: one assessment, read now, answers both.
        var seen = Set<Pair>()
        let pairs = claims.map { Pair(viewer: $0.viewer, subject: $0.subject) }.filter { seen.insert($0).inserted }
        // What the batch reads, read for all its pairs at once (a few statements per kind of evidence, where each pair
        // took about eighteen); the loop below only computes.
        let latest = try await latestAssessments(of: pairs, on: db)
        let names = try await organizationNames(subjectIDs(of: pairs), on: db)
        let gathered: [Pair: [TrustEvidence]]
        do {
            gathered = try await evidence(for: pairs, at: now, on: db)
        } catch {
            // One row the batch cannot read must not hold back the other pairs for ever (they would be claimed
            // together again and again): read pair by pair, and leave a failing pair claimed until its lease runs out.
            db.logger.warning("trust: the batch's evidence could not be read at once (\(String(describing: error))); reading pair by pair")
            var each: [Pair: [TrustEvidence]] = [:]
            for pair in pairs {
                do {
                    each[pair] = try await evidence(viewer: pair.viewer, subject: pair.subject, at: now, on: db)
                } catch {
                    db.logger.error(
                        "trust: the evidence of \(pair.viewer) about \(pair.subject) could not be read: \(String(describing: error))")
                }
            }
            gathered = each
        }
        var unread = Set<Pair>()
        for pair in pairs {
            let (r, s) = (pair.viewer, pair.subject)
            // A subject that no longer exists has nothing to assess: its row is finished.
            guard let name = names[s] else { continue }
            guard let evidence = gathered[pair] else {
                unread.insert(pair)
                continue
            }
            let previous = latest[pair]
            let fresh = assess(viewer: r, subject: s, named: name, from: evidence, at: now, network: &network)
            if let previous, previous.sameFigures(as: fresh) { continue }
            stored.append(fresh)
            followUps += Self.followUps(of: pair, from: previous?.overall, to: fresh.overall, in: &network)
        }
        let finished = claims.filter { !unread.contains(Pair(viewer: $0.viewer, subject: $0.subject)) }.map(\.id)
        try await db.writeTransaction { [stored, followUps] tx in
            // The follow-ups first, the figures last (`store` locks the opinions' token until the commit).
            try await enqueue(followUps.map { ($0.viewer, $0.subject) }, at: now, deferring: false, on: tx)
            try await TrustQueueItem.query(on: tx).filter(\.$id ~~ finished).delete()
            try await store(stored, on: tx)
        }
        return (claims.count, stored.count, pairs)
    }

    /// Batches of `drainBatch` until the queue is empty or a batch short of `limit` held only pairs this pass already
    /// recomputed: those were
    /// queued again by writes while it ran, and wait for the next pass. Ending only on an empty queue, a stream of
    /// writes to one partnership kept a pass recomputing its pairs back to back (each reading the partnership's whole
    /// message history) where the job means to recompute them once per pass. Follow-up pairs, new to the pass, are
    /// taken at once. Answers how many batches it took.
    @discardableResult
    static func drainPass(limit: Int = 100, on db: any Database, now: () -> Date = Date.init) async throws -> Int {
        var recomputed = Set<Pair>()
        var batches = 0
        while !Task.isCancelled {
            let batch = try await drainBatch(limit: limit, at: now(), on: db)
            guard batch.claimed > 0 else { break }
            batches += 1
            var fresh = false
            for pair in batch.pairs where recomputed.insert(pair).inserted { fresh = true }
            // A full batch may have rows behind it that no write of this server announced (another server's).
            guard fresh || batch.claimed >= limit else { break }
        }
        return batches
    }

    /// Records the pair's new overall opinion in `network` (for the pairs assessed after it) and answers the pairs
    /// that read it, to be queued with the new figures. The job and a page recomputing a waiting pair both go through
    /// here: a person looking at the pair before the job takes it must not stop the change from travelling on.
    static func followUps(of pair: Pair, from previous: Opinion?, to fresh: Opinion, in network: inout TrustNetwork) -> [Pair] {
        network.update(pair, to: fresh)
        // Other pairs read only this pair's overall opinion (their network step), so only a change in it that
        // matters travels on. Passing on every change (a standing, a wording, time moving the figures in the
        // fifth decimal) kept a dense network recomputing for ever.
        guard previous.map({ movesOthers(from: $0, to: fresh) }) ?? true else { return [] }
        let (r, s) = (pair.viewer, pair.subject)
        // Those who trust R see S differently now; and R sees everyone S has an opinion of differently.
        let affected = Set(
            network.viewers(of: r).map { Pair(viewer: $0, subject: s) } + network.subjects(of: s).map { Pair(viewer: r, subject: $0) })
        return affected.filter { $0.viewer != $0.subject && network.opinion($0) != nil }.sorted()
    }

    // MARK: Ratings

    static func rate(subject: UUID, rating: Int, comment: String, by actor: Actor, at now: Date = Date(), on db: any Database)
        async throws -> TrustRating
    {
        guard subject != actor.organizationID else {
            throw Problem(.unprocessableEntity, "You cannot rate your own organization.")
        }
        guard (-10...10).contains(rating), rating != 0 else {
            throw Problem.invalid("rating", "A rating is a whole number from -10 to 10, and not 0 (say nothing instead).")
        }
        let text = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.length <= 1_000 else { throw Problem.invalid("comment", "A comment has at most 1000 characters.") }
        guard try await Organization.find(subject, on: db) != nil else { throw Problem.notFound("organization") }
        let r = TrustRating()
        r.$rater.id = actor.organizationID
        r.$subject.id = subject
        r.rating = rating
        r.comment = text
        r.$author.id = actor.id
        r.createdAt = now
        try await db.writeTransaction { tx in
            try await r.save(on: tx)
            try await enqueue(viewer: actor.organizationID, subject: subject, at: now, on: tx)
        }
        return r
    }
}
