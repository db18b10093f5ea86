import BonafideCore
import Fluent
import Foundation

/// News an organization shares with an audience it chooses. Who may read an update is the same question as who may
/// read a profile section (`Access`, `.shared` with the update's audience), so a circle change shows or hides it at
/// once. Publishing tells the people of every organization in the audience that has a relation to the author (its
/// partners, and those it placed in a circle, following included), each with a line about their own work together
/// so that nothing reads as a blast.
enum Updates {
    static let maxTitle = 200
    static let maxBody = 20_000
    /// The newest updates considered for a reader's list; older ones stay on each organization's own list.
    static let listWindow = 500

    struct Entry: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var title: String
        var body: String
        var audience: Audience
        var writtenBy: String?
        var publishedAt: Date
    }

    static func publish(
        title rawTitle: String, body rawBody: String, audience: Audience, by actor: Actor, at now: Date = Date(), on db: any Database
    )
        async throws -> Entry
    {
        try Policy.manageOrganization(actor)
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxTitle).contains(title.length) else {
            throw Problem.invalid("title", "An update needs a title of 1 to \(maxTitle) characters.")
        }
        guard (1...maxBody).contains(body.length) else {
            throw Problem.invalid("body", "An update needs a text of 1 to \(maxBody) characters (Markdown); this one has \(body.length).")
        }
        let organizationID = actor.organizationID
        return try await db.writeTransaction { tx in
            guard let author = try await Organization.find(organizationID, on: tx) else { throw Problem.notFound("organization") }
            let update = OrganizationUpdate()
            update.$organization.id = organizationID
            update.title = title
            update.body = body
            update.audience = audience
            update.$writtenBy.id = actor.id
            update.publishedAt = now
            update.reached = 0
            update.reachedOrganizations = 0
            // Saved before it is announced: the access check and the notifications name it by its id.
            try await update.save(on: tx)
            let reach = try await announce(update, from: author, at: now, on: tx)
            update.reached = reach.people
            update.reachedOrganizations = reach.organizations
            try await update.save(on: tx)
            return entry(update, organizationName: author.name, writtenBy: actor.user.name)
        }
    }

    /// The updates the subject may read, newest first: from every organization, or from one.
    static func visible(to subject: Access.Subject, from organization: UUID? = nil, limit: Int = 100, on db: any Database) async throws
        -> [Entry]
    {
        var query = OrganizationUpdate.query(on: db).with(\.$organization).with(\.$writtenBy)
        if let organization { query = query.filter(\.$organization.$id == organization) }
        let candidates = try await query.sort(\.$publishedAt, .descending).sort(\.$id).limit(listWindow).all()
        let decisions = try await Access.check(subject, "reader", candidates.map(object), on: db)
        return zip(candidates, decisions).filter { $0.1.allowed }.prefix(limit)
            .map { entry($0.0, organizationName: $0.0.organization.name, writtenBy: $0.0.writtenBy?.name) }
    }

    /// One update, if the subject may read it; otherwise it is not found.
    static func find(_ id: UUID?, for subject: Access.Subject, on db: any Database) async throws -> Entry {
        guard let id,
            let update = try await OrganizationUpdate.query(on: db).filter(\.$id == id).with(\.$organization).with(\.$writtenBy).first(),
            try await Access.check(subject, "reader", object(update), on: db).allowed
        else { throw Problem.notFound("update") }
        return entry(update, organizationName: update.organization.name, writtenBy: update.writtenBy?.name)
    }

    /// The organization's public updates as an Atom feed (RFC 4287), newest first.
    static func atom(of organization: Organization, baseURL: String, now: Date = Date(), on db: any Database) async throws -> String {
        let entries = try await visible(to: .anyone, from: organization.id!, limit: 50, on: db)
        let iso = ISO8601DateFormatter()
        let feedURL = baseURL + SiteURL.updatesFeed(organization.id)
        let items = entries.map { e in
            let link = baseURL + SiteURL.update(e.id)
            return """
                <entry><id>urn:uuid:\(e.id.uuidString.lowercased())</id><title>\(HTML.escape(e.title))</title>\
                <link rel="alternate" type="text/html" href="\(HTML.escape(link))"/>\
                <updated>\(iso.string(from: e.publishedAt))</updated><published>\(iso.string(from: e.publishedAt))</published>\
                <author><name>\(HTML.escape(e.writtenBy ?? e.organizationName))</name></author>\
                <summary>\(HTML.escape(String(Markdown.plainText(e.body).prefix(300))))</summary>\
                <content type="html">\(HTML.escape(Markdown.html(e.body).text))</content></entry>
                """
        }
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><id>urn:uuid:\(organization.id!.uuidString.lowercased())-updates</id>\
            <title>\(HTML.escape(organization.name)): updates</title>\
            <link rel="self" type="application/atom+xml" href="\(HTML.escape(feedURL))"/>\
            <link rel="alternate" type="text/html" href="\(HTML.escape(baseURL + SiteURL.publicProfile(organization.id)))"/>\
            <updated>\(iso.string(from: entries.first?.publishedAt ?? organization.createdAt ?? now))</updated>\
            \(items.joined())</feed>
            """
    }

    // MARK: Delivery

    /// Notifies the people of each organization in the audience that the author knows: partners (present or past)
    /// and those in its circles. Each organization's people read a line about their own work with the author.
    /// Returns how many people were told, in how many organizations (the update's "reached" figure).
    private static func announce(_ update: OrganizationUpdate, from author: Organization, at now: Date, on db: any Database) async throws
        -> (people: Int, organizations: Int)
    {
        let authorID = author.id!
        let partnerships = try await Partnership.query(on: db).filter(\.$status ~~ [.active, .ended])
            .group(.or) { $0.filter(\.$organization.$id == authorID).filter(\.$partner.$id == authorID) }.all()
        var partnershipsWith: [UUID: [Partnership]] = [:]
        for p in partnerships {
            guard let other = p.$organization.id == authorID ? p.$partner.id : p.$organization.id, other != authorID else { continue }
            partnershipsWith[other, default: []].append(p)
        }
        let placements = try await CirclePlacement.query(on: db).filter(\.$organization.$id == authorID).all()
        let circleOf = Dictionary(placements.map { ($0.$member.id, $0.circle) }, uniquingKeysWith: { a, _ in a })
        let known = Array(Set(partnershipsWith.keys).union(circleOf.keys)).sorted { $0.uuidString < $1.uuidString }
        guard !known.isEmpty else { return (0, 0) }
        var readers: [UUID] = []
        for organization in known {
            if try await Access.check(.members(of: organization), "reader", object(update), on: db).allowed { readers.append(organization) }
        }
        guard !readers.isEmpty else { return (0, 0) }
        let open = try await Commitment.query(on: db)
            .filter(\.$partnership.$id ~~ readers.flatMap { (partnershipsWith[$0] ?? []).compactMap(\.id) })
            .filter(\.$status ~~ [.proposed, .accepted, .delivered]).sort(\.$dueAt).all()
        let openByPartnership = Dictionary(grouping: open, by: { $0.$partnership.id })
        let people = try await User.query(on: db).filter(\.$organization.$id ~~ readers).all()
        let peopleOf = Dictionary(grouping: people, by: { $0.$organization.id })
        let names = Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ readers).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let excerpt = Markdown.plainText(update.body)
        var reached = (people: 0, organizations: 0)
        for reader in readers {
            let ids = peopleOf[reader]?.compactMap(\.id) ?? []
            guard !ids.isEmpty else { continue }
            reached.people += ids.count
            reached.organizations += 1
            let theirs = (partnershipsWith[reader] ?? []).flatMap { openByPartnership[$0.id!] ?? [] }.sorted { $0.dueAt < $1.dueAt }
            let personal = personalLine(
                author: author.name, reader: names[reader] ?? "your organization", open: theirs, circle: circleOf[reader],
                partnered: partnershipsWith[reader] != nil)
            let detail = "\(personal)\n\n\(excerpt.count > 1_500 ? String(excerpt.prefix(1_499)) + "…" : excerpt)"
            try await Notifier.notify(
                ids,
                of: .init(
                    kind: .partnerUpdate, text: "\(author.name): \(update.title)", link: SiteURL.update(update.id), detail: detail,
                    about: "update:\(Access.key(update.id!))", key: "update:\(Access.key(update.id!))"),
                at: now, on: db)
        }
        return reached
    }

    /// What makes the mail theirs: the work open between the two, or why they hear from the author at all.
    static func personalLine(author: String, reader: String, open: [Commitment], circle: Circle?, partnered: Bool) -> String {
        if let next = open.first {
            let due = next.dueAt.formatted(.dateTime.day().month(.abbreviated).year())
            let count = open.count == 1 ? "1 open commitment" : "\(open.count) open commitments"
            return "Between \(reader) and \(author): \(count); next, “\(next.title)” due \(due)."
        }
        if partnered { return "You work with \(author) at \(reader); nothing is open between you right now." }
        if let circle { return "\(author) counts \(reader) among its \(circle.title.lowercased())." }
        return "You hear from \(author) because you are connected on Bonafide."
    }

    /// Each update is its own object: checked in one batch, updates sharing a name would pool their audiences.
    static func object(_ update: OrganizationUpdate) -> Access.Object {
        .shared(organization: update.$organization.id, name: "update-\(Access.key(update.id!))", audience: update.audience)
    }

    private static func entry(_ u: OrganizationUpdate, organizationName: String, writtenBy: String?) -> Entry {
        Entry(
            id: u.id!, organizationID: u.$organization.id, organizationName: organizationName, title: u.title, body: u.body,
            audience: u.audience, writtenBy: writtenBy, publishedAt: u.publishedAt)
    }
}
