import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Incidents in a partnership: raised by the affected side (or disclosed by the responsible one), handled on
/// the record (acknowledge, updates, root cause and improvement plan, accepted or reopened), counted as trust
/// evidence for the affected side, and summed up on the responsible side's public profile.
enum Incidents {
    struct Draft: Sendable {
        var title: String
        var description: String
        var severity: IncidentSeverity
        /// When it happened; defaults to now.
        var occurredAt: Date?
        /// Raised against one's own organization: a disclosure.
        var selfReported = false
    }

    static func raise(_ d: Draft, in p: Partnership, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Incident {
        try requireOpenToIncidents(p)
        let title = d.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let description = d.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.length) else { throw Problem.invalid("title", "The title must have 1 to 200 characters.") }
        guard (1...4000).contains(description.length) else {
            throw Problem.invalid("description", "Say what happened, in 1 to 4000 characters.")
        }
        let occurred = d.occurredAt ?? now
        guard occurred <= now.addingTimeInterval(300) else {
            throw Problem.invalid("occurredAt", "The incident cannot have happened in the future.")
        }
        guard occurred > now.addingTimeInterval(-5 * 365 * 86_400) else {
            throw Problem.invalid("occurredAt", "Incidents more than five years old cannot be raised.")
        }
        guard let other = p.otherSide(of: actor.organizationID) else { throw Problem(.conflict, "The partnership has no partner yet.") }
        let i = Incident()
        i.$partnership.id = p.id!
        i.$responsible.id = d.selfReported ? actor.organizationID : other
        i.$affected.id = d.selfReported ? other : actor.organizationID
        i.$raisedBy.id = actor.id
        i.title = title
        i.description = description
        i.severity = d.severity
        i.occurredAt = min(occurred, now)
        i.raisedAt = now
        i.selfReported = d.selfReported
        // A disclosure is its own acknowledgement.
        i.status = d.selfReported ? .acknowledged : .open
        i.acknowledgedAt = d.selfReported ? now : nil
        i.reopenCount = 0
        let verb = d.selfReported ? "disclosed" : "raised"
        // Who hears of it is not decided by raising it: read before the writer's turn (see PartnershipAudience).
        let audience = try await PartnershipAudience.load(of: p, on: db)
        try await db.writeTransaction { tx in
            try await i.save(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "incident.\(verb)",
                summary: "\(actor.user.name) \(verb) a \(d.severity.rawValue) incident: “\(title)”", reason: description,
                incidentID: i.id, at: now, audience: audience, on: tx)
            // The first notice of this event: the status page's followers are told after it and still look for it.
            try await Timeline.notify(
                p, side: other, except: actor, kind: .incidentRaised,
                text: d.selfReported
                    ? "\(actor.user.name) disclosed an incident in \(p.name): “\(title)”"
                    : "An incident was raised against your side in \(p.name): “\(title)”; acknowledge it",
                link: SiteURL.incident(p.id, i.id), detail: "Severity: \(d.severity.rawValue).\n\n\(description)",
                about: threadKey(i.id), key: event, at: now, audience: audience, keyIsNew: true, on: tx)
            try await StatusPages.notifyFollowers(
                of: i, text: "new incident “\(title)” (\(d.severity.rawValue))", key: event, at: now, on: tx)
        }
        return i
    }

    /// Incidents can be raised and handled while the partnership runs and after it ended: some surface late.
    static func requireOpenToIncidents(_ p: Partnership) throws {
        guard p.status == .active || p.status == .ended, p.$partner.id != nil else {
            throw Problem(.conflict, "This partnership is \(p.status.rawValue); incidents need a partnership both sides joined.")
        }
    }

    /// What an incident's mails are about, so a mail client threads them together.
    static func threadKey(_ id: UUID?) -> String { "incident:\(id?.uuidString.lowercased() ?? "")" }

    static func act(
        _ i: Incident, in p: Partnership, action: IncidentAction, note rawNote: String?, rootCause: String? = nil,
        improvementPlan: String? = nil, by actor: Actor, now: Date = Date(), on db: any Database
    ) async throws -> Incident {
        try requireOpenToIncidents(p)
        let note = rawNote?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        guard (note?.length ?? 0) <= 4000 else { throw Problem.invalid("note", "The note must have at most 4000 characters.") }
        guard (rootCause?.length ?? 0) <= 4000 else {
            throw Problem.invalid("rootCause", "The root cause must have at most 4000 characters.")
        }
        guard (improvementPlan?.length ?? 0) <= 4000 else {
            throw Problem.invalid("improvementPlan", "The improvement plan must have at most 4000 characters.")
        }
        let side = Policy.side(of: actor, in: i)
        let notifySide = side == .responsible ? i.$affected.id : i.$responsible.id
        // Who hears of it is not decided by the step: read before the writer's turn (see PartnershipAudience).
        let audience = try await PartnershipAudience.load(of: p, on: db)
        return try await db.writeTransaction { tx in
            // Decided on the row as it is now, locked: two actions at once must not both pass on a stale state.
            let current = try await locked(i.id!, on: tx)
            do throws(IncidentError) {
                current.state = try IncidentLifecycle.apply(
                    action, to: current.state, by: side, at: now, note: note, rootCause: rootCause, improvementPlan: improvementPlan)
            } catch {
                switch error {
                case .noteRequired: throw Problem.invalid("note", error.description)
                case .rootCauseRequired: throw Problem.invalid("rootCause", error.description)
                case .improvementPlanRequired: throw Problem.invalid("improvementPlan", error.description)
                case .wrongSide: throw Problem(.forbidden, error.description)
                case .notAllowed, .reopenWindowClosed: throw Problem(.conflict, error.description)
                }
            }
            // A reopened incident's published account no longer stands.
            if action == .reopen { current.publishedAt = nil }
            // An update changes nothing but the record.
            if action != .update { try await current.save(on: tx) }
            // What changed, for the record: a resolution carries its root cause and plan in the log entry.
            let extra: [String: String] =
                action == .resolve ? ["rootCause": current.rootCause ?? "", "improvementPlan": current.improvementPlan ?? ""] : [:]
            let summary = summary(of: action, current, actor: actor)
            let event = try await Timeline.append(
                p, actor: actor, kind: "incident.\(action.rawValue)", summary: summary, reason: note, incidentID: current.id,
                extra: extra, at: now, audience: audience, on: tx)
            let detail = [note, current.rootCause.map { "Root cause: \($0)" }, current.improvementPlan.map { "What changes: \($0)" }]
            // The first notice of this event: the status page's followers are told after it and still look for it.
            try await Timeline.notify(
                p, side: notifySide, except: actor, kind: .incidentUpdated, text: "\(summary) in \(p.name)",
                link: SiteURL.incident(p.id, current.id),
                detail: (action == .resolve ? detail : [note]).compactMap { $0 }.joined(separator: "\n\n").nilIfEmpty,
                about: threadKey(current.id), key: event, at: now, audience: audience, keyIsNew: true, on: tx)
            if side == .responsible, [.acknowledge, .update, .resolve].contains(action) {
                try await StatusPages.notifyFollowers(
                    of: current, text: "“\(current.title)”: \(action == .resolve ? "resolved" : note ?? "acknowledged")", key: event,
                    at: now, on: tx)
            }
            current.$raisedBy.value = i.$raisedBy.value
            return current
        }
    }

    /// The incident read afresh inside a transaction; on PostgreSQL its row stays locked until the transaction
    /// ends (SQLite runs one writer at a time, so the transaction alone serializes).
    private static func locked(_ id: UUID, on tx: any Database) async throws -> Incident {
        if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // The lock of `lockedRow`, for the reason given there.
            try await sql.raw("SELECT id FROM incidents WHERE id = \(bind: id) FOR NO KEY UPDATE").run()
        }
        guard let fresh = try await Incident.find(id, on: tx) else { throw Problem.notFound("incident") }
        return fresh
    }

    private static func summary(of action: IncidentAction, _ i: Incident, actor: Actor) -> String {
        let who = actor.user.name
        let what = "“\(i.title)”"
        switch action {
        case .acknowledge: return "\(who) acknowledged the incident \(what)"
        case .update: return "\(who) posted an update on \(what)"
        case .resolve: return "\(who) resolved \(what) with a root cause and an improvement plan"
        case .reopen: return "\(who) reopened \(what): the resolution was not accepted"
        case .close: return "\(who) accepted the resolution of \(what) and closed it"
        case .withdraw: return "\(who) withdrew the incident \(what)"
        }
    }

    /// Publishes (or takes down) the responsible side's account of a resolved incident on its public profile.
    /// Only its title, severity, dates, root cause and improvement plan are shown: the description and the
    /// partnership stay private to the two sides.
    static func publish(_ i: Incident, in p: Partnership, _ published: Bool, by actor: Actor, now: Date = Date(), on db: any Database)
        async throws -> Incident
    {
        try Policy.publishIncident(i, by: actor)
        return try await db.writeTransaction { tx in
            let i = try await locked(i.id!, on: tx)
            guard !published || i.status == .resolved || i.status == .closed else {
                throw Problem(.conflict, "Only a resolved incident, with its root cause and improvement plan, can be published.")
            }
            guard (i.publishedAt != nil) != published else { return i }
            i.publishedAt = published ? now : nil
            try await i.save(on: tx)
            try await Timeline.append(
                p, actor: actor, kind: published ? "incident.published" : "incident.unpublished",
                summary: published
                    ? "\(actor.user.name) published the account of “\(i.title)” on their organization's profile"
                    : "\(actor.user.name) took the account of “\(i.title)” off their organization's profile",
                incidentID: i.id, at: now, on: tx)
            return i
        }
    }

    /// With the people who raised them joined in the same query, instead of an eager load's second.
    static func list(in p: Partnership, on db: any Database) async throws -> [Incident] {
        let incidents = try await Incident.query(on: db).join(User.self, on: \Incident.$raisedBy.$id == \User.$id)
            .filter(\.$partnership.$id == p.id!).sort(\.$raisedAt, .descending).limit(500).all()
        for i in incidents { i.$raisedBy.value = try i.joined(User.self) }
        return incidents
    }

    // MARK: Deadlines

    /// Remind the responsible side this long after an incident was raised, if it is still unacknowledged.
    static let remindAfter: TimeInterval = 5 * 86_400

    /// Puts on the record what time alone decides: a reminder before the acknowledgement deadline, and the
    /// verdict once it is reached (mishandled after the deadlines, handled openly once a fix stands uncontested),
    /// each as a log entry with notifications, which also queues the trust recompute. Returns how many it wrote.
    @discardableResult
    static func sweepDeadlines(now: Date = Date(), batch: Int = 200, on db: any Database) async throws -> Int {
        var written = 0
        let due = try await Incident.query(on: db).filter(\.$status == .open).filter(\.$selfReported == false)
            .filter(\.$remindedAt == nil).filter(\.$raisedAt <= now.addingTimeInterval(-remindAfter)).limit(batch).all()
        for stale in due {
            written += try await db.writeTransaction { tx in
                let i = try await locked(stale.id!, on: tx)
                guard i.status == .open, i.remindedAt == nil, let p = try await Partnership.find(i.$partnership.id, on: tx) else {
                    return 0
                }
                i.remindedAt = now
                try await i.save(on: tx)
                let deadline = i.raisedAt.addingTimeInterval(IncidentLifecycle.mishandledAfter)
                try await Timeline.notify(
                    p, side: i.$responsible.id, except: nil, kind: .incidentRaised,
                    text: "“\(i.title)” in \(p.name) is still unacknowledged; from \(TrustService.day(deadline)) it counts as mishandled",
                    link: SiteURL.incident(p.id, i.id), about: threadKey(i.id),
                    key: UUID.derived("incident-reminder|\(i.id!.uuidString)"), at: now, on: tx)
                return 1
            }
        }
        let undecided = try await Incident.query(on: db).filter(\.$verdict == nil).sort(\.$raisedAt).limit(batch).all()
        for candidate in undecided {
            written += try await db.writeTransaction { tx in
                let i = try await locked(candidate.id!, on: tx)
                guard i.verdict == nil, let p = try await Partnership.find(i.$partnership.id, on: tx) else { return 0 }
                let summary: String
                switch IncidentLifecycle.handling(of: i.state, at: now) {
                case .pending:
                    // Ended without a verdict: nothing will change it, so it is not looked at again.
                    if IncidentLifecycle.isSettled(i.state, at: now) {
                        i.verdict = "none"
                        try await i.save(on: tx)
                    }
                    return 0
                case .handledOpenly(_, let why):
                    i.verdict = "handledOpenly"
                    summary = "“\(i.title)” counts as handled openly: \(why)"
                case .mishandled(_, let why):
                    i.verdict = "mishandled"
                    summary = "“\(i.title)” counts as mishandled: \(why)"
                }
                try await i.save(on: tx)
                let event = try await Timeline.append(
                    p, actor: nil, kind: "incident.\(i.verdict!)", summary: summary, incidentID: i.id, at: now, on: tx)
                try await Passports.record(i, in: p, at: now, on: tx)
                try await Timeline.notify(
                    p, side: nil, except: nil, kind: .incidentUpdated, text: "\(summary) (\(p.name))",
                    link: SiteURL.incident(p.id, i.id), about: threadKey(i.id), key: event, at: now, on: tx)
                return 1
            }
        }
        return written
    }

    // MARK: Evidence and the public record

    /// What trust reads of an incident: its title and the state its handling is judged on, as plain values.
    struct EvidenceFacts: Decodable {
        var affected: UUID
        var responsible: UUID
        var title: String
        var severity: IncidentSeverity
        var raisedAt: Date
        var selfReported: Bool
        var status: IncidentStatus
        var acknowledgedAt: Date?
        var resolvedAt: Date?
        var closedAt: Date?
        var rootCause: String?
        var improvementPlan: String?
        var reopenCount: Int
        var reopenedAt: Date?

        enum CodingKeys: String, CodingKey {
            case title, severity, status
            case affected = "affected_organization_id", responsible = "responsible_organization_id"
            case raisedAt = "raised_at", selfReported = "self_reported", acknowledgedAt = "acknowledged_at"
            case resolvedAt = "resolved_at", closedAt = "closed_at", rootCause = "root_cause", improvementPlan = "improvement_plan"
            case reopenCount = "reopen_count", reopenedAt = "reopened_at"
        }

        var state: IncidentState {
            IncidentState(
                status: status, severity: severity, raisedAt: raisedAt, selfReported: selfReported, acknowledgedAt: acknowledgedAt,
                resolvedAt: resolvedAt, closedAt: closedAt, rootCause: rootCause, improvementPlan: improvementPlan,
                reopenCount: reopenCount, reopenedAt: reopenedAt)
        }
    }

    /// What incidents tell the affected side about the responsible one.
    static func evidence(viewer: UUID, subject: UUID, at now: Date, on db: any Database) async throws -> [TrustEvidence] {
        let incidents = try await db.sql().select().columns(evidenceColumns).from(Incident.schema)
            .where("affected_organization_id", .equal, SQLBind(viewer))
            .where("responsible_organization_id", .equal, SQLBind(subject))
            .where("status", .notEqual, SQLBind(IncidentStatus.withdrawn.rawValue))
            .all(decoding: EvidenceFacts.self)
        return evidence(from: incidents, at: now)
    }

    /// The same for many pairs at once (the background recompute's batch).
    static func evidence(for pairs: [TrustService.Pair], at now: Date, on db: any Database) async throws
        -> [TrustService.Pair: [TrustEvidence]]
    {
        let incidents = try await TrustService.rows(
            of: pairs, belongingTo: { (i: EvidenceFacts) in [TrustService.Pair(viewer: i.affected, subject: i.responsible)] }
        ) { (slice: [TrustService.Pair]) -> [EvidenceFacts] in
            try await db.sql().select().columns(evidenceColumns).from(Incident.schema)
                .where("affected_organization_id", .in, SQLBind.group(TrustService.viewerIDs(of: slice)))
                .where("responsible_organization_id", .in, SQLBind.group(TrustService.subjectIDs(of: slice)))
                .where("status", .notEqual, SQLBind(IncidentStatus.withdrawn.rawValue))
                .all(decoding: EvidenceFacts.self)
        }
        return incidents.mapValues { evidence(from: $0, at: now) }
    }

    static let evidenceColumns = [
        "affected_organization_id", "responsible_organization_id", "title", "severity", "raised_at", "self_reported", "status",
        "acknowledged_at", "resolved_at", "closed_at", "root_cause", "improvement_plan", "reopen_count", "reopened_at",
    ]

    /// The items of one pair's incidents, already read.
    static func evidence(from incidents: [EvidenceFacts], at now: Date) -> [TrustEvidence] {
        var items: [TrustEvidence] = []
        for i in incidents {
            let weight = i.severity.weight
            let what = "“\(i.title)”"
            items.append(
                .init(
                    // Disclosing costs half: owning up before anyone complains is what we want to encourage.
                    kind: .incident, date: i.raisedAt, weight: i.selfReported ? weight / 2 : weight,
                    summary: "\(i.selfReported ? "Disclosed" : "Had") a \(i.severity.rawValue) incident: \(what)"))
            switch IncidentLifecycle.handling(of: i.state, at: now) {
            case .handledOpenly(let at, let why):
                items.append(.init(kind: .incidentHandledOpenly, date: at, weight: weight, summary: "Handled \(what) openly: \(why)"))
            case .mishandled(let at, let why):
                items.append(.init(kind: .incidentMishandled, date: at, weight: weight, summary: "Mishandled \(what): \(why)"))
            case .pending:
                break
            }
        }
        return items
    }

    /// How an organization handles incidents raised against it, as anyone may see it on its profile.
    struct Record: Sendable, Equatable {
        /// Incidents in the window, withdrawn ones left out.
        var total: Int
        var bySeverity: [IncidentSeverity: Int]
        var selfReported: Int
        /// Raised by partners (not disclosed), and by how many different partners.
        var raisedByPartners: Int
        var partnersRaising: Int
        /// Of those raised by partners, acknowledged within `IncidentLifecycle.acknowledgeWithin`; the median is of
        /// those too (a disclosure is acknowledged at once and would flatter both).
        var acknowledgedPromptly: Int
        var medianAcknowledgeSeconds: Double?
        var resolved: Int
        var open: Int
        var handledOpenly: Int
        var mishandled: Int
        var published: [Published]

        struct Published: Sendable, Equatable {
            var id: UUID
            var title: String
            var severity: IncidentSeverity
            var occurredAt: Date
            var acknowledgedAt: Date?
            var resolvedAt: Date?
            var closedAt: Date?
            var rootCause: String
            var improvementPlan: String
            var publishedAt: Date
        }
    }

    static let recordWindow: TimeInterval = 365 * 86_400

    /// The most incidents of one organization a record counts.
    static let recordLimit = 5_000

    static func record(of organization: UUID, at now: Date = Date(), on db: any Database) async throws -> Record {
        let incidents = try await Incident.query(on: db).filter(\.$responsible.$id == organization)
            .filter(\.$raisedAt >= now.addingTimeInterval(-recordWindow)).filter(\.$status != .withdrawn)
            .sort(\.$raisedAt, .descending).limit(recordLimit).all()
        var record = counted(incidents, at: now)
        // Published accounts stay up whatever their age.
        let published = try await Incident.query(on: db).filter(\.$responsible.$id == organization).filter(\.$publishedAt != nil)
            .sort(\.$publishedAt, .descending).limit(50).all()
        record.published = published.map { i in
            .init(
                id: i.id!, title: i.title, severity: i.severity, occurredAt: i.occurredAt, acknowledgedAt: i.acknowledgedAt,
                resolvedAt: i.resolvedAt, closedAt: i.closedAt, rootCause: i.rootCause ?? "", improvementPlan: i.improvementPlan ?? "",
                publishedAt: i.publishedAt!)
        }
        return record
    }

    /// The records of many organizations in one query, as `record(of:)` counts them but without the published accounts
    /// (`published` is empty): a search shows only the figures of each result, and reading them one organization at a
    /// time was two queries a result.
    static func records(of organizations: [UUID], at now: Date = Date(), on db: any Database) async throws -> [UUID: Record] {
        let ids = Array(Set(organizations))
        guard !ids.isEmpty else { return [:] }
        let incidents = try await Incident.query(on: db).filter(\.$responsible.$id ~~ ids)
            .filter(\.$raisedAt >= now.addingTimeInterval(-recordWindow)).filter(\.$status != .withdrawn)
            .sort(\.$raisedAt, .descending).all()
        // Grouping keeps the newest-first order, so each keeps the same newest incidents its own query would.
        let byOrganization = Dictionary(grouping: incidents, by: { $0.$responsible.id })
        return Dictionary(
            uniqueKeysWithValues: ids.map { id in (id, counted(Array((byOrganization[id] ?? []).prefix(recordLimit)), at: now)) })
    }

    /// The figures of a record from its incidents in the window, newest first.
    private static func counted(_ incidents: [Incident], at now: Date) -> Record {
        let raised = incidents.filter { !$0.selfReported }
        let delays = raised.compactMap { i in i.acknowledgedAt.map { $0.timeIntervalSince(i.raisedAt) } }
        var record = Record(
            total: incidents.count, bySeverity: Dictionary(grouping: incidents, by: \.severity).mapValues(\.count),
            selfReported: incidents.count - raised.count, raisedByPartners: raised.count,
            partnersRaising: Set(raised.map(\.$affected.id)).count,
            acknowledgedPromptly: delays.filter { $0 <= IncidentLifecycle.acknowledgeWithin }.count,
            medianAcknowledgeSeconds: ResponseStatistics.median(delays),
            resolved: incidents.filter { $0.status == .resolved || $0.status == .closed }.count,
            open: incidents.filter { $0.status == .open || $0.status == .acknowledged }.count, handledOpenly: 0, mishandled: 0,
            published: [])
        for i in incidents {
            switch IncidentLifecycle.handling(of: i.state, at: now) {
            case .handledOpenly: record.handledOpenly += 1
            case .mishandled: record.mishandled += 1
            case .pending: break
            }
        }
        return record
    }
}
