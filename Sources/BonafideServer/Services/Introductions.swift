import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Introductions, not blasts: to reach an organization one asks a contact both know, who introduces with a
/// personal note or declines. Near-identical requests to many organizations in a day are refused, recorded, and
/// count against the sender's self-orientation in the eyes of those it tried to reach.
enum Introductions {
    static let blastWindow: TimeInterval = 86_400
    /// How alike two messages must read (`TextMatch.similarity`) to count as the same message.
    static let blastSimilarity = 0.6
    /// Near-identical requests to this many different organizations within the window make a blast.
    static let blastTargets = 3
    static let messageLength = 20...2_000
    /// However personal, no organization needs more introductions than this in a day.
    static let dailyLimit = 20

    struct Entry: Sendable {
        var id: UUID
        var requester: String
        var requesterID: UUID
        var requestedBy: String
        var target: String
        var targetID: UUID
        var via: String
        var viaID: UUID
        var message: String
        var status: IntroductionStatus
        var introducerNote: String?
        var decidedAt: Date?
        var createdAt: Date
    }

    /// Whether one organization knows another well enough to introduce it: a partnership (active or ended), or a
    /// place in its circles from connected up.
    static func knows(_ a: UUID, _ b: UUID, on db: any Database) async throws -> Bool {
        if try await Partnerships.between(a, b, on: db).contains(where: { $0.status == .active || $0.status == .ended }) { return true }
        let placement = try await Circles.placement(of: b, by: a, on: db)
        return placement.map { $0.circle >= .connected } ?? false
    }

    /// The organizations that know both the asker's organization and the target, by name: each of the asker's
    /// contacts (as `knows` counts them) that knows the target. One query: asking `knows` of each contact in turn was
    /// two reads of models a contact, on every profile of an organization the viewer does not know yet.
    static func sharedContacts(of actor: Actor, and target: UUID, on db: any Database) async throws -> [(id: UUID, name: String)] {
        let own = actor.organizationID
        let started = SQLBind.group([PartnershipStatus.active.rawValue, PartnershipStatus.ended.rawValue])
        let close = SQLBind.group(Circle.allCases.filter { $0 >= .connected }.map(\.rawValue))
        let rows = try await db.sql().raw(
            """
            SELECT o.id, o.name FROM organizations o
            WHERE o.id <> \(bind: target)
              AND o.id IN (
                    SELECT CASE WHEN p.organization_id = \(bind: own) THEN p.partner_organization_id ELSE p.organization_id END
                    FROM partnerships p
                    WHERE p.status IN \(started) AND (p.organization_id = \(bind: own) OR p.partner_organization_id = \(bind: own))
                    UNION
                    SELECT c.member_id FROM circle_placements c WHERE c.organization_id = \(bind: own) AND c.circle IN \(close))
              AND (EXISTS (
                      SELECT 1 FROM partnerships k
                      WHERE k.status IN \(started)
                        AND ((k.organization_id = o.id AND k.partner_organization_id = \(bind: target))
                          OR (k.organization_id = \(bind: target) AND k.partner_organization_id = o.id)))
                   OR EXISTS (
                      SELECT 1 FROM circle_placements t
                      WHERE t.organization_id = o.id AND t.member_id = \(bind: target) AND t.circle IN \(close)))
            """
        ).all()
        return try rows.map { row in (id: try row.decodeUUID(column: "id"), name: try row.decode(column: "name", as: String.self)) }
            .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
    }

    enum Outcome: Sendable {
        case requested(Introduction)
        case refused(alike: Int)
    }

    /// Asks `via` to introduce the actor's organization to `target`. Refuses (and records) the request when it reads
    /// like the requests already sent to other organizations today.
    static func request(
        target: UUID?, via: UUID?, message raw: String, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> Introduction {
        let own = actor.organizationID
        let message = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let target, let targetOrg = try await Organization.find(target, on: db), target != own else {
            throw Problem.notFound("organization")
        }
        guard let via, via != own, via != target, let viaOrg = try await Organization.find(via, on: db) else {
            throw Problem.invalid("viaOrganizationId", "Choose an organization other than yours and theirs to introduce you.")
        }
        guard messageLength.contains(message.length) else {
            throw Problem.invalid(
                "message",
                "Tell \(viaOrg.name) in \(messageLength.lowerBound) to \(messageLength.upperBound) characters why you want to meet \(targetOrg.name)."
            )
        }
        // Only what the asker can know counts on its side (a partnership, or its own circles): whether the contact
        // keeps the asker in a circle stays the contact's secret.
        let knowsAsker = try await knows(own, via, on: db)
        guard knowsAsker, try await knows(via, target, on: db) else {
            throw Problem(
                .unprocessableEntity, "\(viaOrg.name) cannot introduce you to \(targetOrg.name): ask an organization that knows you both.")
        }
        let outcome = try await db.writeTransaction { tx -> Outcome in
            // One request at a time per organization, so two sent together cannot both slip under the blast limit.
            _ = try await tx.lockedRow(Organization.self, own)
            let recent = try await Introduction.query(on: tx).filter(\.$requester.$id == own)
                .filter(\.$createdAt >= now.addingTimeInterval(-blastWindow)).all()
            guard recent.count < dailyLimit else {
                throw Problem(
                    .tooManyRequests, "Your organization asked for \(dailyLimit) introductions in the last day; ask again tomorrow.")
            }
            if recent.contains(where: { $0.$target.id == target && $0.$via.id == via && $0.status == .requested }) {
                throw Problem(.conflict, "You already asked \(viaOrg.name) to introduce you to \(targetOrg.name); wait for their answer.")
            }
            let alike = recent.filter { $0.$target.id != target && TextMatch.similarity($0.message, message) >= blastSimilarity }
            let introduction = Introduction()
            introduction.$requester.id = own
            introduction.$requestedBy.id = actor.id
            introduction.$target.id = target
            introduction.$via.id = via
            introduction.message = message
            introduction.createdAt = now
            let blast = Set(alike.map(\.$target.id)).count + 1 >= blastTargets
            introduction.status = blast ? .refused : .requested
            introduction.blast = blast
            try await introduction.save(on: tx)
            var viewers = [via, target]
            if blast {
                for earlier in alike where !earlier.blast {
                    earlier.blast = true
                    try await earlier.save(on: tx)
                }
                viewers += alike.flatMap { [$0.$via.id, $0.$target.id] }
            } else {
                try await Notifier.notify(
                    try await Accounts.managers(of: via, on: tx),
                    of: .init(
                        kind: .introduction, text: "\(actor.user.name) asks you to introduce them to \(targetOrg.name)",
                        link: SiteURL.introductions(),
                        detail: message, about: "introduction:\(Access.key(introduction.id!))", key: Access.key(introduction.id!)),
                    at: now, on: tx)
            }
            try await TrustService.enqueue(Set(viewers).map { ($0, own) }, at: now, on: tx)
            return blast ? .refused(alike: alike.count) : .requested(introduction)
        }
        switch outcome {
        case .requested(let introduction): return introduction
        case .refused(let alike):
            throw Problem(
                .unprocessableEntity,
                "Not sent: this reads like the \(alike) other request\(alike == 1 ? "" : "s") you sent to other organizations in the last day. Write to each one personally (what you know of them, what you ask of them); mass outreach counts against your organization's trust."
            )
        }
    }

    /// The shared contact's answer (its owners and admins): accept with a personal note to the target, or decline.
    /// Two answers at once: one wins, the other gets 409.
    static func decide(_ id: UUID?, accept: Bool, note raw: String, by actor: Actor, at now: Date = Date(), on db: any Database)
        async throws -> Introduction
    {
        let note = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id else { throw Problem.notFound("introduction") }
        return try await db.writeTransaction { tx in
            guard let i = try await tx.lockedRow(Introduction.self, id), i.$via.id == actor.organizationID, i.status != .refused else {
                throw Problem.notFound("introduction")
            }
            try Policy.manageOrganization(actor)
            guard i.status == .requested else { throw Problem(.conflict, "This introduction was already \(i.status.rawValue).") }
            if accept, !(1...1_000).contains(note.length) {
                throw Problem.invalid("note", "Introduce them in a personal note of up to 1000 characters: why should they meet?")
            }
            guard note.length <= 1_000 else { throw Problem.invalid("note", "A note has at most 1000 characters.") }
            i.status = accept ? .accepted : .declined
            i.introducerNote = note.isEmpty ? nil : note
            i.$decidedBy.id = actor.id
            i.decidedAt = now
            try await i.save(on: tx)
            let introducer = try await Organization.find(actor.organizationID, on: tx)?.name ?? "Your contact"
            let requester = try await Organization.find(i.$requester.id, on: tx)?.name ?? "an organization"
            let target = try await Organization.find(i.$target.id, on: tx)?.name ?? "an organization"
            let key = Access.key(id)
            try await Notifier.notify(
                [i.$requestedBy.id],
                of: .init(
                    kind: .introduction,
                    text: accept ? "\(introducer) introduced you to \(target)" : "\(introducer) declined to introduce you to \(target)",
                    link: SiteURL.introductions(), detail: i.introducerNote, about: "introduction:\(key)", key: "\(key):answer"),
                at: now, on: tx)
            if accept {
                try await Notifier.notify(
                    try await Accounts.managers(of: i.$target.id, on: tx),
                    of: .init(
                        kind: .introduction, text: "\(introducer) introduces \(requester) to you", link: SiteURL.introductions(),
                        detail: "\(note)\n\n\(requester) wrote: \(i.message)", about: "introduction:\(key)", key: "\(key):target"),
                    at: now, on: tx)
                try await TrustService.enqueue(viewer: i.$target.id, subject: i.$requester.id, at: now, on: tx)
            }
            return i
        }
    }

    /// What the organization asked, what it is asked to introduce, and the introductions made to it.
    static func involving(_ actor: Actor, on db: any Database) async throws -> [Entry] {
        let own = actor.organizationID
        let rows = try await Introduction.query(on: db)
            .group(.or) { $0.filter(\.$requester.$id == own).filter(\.$via.$id == own).filter(\.$target.$id == own) }
            .with(\.$requester).with(\.$target).with(\.$via).with(\.$requestedBy).sort(\.$createdAt, .descending).limit(200).all()
        return rows.filter { i in
            i.$requester.id == own || (i.$via.id == own && i.status != .refused) || (i.$target.id == own && i.status == .accepted)
        }
        .map { i in
            Entry(
                id: i.id!, requester: i.requester.name, requesterID: i.$requester.id, requestedBy: i.requestedBy.name,
                target: i.target.name,
                targetID: i.$target.id, via: i.via.name, viaID: i.$via.id, message: i.message, status: i.status,
                introducerNote: i.introducerNote, decidedAt: i.decidedAt, createdAt: i.createdAt)
        }
    }

    /// Requests the subject sent through or to the viewer: a personal one is a sign of interest in the viewer, one
    /// of a blast (refused or not) a sign of mass outreach.
    static func evidence(viewer: UUID, subject: UUID, on db: any Database) async throws -> [TrustEvidence] {
        let rows = try await db.sql().select().columns(evidenceColumns)
            .from(Introduction.schema).where("requester_organization_id", .equal, SQLBind(subject))
            .where { $0.where("via_organization_id", .equal, SQLBind(viewer)).orWhere("target_organization_id", .equal, SQLBind(viewer)) }
            .all(decoding: EvidenceFacts.self)
        return evidence(from: rows, viewer: viewer)
    }

    /// The same for many pairs at once (the background recompute's batch). A request counts for its introducer and
    /// for its target, each as viewer of the requester.
    static func evidence(for pairs: [TrustService.Pair], on db: any Database) async throws -> [TrustService.Pair: [TrustEvidence]] {
        // 166 pairs bind at most 166 requesters and twice 166 viewers.
        let requests = try await TrustService.rows(
            of: pairs, perStatement: TrustService.bindsPerStatement / 3,
            belongingTo: { (i: EvidenceFacts) in
                [TrustService.Pair(viewer: i.via, subject: i.requester), TrustService.Pair(viewer: i.target, subject: i.requester)]
            }
        ) { (slice: [TrustService.Pair]) -> [EvidenceFacts] in
            let viewers = TrustService.viewerIDs(of: slice)
            return try await db.sql().select().columns(evidenceColumns).from(Introduction.schema)
                .where("requester_organization_id", .in, SQLBind.group(TrustService.subjectIDs(of: slice)))
                .where {
                    $0.where("via_organization_id", .in, SQLBind.group(viewers)).orWhere(
                        "target_organization_id", .in, SQLBind.group(viewers))
                }
                .all(decoding: EvidenceFacts.self)
        }
        var found: [TrustService.Pair: [TrustEvidence]] = [:]
        for (pair, rows) in requests { found[pair] = evidence(from: rows, viewer: pair.viewer) }
        return found
    }

    /// What trust reads of a request for an introduction.
    struct EvidenceFacts: Decodable {
        var requester: UUID
        var via: UUID
        var target: UUID
        var blast: Bool
        var status: IntroductionStatus
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case requester = "requester_organization_id", via = "via_organization_id", target = "target_organization_id"
            case blast, status
            case createdAt = "created_at"
        }
    }

    static let evidenceColumns = [
        "requester_organization_id", "via_organization_id", "target_organization_id", "blast", "status", "created_at",
    ]

    /// The items of the subject's requests through or to the viewer, already read.
    static func evidence(from rows: [EvidenceFacts], viewer: UUID) -> [TrustEvidence] {
        rows.compactMap { i in
            let toViewer = i.target == viewer
            if i.blast {
                return TrustEvidence(
                    kind: .massOutreach, date: i.createdAt,
                    summary:
                        "Sent the same request for an introduction to many organizations, \(toViewer ? "you among them" : "through you")")
            }
            // The target hears of a request only once introduced.
            guard !toViewer || i.status == .accepted else { return nil }
            return TrustEvidence(
                kind: .personalMessage, date: i.createdAt,
                summary: toViewer ? "Asked to be introduced to you personally" : "Asked you personally for an introduction")
        }
    }
}
