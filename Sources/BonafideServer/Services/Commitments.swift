import BonafideCore
import Fluent
import Foundation
import SQLKit

enum Commitments {
    struct Draft: Sendable {
        var title: String
        var deliverable: String = ""
        var acceptanceCriteria: String = ""
        var dueAt: Date
        var timeZone: String?
        var ownerID: UUID?
    }

    static func create(_ d: Draft, in p: Partnership, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Commitment {
        try Policy.requireActive(p)
        let title = d.title.trimmingCharacters(in: .whitespacesAndNewlines)
        try validate(CommitmentWording(title: d.title, deliverable: d.deliverable, acceptanceCriteria: d.acceptanceCriteria))
        guard d.dueAt > now else { throw Problem.invalid("dueAt", "The due date must be in the future.") }
        guard d.dueAt < now.addingTimeInterval(10 * 365 * 86_400) else {
            throw Problem.invalid("dueAt", "The due date must be within ten years.")
        }
        let zone = d.timeZone ?? actor.user.timeZone
        guard Validation.isTimeZone(zone) else {
            throw Problem.invalid("timeZone", "\"\(zone)\" is not an IANA time zone such as Europe/Berlin.")
        }
        let ownerID = d.ownerID ?? actor.id
        guard let owner = try await User.find(ownerID, on: db), owner.$organization.id == actor.organizationID else {
            throw Problem.invalid("ownerId", "The owner must be a colleague on your side of the partnership.")
        }
        guard let recipient = p.otherSide(of: actor.organizationID) else { throw Problem(.conflict, "The partnership has no partner yet.") }
        let c = Commitment()
        c.$partnership.id = p.id!
        c.title = title
        c.deliverable = d.deliverable
        c.acceptanceCriteria = d.acceptanceCriteria
        c.$owner.id = ownerID
        c.$ownerOrganization.id = actor.organizationID
        c.$recipientOrganization.id = recipient
        c.dueAt = d.dueAt
        c.timeZone = zone
        c.status = .proposed
        c.atRisk = false
        c.$createdBy.id = actor.id
        c.createdAt = now
        // Who hears of it is not decided by the proposal: read before the writer's turn (see PartnershipAudience). The
        // owner made a member below is on the proposing side, which is not told.
        let audience = try await PartnershipAudience.load(of: p, on: db)
        try await db.writeTransaction { tx in
            try await c.insert(on: tx)
            try await Partnerships.ensureMember(ownerID, of: actor.organizationID, in: p.id!, on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "commitment.proposed",
                summary: "\(actor.user.name) proposed “\(title)”, owned by \(owner.name)", commitmentID: c.id, at: now,
                audience: audience, on: tx)
            try await Timeline.notify(
                p, side: recipient, except: actor, kind: .commitmentProposed,
                text: "\(owner.name) proposes “\(title)” in \(p.name); accept or decline it", link: SiteURL.commitment(p.id, c.id),
                detail: "Due \(Notifier.dueText(c.dueAt, zone: c.timeZone)).\n\nDeliverable: \(c.deliverable)",
                about: Self.threadKey(c.id), key: event, at: now, audience: audience, keyIsNew: true, on: tx)
        }
        c.$owner.value = owner
        return c
    }

    static func transition(
        _ c: Commitment, in p: Partnership, action: CommitmentAction, reason: String?, newDueAt: Date?,
        by actor: Actor, now: Date = Date(), on db: any Database
    ) async throws -> Commitment {
        guard p.status == .active || p.status == .ended else { try Policy.requireActive(p); return c }
        if p.status == .ended, action != .approveDelivery {
            throw Problem(.conflict, "This partnership has ended; only deliveries can still be accepted.")
        }
        let side = Policy.side(of: actor, in: c)
        let reasonText = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        guard (reasonText?.length ?? 0) <= 2000 else { throw Problem.invalid("reason", "The reason must have at most 2000 characters.") }
        let notifySide = side == .owner ? c.$recipientOrganization.id : c.$ownerOrganization.id
        let owner = c.$owner.value
        // Who hears of it is not decided by the transition: read before the writer's turn (see PartnershipAudience).
        let audience = try await PartnershipAudience.load(of: p, on: db)
        return try await db.writeTransaction { tx in
            // Decided on the row as it is now, locked: two actions at once must not both pass on a stale state.
            guard let current = try await tx.lockedRow(Commitment.self, c.id!) else { throw Problem.notFound("commitment") }
            let before = current.state
            do throws(LifecycleError) {
                current.state = try CommitmentLifecycle.apply(action, to: before, by: side, at: now, reason: reason, newDueAt: newDueAt)
            } catch {
                switch error {
                case .reasonRequired: throw Problem.invalid("reason", error.description)
                case .dueDateRequired, .dueDateNotInFuture: throw Problem.invalid("dueAt", error.description)
                case .wrongSide: throw Problem(.forbidden, error.description)
                default: throw Problem(.conflict, error.description)
                }
            }
            // Early notice is evidence: remember the first time the owner warned before the due date.
            if action == .flagAtRisk || action == .proposeNewDate, current.flaggedAt == nil, now < before.dueAt { current.flaggedAt = now }
            // Proposed wording applies to accepted work only: delivered or ended work is judged by the words it had.
            if current.status != .accepted { current.clearPendingChange() }
            let summary = summary(of: action, current, actor: actor, newDueAt: newDueAt)
            // A new due date earns a new "due within 48 hours" notice.
            if current.dueAt != before.dueAt { current.dueSoonNotifiedAt = nil }
            try await current.updateChanges(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "commitment.\(action.rawValue)", summary: summary,
                reason: reasonText, commitmentID: current.id, at: now, audience: audience, on: tx)
            if action == .approveDelivery { try await Passports.record(current, in: p, at: now, on: tx) }
            try await Timeline.notify(
                p, side: notifySide, except: actor, kind: .commitment(action), text: "\(summary) in \(p.name)",
                link: SiteURL.commitment(p.id, current.id), detail: reasonText.map { "Their reason: \($0)" },
                about: Self.threadKey(current.id), key: event, at: now, audience: audience, keyIsNew: true, on: tx)
            current.$owner.value = owner
            return current
        }
    }

    /// Rewrites a proposal (its own side, before acceptance: at once, due date included) or proposes new wording for an
    /// accepted commitment, which waits for the other side (`decideChange`). Decided on the locked row.
    static func edit(
        _ c: Commitment, in p: Partnership, to wording: CommitmentWording, dueAt: Date?, by actor: Actor, now: Date = Date(),
        on db: any Database
    ) async throws -> Commitment {
        try Policy.requireActive(p)
        try validate(wording)
        let side = Policy.side(of: actor, in: c)
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(Commitment.self, c.id!) else { throw Problem.notFound("commitment") }
            guard
                let mode = CommitmentEditing.mode(
                    status: current.status, side: side, changePending: current.pendingChangeSide != nil)
            else {
                throw Problem(
                    .conflict,
                    current.pendingChangeSide != nil
                        ? "A change of wording is already waiting for an answer; it must be accepted or refused first."
                        : current.status == .proposed
                            ? "Only the side that promises it can change a proposal; decline it and say why instead."
                            : "A \(current.status.rawValue) commitment can no longer be reworded.")
            }
            let before = current.wording
            var changed = wording.changes(from: before)
            var due = current.dueAt
            if let dueAt, mode == .direct, abs(dueAt.timeIntervalSince(current.dueAt)) >= 60 {
                guard dueAt > now else { throw Problem.invalid("dueAt", "The due date must be in the future.") }
                guard dueAt < now.addingTimeInterval(10 * 365 * 86_400) else {
                    throw Problem.invalid("dueAt", "The due date must be within ten years.")
                }
                due = dueAt
                changed.append("due date")
            }
            guard !changed.isEmpty else { throw Problem.invalid("title", "Nothing was changed: edit the wording first.") }
            let what = "“\(before.title)”"
            let list = spoken(changed)
            let summary: String
            let kind: String
            switch mode {
            case .direct:
                current.title = wording.title
                current.deliverable = wording.deliverable
                current.acceptanceCriteria = wording.acceptanceCriteria
                if due != current.dueAt {
                    current.dueAt = due
                    current.dueSoonNotifiedAt = nil
                }
                summary = "\(actor.user.name) changed the \(list) of the proposal \(what)"
                kind = "commitment.edited"
            case .byAgreement:
                current.pendingTitle = wording.title
                current.pendingDeliverable = wording.deliverable
                current.pendingAcceptanceCriteria = wording.acceptanceCriteria
                current.pendingChangeSide = side
                current.pendingChangeBy = actor.id
                current.pendingChangeAt = now
                summary = "\(actor.user.name) proposed a new \(list) for \(what)"
                kind = "commitment.changeProposed"
            }
            try await current.save(on: tx)
            let event = try await Timeline.append(p, actor: actor, kind: kind, summary: summary, commitmentID: current.id, at: now, on: tx)
            try await Timeline.notify(
                p, side: side == .owner ? current.$recipientOrganization.id : current.$ownerOrganization.id, except: actor,
                kind: .commitmentChanged, text: "\(summary) in \(p.name)\(mode == .byAgreement ? "; agree or refuse" : "")",
                link: SiteURL.commitment(p.id, current.id), detail: nil, about: Self.threadKey(current.id), key: event, at: now, on: tx)
            return current
        }
    }

    /// The other side's answer to proposed wording: agreed, it becomes the commitment's; refused, nothing changes.
    static func decideChange(
        _ c: Commitment, in p: Partnership, accept: Bool, by actor: Actor, now: Date = Date(), on db: any Database
    ) async throws -> Commitment {
        try Policy.requireActive(p)
        let side = Policy.side(of: actor, in: c)
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(Commitment.self, c.id!) else { throw Problem.notFound("commitment") }
            guard let proposed = current.pendingWording, let by = current.pendingChangeSide else {
                throw Problem(.conflict, "No change of wording is waiting for an answer.")
            }
            guard CommitmentEditing.mayDecide(status: current.status, side: side, proposedBy: by) else {
                throw Problem(.forbidden, "The change waits for the other side's answer, not yours.")
            }
            let what = "“\(current.title)”"
            let list = spoken(proposed.changes(from: current.wording))
            if accept {
                current.title = proposed.title
                current.deliverable = proposed.deliverable
                current.acceptanceCriteria = proposed.acceptanceCriteria
            }
            current.clearPendingChange()
            try await current.save(on: tx)
            let summary =
                accept
                ? "\(actor.user.name) agreed to the new \(list) of \(what)" : "\(actor.user.name) refused the new \(list) of \(what)"
            let event = try await Timeline.append(
                p, actor: actor, kind: accept ? "commitment.changeAccepted" : "commitment.changeRefused", summary: summary,
                commitmentID: current.id, at: now, on: tx)
            try await Timeline.notify(
                p, side: side == .owner ? current.$recipientOrganization.id : current.$ownerOrganization.id, except: actor,
                kind: .commitmentChanged, text: "\(summary) in \(p.name)", link: SiteURL.commitment(p.id, current.id), detail: nil,
                about: Self.threadKey(current.id), key: event, at: now, on: tx)
            return current
        }
    }

    static func validate(_ w: CommitmentWording) throws {
        guard (1...200).contains(w.title.length) else { throw Problem.invalid("title", "The title must have 1 to 200 characters.") }
        guard w.deliverable.length <= 4000 else {
            throw Problem.invalid("deliverable", "The deliverable must have at most 4000 characters.")
        }
        guard w.acceptanceCriteria.length <= 4000 else {
            throw Problem.invalid("acceptanceCriteria", "The acceptance criteria must have at most 4000 characters.")
        }
    }

    /// "title", "title and deliverable", "title, deliverable and due date".
    static func spoken(_ items: [String]) -> String {
        items.count <= 2 ? items.joined(separator: " and ") : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// What a commitment's mails are about, so a mail client threads them together.
    static func threadKey(_ id: UUID?) -> String { "commitment:\(id?.uuidString.lowercased() ?? "")" }

    private static func summary(of action: CommitmentAction, _ c: Commitment, actor: Actor, newDueAt: Date?) -> String {
        let who = actor.user.name
        let what = "“\(c.title)”"
        switch action {
        case .accept: return "\(who) accepted \(what)"
        case .decline: return "\(who) declined \(what)"
        case .withdraw: return "\(who) withdrew \(what)"
        case .deliver: return "\(who) delivered \(what)"
        case .approveDelivery: return "\(who) accepted the delivery of \(what)"
        case .sendBack: return "\(who) sent \(what) back"
        case .flagAtRisk: return "\(who) flagged \(what) at risk"
        case .clearRisk: return "\(who) cleared the risk on \(what)"
        case .proposeNewDate:
            return "\(who) proposed a new date for \(what): \(newDueAt.map { ISO8601DateFormatter().string(from: $0) } ?? "")"
        case .acceptNewDate: return "\(who) accepted the new date of \(what)"
        case .refuseNewDate: return "\(who) refused the new date of \(what)"
        }
    }

    /// Marks accepted commitments whose due date has passed as missed, and tells both sides.
    /// Safe with several servers: on PostgreSQL the rows are claimed with FOR UPDATE SKIP LOCKED, so
    /// each overdue commitment is marked, recorded and announced exactly once.
    @discardableResult
    static func sweepOverdue(now: Date = Date(), batch: Int = 200, on db: any Database) async throws -> Int {
        try await db.writeTransaction { tx in
            let ids: [UUID]
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
                struct Row: Decodable { var id: UUID }
                ids = try await sql.select().column("id").from(Commitment.schema)
                    .where("status", .equal, CommitmentStatus.accepted.rawValue)
                    .where("due_at", .lessThanOrEqual, now)
                    .orderBy("due_at").limit(batch)
                    .lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED"))
                    .all(decoding: Row.self).map(\.id)
            } else {
                // SQLite runs one writer at a time, so the transaction alone makes the claim exclusive.
                ids = try await Commitment.query(on: tx).filter(\.$status == .accepted).filter(\.$dueAt <= now)
                    .sort(\.$dueAt).limit(batch).all(\.$id)
            }
            guard !ids.isEmpty else { return 0 }
            let overdue = try await Commitment.query(on: tx).filter(\.$id ~~ ids).with(\.$partnership).with(\.$owner).all()
            for c in overdue {
                c.status = .missed
                try await c.save(on: tx)
                let p = c.partnership
                let event = try await Timeline.append(
                    p, actor: nil, kind: "commitment.missed",
                    summary: "“\(c.title)” (owned by \(c.owner.name)) passed its due date undelivered and is missed",
                    commitmentID: c.id, at: now, on: tx)
                try await Passports.recordMissed(c, in: p, at: now, on: tx)
                try await Timeline.notify(
                    p, side: nil, except: nil, kind: .commitmentMissed, text: "“\(c.title)” in \(p.name) was missed",
                    link: SiteURL.commitment(p.id, c.id), detail: "It was due \(Notifier.dueText(c.dueAt, zone: c.timeZone)).",
                    about: Self.threadKey(c.id), key: event, at: now, on: tx)
            }
            return overdue.count
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension Commitments {
    /// Every commitment of the partnership as the API lists them, earliest due first, in one query.
    static func rows(in p: Partnership, on db: any Database) async throws -> [CommitmentRow] {
        let sql = try db.sql()
        let rows = try await sql.raw(
            """
            SELECT \(unsafeRaw: CommitmentRow.columns)
            FROM commitments c JOIN users u ON u.id = c.owner_id
            WHERE c.partnership_id = \(bind: p.id!)
            ORDER BY c.due_at, c.created_at
            """
        ).all()
        return try rows.map(CommitmentRow.init(row:))
    }
}
