import BonafideCore
import Fluent
import Foundation

/// News an organization shares with an audience it chooses. Who may read an update is the same question as who may
/// read a profile section (`Access`, `.shared` with the update's audience), so a circle change shows or hides it at
/// once; an update for organizations the writer names is `Access`'s `.named` object, read by those organizations'
/// people and nobody else. Publishing tells the people of every organization in the audience that has a relation to
/// the author (its partners, and those it placed in a circle, following included), each with a line about their own
/// work together so that nothing reads as a blast.
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
        var audience: UpdateAudience
        /// The organizations it is addressed to, by name, for the writer's own people; empty for anyone else, who
        /// are not told who else reads it.
        var namedOrganizations: [(id: UUID, name: String)] = []
        var writtenBy: String?
        var publishedAt: Date

        /// Who reads it, in words for the writer's own people: the audience, or the organizations it names.
        var audienceLabel: String {
            guard audience == .organizations, !namedOrganizations.isEmpty else { return audience.label }
            return "\(audience.label): \(namedOrganizations.map { $0.name }.joined(separator: ", "))"
        }
    }

    static func publish(
        title rawTitle: String, body rawBody: String, audience: Audience, by actor: Actor, at now: Date = Date(), on db: any Database
    )
        async throws -> Entry
    {
        try await publish(title: rawTitle, body: rawBody, audience: .audience(audience), named: [], by: actor, at: now, on: db)
    }

    /// An update for the organizations the writer names, each one it knows (a partner, present or past, or one in
    /// its circles): their people read it, and nobody else outside the writer's own.
    static func publish(
        title rawTitle: String, body rawBody: String, to organizations: [UUID], by actor: Actor, at now: Date = Date(),
        on db: any Database
    ) async throws -> Entry {
        try await publish(title: rawTitle, body: rawBody, audience: .organizations, named: organizations, by: actor, at: now, on: db)
    }

    /// The organizations the person's organization may name as an update's readers, by name.
    static func addressable(by actor: Actor, on db: any Database) async throws -> [(id: UUID, name: String)] {
        let known = try await Access.knownOrganizations(of: actor.organizationID, on: db)
        guard !known.isEmpty else { return [] }
        return try await Organization.query(on: db).filter(\.$id ~~ Array(known.keys)).field(\.$id).field(\.$name).all()
            .map { (id: $0.id!, name: $0.name) }.sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
    }

    private static func publish(
        title rawTitle: String, body rawBody: String, audience: UpdateAudience, named: [UUID], by actor: Actor, at now: Date,
        on db: any Database
    ) async throws -> Entry {
        try Policy.manageOrganization(actor)
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxTitle).contains(title.length) else {
            throw Problem.invalid("title", "An update needs a title of 1 to \(maxTitle) characters.")
        }
        guard (1...maxBody).contains(body.length) else {
            throw Problem.invalid("body", "An update needs a text of 1 to \(maxBody) characters (Markdown); this one has \(body.length).")
        }
        let addressees = Set(named)
        switch audience {
        case .organizations:
            guard (1...Access.maxNamed).contains(addressees.count) else {
                throw Problem.invalid(
                    "organizationIds",
                    "Name 1 to \(Access.maxNamed) organizations to address the update to; this names \(addressees.count).")
            }
        case .audience:
            guard addressees.isEmpty else {
                throw Problem.invalid("organizationIds", "Organizations are named only for an update to named organizations.")
            }
        }
        let organizationID = actor.organizationID
        return try await db.writeTransaction { tx in
            guard let author = try await Organization.find(organizationID, on: tx) else { throw Problem.notFound("organization") }
            // Decided in the transaction that writes: a partnership or circle place gone a moment ago no longer counts.
            let known = try await Access.knownOrganizations(of: organizationID, on: tx)
            let strangers = addressees.filter { known[$0] == nil }.map { Access.key($0) }.sorted()
            guard strangers.isEmpty else {
                throw Problem.invalid(
                    "organizationIds",
                    "An update goes only to organizations \(author.name) knows (a partner, present or past, or one in its circles); "
                        + "not to \(strangers.joined(separator: ", ")).")
            }
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
            var addressedTo: [(id: UUID, name: String)] = []
            if audience == .organizations {
                try await Access.address(owner: organizationID, name: objectName(update), to: addressees, on: tx)
                let names = try await organizationNames(Array(addressees), on: tx)
                addressedTo = addressees.map { (id: $0, name: names[$0] ?? "") }
                    .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
            }
            // Named organizations are the only ones it can reach: the others it knows need not be asked.
            let asked = audience == .organizations ? known.filter { addressees.contains($0.key) } : known
            let reach = try await announce(update, from: author, known: asked, at: now, on: tx)
            update.reached = reach.people
            update.reachedOrganizations = reach.organizations
            try await update.save(on: tx)
            return entry(update, organizationName: author.name, writtenBy: actor.user.name, named: addressedTo)
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
        let shown = Array(zip(candidates, decisions).filter { $0.1.allowed }.prefix(limit).map { $0.0 })
        let named = try await addressees(of: shown, for: subject, on: db)
        return shown.map { entry($0, organizationName: $0.organization.name, writtenBy: $0.writtenBy?.name, named: named[$0.id!] ?? []) }
    }

    /// One update, if the subject may read it; otherwise it is not found.
    static func find(_ id: UUID?, for subject: Access.Subject, on db: any Database) async throws -> Entry {
        guard let id,
            let update = try await OrganizationUpdate.query(on: db).filter(\.$id == id).with(\.$organization).with(\.$writtenBy).first(),
            try await Access.check(subject, "reader", object(update), on: db).allowed
        else { throw Problem.notFound("update") }
        let named = try await addressees(of: [update], for: subject, on: db)
        return entry(update, organizationName: update.organization.name, writtenBy: update.writtenBy?.name, named: named[id] ?? [])
    }

    /// Whom the subject's own organization's named updates among `updates` are addressed to, by name, in two queries;
    /// nothing for anyone else's.
    private static func addressees(of updates: [OrganizationUpdate], for subject: Access.Subject, on db: any Database) async throws
        -> [UUID: [(id: UUID, name: String)]]
    {
        guard let own = Access.organization(of: subject) else { return [:] }
        let mine = updates.filter { $0.$organization.id == own && $0.audience == .organizations }
        let byName = try await Access.addressees(of: own, names: mine.map(objectName), on: db)
        guard !byName.isEmpty else { return [:] }
        let names = try await organizationNames(Array(Set(byName.values.joined())), on: db)
        var out: [UUID: [(id: UUID, name: String)]] = [:]
        for update in mine {
            out[update.id!] = (byName[objectName(update)] ?? []).map { (id: $0, name: names[$0] ?? "") }
                .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }
        }
        return out
    }

    /// The organization's public updates as an Atom feed (RFC 4287), newest first: asked as someone not signed in, who
    /// reads neither a circle's nor named organizations' updates.
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

    /// Notifies the people of each organization in the audience that the author knows (`known`: partners, present or
    /// past, and those in its circles, or for named organizations those named), each as `Access` decides for it. Each
    /// organization's people read a line about their own work with the author. Returns how many people were told, in
    /// how many organizations (the update's "reached" figure).
    private static func announce(
        _ update: OrganizationUpdate, from author: Organization, known: [UUID: Access.Acquaintance], at now: Date, on db: any Database
    ) async throws -> (people: Int, organizations: Int) {
        let candidates = known.keys.sorted { $0.uuidString < $1.uuidString }
        guard !candidates.isEmpty else { return (0, 0) }
        var readers: [UUID] = []
        for organization in candidates {
            if try await Access.check(.members(of: organization), "reader", object(update), on: db).allowed { readers.append(organization) }
        }
        guard !readers.isEmpty else { return (0, 0) }
        let lines = try await personalLines(from: author, to: readers, known: known, on: db)
        let people = try await User.query(on: db).filter(\.$organization.$id ~~ readers).all()
        let peopleOf = Dictionary(grouping: people, by: { $0.$organization.id })
        let excerpt = Markdown.plainText(update.body)
        var reached = (people: 0, organizations: 0)
        for reader in readers {
            let ids = peopleOf[reader]?.compactMap(\.id) ?? []
            guard !ids.isEmpty else { continue }
            reached.people += ids.count
            reached.organizations += 1
            let personal = lines[reader] ?? ""
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

    /// Each reader organization's `personalLine` with the author, read in two queries: every announcement to the
    /// organizations an author knows (`Access.knownOrganizations`) says it the same way.
    static func personalLines(
        from author: Organization, to readers: [UUID], known: [UUID: Access.Acquaintance], on db: any Database
    ) async throws -> [UUID: String] {
        guard !readers.isEmpty else { return [:] }
        let partnershipsWith = known.mapValues(\.partnerships)
        let open = try await Commitment.query(on: db)
            .filter(\.$partnership.$id ~~ readers.flatMap { (partnershipsWith[$0] ?? []).compactMap(\.id) })
            .filter(\.$status ~~ [.proposed, .accepted, .delivered]).sort(\.$dueAt).all()
        let openByPartnership = Dictionary(grouping: open, by: { $0.$partnership.id })
        let names = Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ readers).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        var lines: [UUID: String] = [:]
        for reader in readers {
            let theirs = (partnershipsWith[reader] ?? []).flatMap { openByPartnership[$0.id!] ?? [] }.sorted { $0.dueAt < $1.dueAt }
            lines[reader] = personalLine(
                author: author.name, reader: names[reader] ?? "your organization", open: theirs, circle: known[reader]?.placement?.circle,
                partnered: !(partnershipsWith[reader] ?? []).isEmpty)
        }
        return lines
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
        switch update.audience {
        case .audience(let audience): .shared(organization: update.$organization.id, name: objectName(update), audience: audience)
        case .organizations: .named(organization: update.$organization.id, name: objectName(update))
        }
    }

    static func objectName(_ update: OrganizationUpdate) -> String { "update-\(Access.key(update.id!))" }

    private static func entry(
        _ u: OrganizationUpdate, organizationName: String, writtenBy: String?, named: [(id: UUID, name: String)] = []
    ) -> Entry {
        Entry(
            id: u.id!, organizationID: u.$organization.id, organizationName: organizationName, title: u.title, body: u.body,
            audience: u.audience, namedOrganizations: named, writtenBy: writtenBy, publishedAt: u.publishedAt)
    }
}
