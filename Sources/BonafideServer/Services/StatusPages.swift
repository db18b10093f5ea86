import BonafideCore
import Fluent
import Foundation

/// An organization's status page for crisis communication: its open incidents (its own disclosures, and resolved
/// incidents whose account it published) with the updates it posted, and the last 90 days. Off until its owners or
/// admins choose who may see it: everyone, its partners, or a circle. Never shows a partnership's name, the
/// description the raising side wrote, or anything the other side said.
enum StatusPages {
    static let window: TimeInterval = 90 * 86_400

    struct Update: Sendable, Equatable {
        var at: Date
        var text: String
    }

    struct Entry: Sendable, Equatable {
        var id: UUID
        var title: String
        var severity: IncidentSeverity
        var status: IncidentStatus
        var startedAt: Date
        var resolvedAt: Date?
        var disclosed: Bool
        var rootCause: String?
        var improvementPlan: String?
        var updates: [Update]
    }

    struct Page: Sendable, Equatable {
        var organizationID: UUID
        var organizationName: String
        var visibility: StatusPageVisibility
        var open: [Entry]
        var past: [Entry]
        var subscribed: Bool
    }

    static func visibility(of org: Organization) -> StatusPageVisibility { .init(rawValue: org.statusPageText) ?? .off }

    /// Whether `viewer` (an organization, or nil when signed out) may see `org`'s page; its own people always may.
    static func canSee(_ org: Organization, viewer: UUID?, on db: any Database) async throws -> Bool {
        guard let audience = visibility(of: org).audience else { return viewer == org.id }
        let subject: Access.Subject = viewer.map { .members(of: $0) } ?? .anyone
        return try await Access.check(subject, "reader", .shared(organization: org.id!, name: "statusPage", audience: audience), on: db)
            .allowed
    }

    /// The page, or 404 for whoever may not see it (its existence included).
    static func page(of organizationID: UUID?, viewer: Actor?, now: Date = Date(), on db: any Database) async throws -> Page {
        guard let organizationID, let org = try await Organization.find(organizationID, on: db),
            try await canSee(org, viewer: viewer?.organizationID, on: db)
        else { throw Problem.notFound("status page") }
        let incidents = try await Incident.query(on: db).filter(\.$responsible.$id == organizationID)
            .group(.or) { $0.filter(\.$selfReported == true).filter(\.$publishedAt != nil) }
            .sort(\.$raisedAt, .descending).limit(200).all()
        let shown = incidents.filter { i in
            // Withdrawn disclosures are gone from the page; resolved ones only with a published account.
            i.status != .withdrawn && (i.publishedAt != nil || i.status == .open || i.status == .acknowledged || i.selfReported)
        }
        let ids = shown.map { $0.id! }
        let events =
            ids.isEmpty ? [] : try await PartnershipEvent.query(on: db).filter(\.$incidentID ~~ ids).with(\.$actor).sort(\.$createdAt).all()
        func updates(_ i: Incident) -> [Update] {
            events.filter { $0.incidentID == i.id && $0.actor?.$organization.id == organizationID }
                .compactMap { e in
                    let note = e.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                    switch e.kind {
                    case "incident.disclosed": return Update(at: e.createdAt, text: "Disclosed by \(org.name).")
                    case "incident.acknowledge": return Update(at: e.createdAt, text: note.isEmpty ? "Acknowledged; we are on it." : note)
                    case "incident.update": return note.isEmpty ? nil : Update(at: e.createdAt, text: note)
                    case "incident.resolve": return Update(at: e.createdAt, text: "Resolved." + (note.isEmpty ? "" : " \(note)"))
                    default: return nil
                    }
                }
        }
        let entries = shown.map { i in
            Entry(
                id: i.id!, title: i.title, severity: i.severity, status: i.status, startedAt: i.raisedAt, resolvedAt: i.resolvedAt,
                disclosed: i.selfReported, rootCause: i.publishedAt != nil ? i.rootCause : nil,
                improvementPlan: i.publishedAt != nil ? i.improvementPlan : nil, updates: updates(i))
        }
        let subscribed =
            try await viewer.asyncFlatMap {
                try await StatusSubscription.query(on: db).filter(\.$organization.$id == organizationID).filter(\.$user.$id == $0.id)
                    .first()
            } != nil
        return Page(
            organizationID: organizationID, organizationName: org.name, visibility: visibility(of: org),
            open: entries.filter { $0.status == .open || $0.status == .acknowledged },
            past: entries.filter {
                ($0.status == .resolved || $0.status == .closed) && ($0.resolvedAt ?? $0.startedAt) >= now.addingTimeInterval(-window)
            },
            subscribed: subscribed)
    }

    static func setVisibility(_ raw: String, by actor: Actor, on db: any Database) async throws -> StatusPageVisibility {
        try Policy.manageOrganization(actor)
        guard let visibility = StatusPageVisibility(rawValue: raw) else {
            throw Problem.invalid(
                "visibility", "Choose who sees the status page: \(StatusPageVisibility.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        try await db.writeTransaction { tx in
            guard let org = try await tx.lockedRow(Organization.self, actor.organizationID) else { throw Problem.notFound("organization") }
            org.statusPageText = visibility.rawValue
            try await org.save(on: tx)
        }
        return visibility
    }

    /// Follows a page the person may see; idempotent.
    static func subscribe(_ organizationID: UUID?, _ on: Bool, by actor: Actor, now: Date = Date(), on db: any Database) async throws {
        let page = try await page(of: organizationID, viewer: actor, now: now, on: db)
        try await db.writeTransaction { tx in
            // The person's row, locked: a double click decides once (following twice is following).
            _ = try await tx.lockedRow(User.self, actor.id)
            let existing = try await StatusSubscription.query(on: tx).filter(\.$organization.$id == page.organizationID)
                .filter(\.$user.$id == actor.id).first()
            if on, existing == nil {
                let s = StatusSubscription()
                s.$organization.id = page.organizationID
                s.$user.id = actor.id
                s.createdAt = now
                try await s.save(on: tx)
            } else if !on, let existing {
                try await existing.delete(on: tx)
            }
        }
    }

    /// Mails the page's followers about an update on an incident shown there, in the caller's transaction. People
    /// who may no longer see the page are skipped; members of the partnership already had the event's own mail (the
    /// same key: one mail each).
    static func notifyFollowers(of incident: Incident, text: String, key: UUID, at now: Date, on db: any Database) async throws {
        guard incident.selfReported || incident.publishedAt != nil,
            let org = try await Organization.find(incident.$responsible.id, on: db), visibility(of: org) != .off
        else { return }
        let followers = try await StatusSubscription.query(on: db).filter(\.$organization.$id == org.id!).with(\.$user).all()
        var seeing: [UUID: Bool] = [:]
        var allowed: [UUID] = []
        for f in followers {
            let theirs = f.user.$organization.id
            if seeing[theirs] == nil { seeing[theirs] = try await canSee(org, viewer: theirs, on: db) }
            if seeing[theirs] == true { allowed.append(f.$user.id) }
        }
        try await Notifier.notify(
            allowed,
            of: .init(
                kind: .statusUpdate, text: "\(org.name) status: \(text)", link: SiteURL.status(org.id),
                about: "status:\(org.id!.uuidString.lowercased())", key: key.uuidString.lowercased()),
            at: now, on: db)
    }

    /// The page as an Atom feed (RFC 4287): one entry per incident, updated at its latest update.
    static func atom(_ page: Page, baseURL: String, now: Date = Date()) -> String {
        func esc(_ s: String) -> String { HTML.escape(s) }
        let stamp = Date.ISO8601FormatStyle()
        let entries = (page.open + page.past).map { e -> String in
            let updated = e.updates.last?.at ?? e.startedAt
            let body = e.updates.map { "\(stamp.format($0.at)): \($0.text)" }.joined(separator: "\n")
            return """
                <entry><id>urn:uuid:\(e.id.uuidString.lowercased())</id><title>\(esc("[\(e.status.rawValue)] \(e.title)"))</title>\
                <updated>\(stamp.format(updated))</updated><published>\(stamp.format(e.startedAt))</published>\
                <link href="\(esc(baseURL + SiteURL.status(page.organizationID)))#incident-\(e.id.uuidString.lowercased())"/>\
                <content type="text">\(esc("Severity: \(e.severity.rawValue)\n" + body))</content></entry>
                """
        }
        let updated = (page.open + page.past).compactMap { $0.updates.last?.at ?? $0.startedAt }.max() ?? now
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><id>urn:uuid:\(page.organizationID.uuidString.lowercased())</id>\
            <title>\(esc("\(page.organizationName) status"))</title><updated>\(stamp.format(updated))</updated>\
            <link rel="alternate" href="\(esc(baseURL + SiteURL.status(page.organizationID)))"/>\
            <author><name>\(esc(page.organizationName))</name></author>\(entries.joined())</feed>
            """
    }

    // MARK: Feed addresses for restricted pages

    /// A feed reader cannot sign in: a restricted page's feed address carries a signed token naming the reader,
    /// checked against the page's visibility at each fetch.
    static func feedToken(page: UUID, user: UUID, key: [UInt8]) -> String {
        SignedToken.make(["status", page.uuidString.lowercased(), user.uuidString.lowercased()], key: key)
    }

    static func reader(of token: String, page: UUID, key: [UInt8], on db: any Database) async throws -> Actor? {
        guard let f = SignedToken.open(token, key: key, fields: 3), f[0] == "status", f[1] == page.uuidString.lowercased(),
            let id = UUID(uuidString: f[2]), let user = try await User.find(id, on: db)
        else { return nil }
        return Actor(user: user)
    }
}
