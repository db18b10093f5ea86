import BonafideCore
import Fluent
import Foundation

/// An organization's guides and resources: guides written here in Markdown, videos and articles elsewhere, and
/// whitepapers from its vault, each listed on its profile for the audience it chooses. Who may read an item is the
/// same question as who may read an update (`Access`, `.shared` with the item's audience), so a circle change shows
/// or hides it at once. A whitepaper's document stays sealed: readers see what the organization says of it, and a
/// link to it only when they can open it (a side of the partnership it was uploaded in, or an organization it was
/// shared with); everyone else is told to ask for it. The server cannot open the vault for anyone.
enum ProfileContent {
    static let maxTitle = 200
    static let maxSummary = 1_000
    static let maxBody = 20_000
    static let maxURL = 2_000
    /// A library, not a feed: past this, older items go before new ones come.
    static let maxItems = 200
    /// Clocks differ a little: a publication date this far ahead still counts as now.
    static let clockSkew: TimeInterval = 300

    struct Draft: Sendable {
        var kind: ContentKind
        var title: String
        var summary: String = ""
        var body: String = ""
        var url: String = ""
        var documentID: UUID? = nil
        var audience: Audience
        var pinned: Bool = false
        /// Now when nil.
        var publishedAt: Date? = nil
    }

    /// What an edit changes; nil leaves it as it is. The kind never changes.
    struct Changes: Sendable {
        var title: String? = nil
        var summary: String? = nil
        var body: String? = nil
        var url: String? = nil
        var documentID: UUID? = nil
        var audience: Audience? = nil
        var pinned: Bool? = nil
        var publishedAt: Date? = nil
    }

    /// How the viewer gets a whitepaper's document.
    struct Whitepaper: Sendable {
        /// The viewer can open it: a side of the partnership it was uploaded in, or an organization it was shared with.
        var readable: Bool
        /// Where the viewer opens it; only when readable.
        var link: String? = nil
        /// How to get it, in words.
        var note: String
        /// Only for those who can open it, and for the publishing organization's owners and admins.
        var documentID: UUID? = nil
        /// For the publishing organization's owners and admins: which document it is and who can open it.
        var source: String? = nil
    }

    struct Entry: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var kind: ContentKind
        var title: String
        var summary: String
        /// A guide's Markdown; empty for the other kinds.
        var body: String
        var url: String?
        var audience: Audience
        var pinned: Bool
        var publishedAt: Date
        var updatedAt: Date?
        /// The viewer's organization lists it.
        var own: Bool
        var whitepaper: Whitepaper?
    }

    /// An item's fields as checked, whatever the kind.
    private struct Fields: Sendable {
        var title: String
        var summary: String
        var body: String
        var url: String?
        var documentID: UUID?
        var publishedAt: Date
    }

    // MARK: Managing

    /// Adds an item to the actor's organization's list (owners and admins).
    static func create(_ draft: Draft, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        try Policy.manageOrganization(actor)
        let fields = try validated(
            kind: draft.kind, title: draft.title, summary: draft.summary, body: draft.body, url: draft.url,
            documentID: draft.documentID, publishedAt: draft.publishedAt ?? now, now: now)
        let organizationID = actor.organizationID
        let id: UUID = try await db.writeTransaction { tx in
            // Locked so that the limit holds when two people add at once.
            guard try await tx.lockedRow(Organization.self, organizationID) != nil else { throw Problem.notFound("organization") }
            let count = try await ContentItem.query(on: tx).filter(\.$organization.$id == organizationID).count()
            guard count < maxItems else {
                throw Problem(
                    .conflict, "Your organization lists \(maxItems) guides and resources already: remove an old one before adding another.")
            }
            try await requireOwnDocument(fields.documentID, of: organizationID, on: tx)
            let item = ContentItem()
            item.$organization.id = organizationID
            item.kind = draft.kind
            apply(fields, to: item)
            item.audience = draft.audience
            item.pinned = draft.pinned
            item.$createdBy.id = actor.id
            try await item.save(on: tx)
            return item.id!
        }
        return try await find(id, for: actor, at: now, on: db)
    }

    /// Changes an item of the actor's organization (owners and admins); the result is checked whole, as when added.
    static func change(_ id: UUID?, _ changes: Changes, by actor: Actor, at now: Date = Date(), on db: any Database) async throws
        -> Entry
    {
        let itemID = try await changeable(id, by: actor, on: db)
        let organizationID = actor.organizationID
        try await db.writeTransaction { tx in
            guard let item = try await tx.lockedRow(ContentItem.self, itemID), item.$organization.id == organizationID else {
                throw Problem.notFound("guide or resource")
            }
            let fields = try validated(
                kind: item.kind, title: changes.title ?? item.title, summary: changes.summary ?? item.summary,
                body: changes.body ?? item.body, url: changes.url ?? item.url ?? "", documentID: changes.documentID ?? item.$document.id,
                publishedAt: changes.publishedAt ?? item.publishedAt, now: now)
            if changes.documentID != nil { try await requireOwnDocument(fields.documentID, of: organizationID, on: tx) }
            apply(fields, to: item)
            if let audience = changes.audience { item.audience = audience }
            if let pinned = changes.pinned { item.pinned = pinned }
            item.updatedAt = now
            try await item.save(on: tx)
        }
        return try await find(itemID, for: actor, at: now, on: db)
    }

    /// Removes an item of the actor's organization (owners and admins) and answers its title; a whitepaper's document
    /// stays in the vault.
    @discardableResult
    static func remove(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> String {
        let itemID = try await changeable(id, by: actor, on: db)
        return try await db.writeTransaction { tx in
            // Two removals at once: the second finds nothing left.
            guard let item = try await tx.lockedRow(ContentItem.self, itemID) else { throw Problem.notFound("guide or resource") }
            let title = item.title
            try await item.delete(on: tx)
            return title
        }
    }

    // MARK: Reading

    /// The organization's items the viewer may read (nil: someone without an account), pinned first, then the newest.
    /// Its own people read every one.
    static func visible(of organization: Organization, to viewer: Actor?, at now: Date = Date(), on db: any Database) async throws
        -> [Entry]
    {
        let items = try await ContentItem.query(on: db).filter(\.$organization.$id == organization.id!)
            .sort(\.$pinned, .descending).sort(\.$publishedAt, .descending).sort(\.$id).limit(maxItems).all()
        guard !items.isEmpty else { return [] }
        let decisions = try await Access.check(subject(viewer), "reader", items.map(object), on: db)
        let readable = zip(items, decisions).filter { $0.1.allowed }.map { $0.0 }
        return try await entries(readable, organizationName: organization.name, for: viewer, at: now, on: db)
    }

    /// One item, if the viewer may read it; otherwise it is not found.
    static func find(_ id: UUID?, for viewer: Actor?, at now: Date = Date(), on db: any Database) async throws -> Entry {
        guard let id, let item = try await ContentItem.query(on: db).filter(\.$id == id).with(\.$organization).first(),
            try await Access.check(subject(viewer), "reader", object(item), on: db).allowed
        else { throw Problem.notFound("guide or resource") }
        return try await entries([item], organizationName: item.organization.name, for: viewer, at: now, on: db)[0]
    }

    /// Each item is its own object: checked in one batch, items sharing a name would pool their audiences.
    static func object(_ item: ContentItem) -> Access.Object {
        .shared(organization: item.$organization.id, name: "content-\(Access.key(item.id!))", audience: item.audience)
    }

    // MARK: Helpers

    private static func subject(_ viewer: Actor?) -> Access.Subject {
        viewer.map { Access.Subject.person($0) } ?? .anyone
    }

    /// The item's id when the actor may change it: one they may not read is not found; one of another organization's,
    /// or for a person who does not run their organization, is refused.
    private static func changeable(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> UUID {
        guard let id, let item = try await ContentItem.find(id, on: db),
            try await Access.check(.person(actor), "reader", object(item), on: db).allowed
        else { throw Problem.notFound("guide or resource") }
        guard item.$organization.id == actor.organizationID else {
            throw Problem(.forbidden, "Only the organization that lists it can change or remove it.")
        }
        try Policy.manageOrganization(actor)
        return id
    }

    private static func validated(
        kind: ContentKind, title rawTitle: String, summary rawSummary: String, body rawBody: String, url rawURL: String,
        documentID: UUID?, publishedAt: Date, now: Date
    ) throws -> Fields {
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        let summary = rawSummary.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        let url = rawURL.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxTitle).contains(title.length) else { throw Problem.invalid("title", "A title has 1 to \(maxTitle) characters.") }
        guard summary.length <= maxSummary else {
            throw Problem.invalid("description", "A description has at most \(maxSummary) characters; this one has \(summary.length).")
        }
        guard publishedAt <= now.addingTimeInterval(clockSkew) else {
            throw Problem.invalid("publishedAt", "The publication date cannot be in the future.")
        }
        if kind == .guide {
            guard (1...maxBody).contains(body.length) else {
                throw Problem.invalid("body", "A guide needs a text of 1 to \(maxBody) characters (Markdown); this one has \(body.length).")
            }
        } else if !body.isEmpty {
            throw Problem.invalid(
                "body", "Only a guide has a text here; say what a \(kind.label.lowercased()) is about in its description.")
        }
        if kind == .video || kind == .link {
            try checkAddress(url, of: kind)
        } else if !url.isEmpty {
            throw Problem.invalid("url", "Only a video or an article has a web address.")
        }
        if kind == .whitepaper {
            guard documentID != nil else {
                throw Problem.invalid("documentId", "A whitepaper is one of your organization's vault documents: choose which.")
            }
        } else if documentID != nil {
            throw Problem.invalid("documentId", "Only a whitepaper is a vault document.")
        }
        return Fields(
            title: title, summary: summary, body: body, url: url.isEmpty ? nil : url, documentID: documentID, publishedAt: publishedAt)
    }

    /// A web page anyone can follow: http or https to a named host, nothing a browser would run (`javascript:`,
    /// `data:`), and no credentials in the address.
    private static func checkAddress(_ url: String, of kind: ContentKind) throws {
        let what = kind == .video ? "A video" : "An article"
        guard !url.isEmpty else { throw Problem.invalid("url", "\(what) needs its web address, starting with https://.") }
        guard url.length <= maxURL else { throw Problem.invalid("url", "A web address has at most \(maxURL) characters.") }
        guard !url.contains(where: { $0.isWhitespace || $0.isNewline }), let parsed = URL(string: url),
            let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = parsed.host, !host.isEmpty,
            parsed.user == nil, parsed.password == nil
        else {
            throw Problem.invalid("url", "\(what)'s address must be a web address starting with https:// or http://.")
        }
    }

    /// Someone else's document is refused as if it did not exist, so its existence does not leak.
    private static func requireOwnDocument(_ id: UUID?, of organization: UUID, on db: any Database) async throws {
        guard let id else { return }
        guard let document = try await Document.find(id, on: db), document.$organization.id == organization else {
            throw Problem.invalid("documentId", "Choose one of your organization's own vault documents.")
        }
    }

    private static func apply(_ fields: Fields, to item: ContentItem) {
        item.title = fields.title
        item.summary = fields.summary
        item.body = fields.body
        item.url = fields.url
        item.$document.id = fields.documentID
        item.publishedAt = fields.publishedAt
    }

    private static func entries(_ items: [ContentItem], organizationName: String, for viewer: Actor?, at now: Date, on db: any Database)
        async throws -> [Entry]
    {
        let documentIDs = Array(Set(items.filter { $0.kind == .whitepaper }.compactMap { $0.$document.id }))
        var papers: [UUID: Whitepaper] = [:]
        if !documentIDs.isEmpty {
            papers = try await whitepapers(documentIDs, organizationName: organizationName, for: viewer, at: now, on: db)
        }
        let gone = Whitepaper(readable: false, note: "The document is no longer in \(organizationName)'s vault.")
        return items.map { item in
            let paper: Whitepaper? = item.kind == .whitepaper ? (item.$document.id.flatMap { papers[$0] } ?? gone) : nil
            return Entry(
                id: item.id!, organizationID: item.$organization.id, organizationName: organizationName, kind: item.kind, title: item.title,
                summary: item.summary, body: item.body, url: item.url, audience: item.audience, pinned: item.pinned,
                publishedAt: item.publishedAt, updatedAt: item.updatedAt, own: viewer?.organizationID == item.$organization.id,
                whitepaper: paper)
        }
    }

    /// How each document reaches the viewer: where they open it when they can, or how to get it. Whoever may view its
    /// partnership (its members, and owners and admins of either side) opens it there while access is open; an
    /// organization it was shared with by circle opens it among the documents shared with it.
    private static func whitepapers(
        _ ids: [UUID], organizationName: String, for viewer: Actor?, at now: Date, on db: any Database
    ) async throws -> [UUID: Whitepaper] {
        let documents = try await Document.query(on: db).filter(\.$id ~~ ids).all()
        var out: [UUID: Whitepaper] = [:]
        guard let viewer else {
            for d in documents {
                out[d.id!] = Whitepaper(
                    readable: false,
                    note:
                        "Encrypted end to end: only the organizations \(organizationName) shares it with can open it. Sign in and ask \(organizationName) for it."
                )
            }
            return out
        }
        let shares = try await DocumentShare.query(on: db).filter(\.$document.$id ~~ ids)
            .filter(\.$organization.$id == viewer.organizationID).filter(\.$revokedAt == nil).all()
        let shareOf = Dictionary(shares.map { ($0.$document.id, $0) }, uniquingKeysWith: { a, _ in a })
        let manager = Policy.canManage(viewer)
        var partnerships: [UUID: Partnership?] = [:]
        for d in documents {
            let partnershipID = d.$partnership.id
            if partnerships[partnershipID] == nil {
                let viewable = try await viewablePartnership(partnershipID, for: viewer, on: db)
                partnerships[partnershipID] = .some(viewable)
            }
            let partnership = partnerships[partnershipID] ?? nil
            let own = d.$organization.id == viewer.organizationID
            var paper: Whitepaper
            if let partnership, own || Documents.closedReason(d, at: now) == nil {
                paper = Whitepaper(
                    readable: true, link: SiteURL.documents(partnership.id),
                    note: "Encrypted end to end; you can open it among the documents of “\(partnership.name)” (document \(d.number)).",
                    documentID: d.id)
            } else if let share = shareOf[d.id!], try await DocumentShares.closedReason(share, of: d, at: now, on: db) == nil {
                paper = Whitepaper(
                    readable: true, link: SiteURL.sharedWithUs,
                    note: "Encrypted end to end; \(organizationName) shared it with your organization: open it under Shared with us.",
                    documentID: d.id)
            } else if own {
                paper = Whitepaper(
                    readable: false,
                    note:
                        "Encrypted end to end in your vault: the people of the partnership it was uploaded in and the organizations you share it with can open it."
                )
            } else {
                paper = Whitepaper(
                    readable: false,
                    note:
                        "Encrypted end to end: only the organizations \(organizationName) shares it with can open it. Ask \(organizationName) for it."
                )
            }
            if own, manager {
                let shared = try await DocumentShare.query(on: db).filter(\.$document.$id == d.id!).filter(\.$revokedAt == nil).count()
                let place = partnership.map { "“\($0.name)”" } ?? "a partnership"
                let reach =
                    d.revokedAt != nil
                    ? "sharing was stopped, so only your side opens it"
                    : shared == 0
                        ? "both sides of that partnership open it, and nobody else yet"
                        : "both sides of that partnership open it, and the \(shared == 1 ? "organization" : "\(shared) organizations") you shared it with by circle"
                paper.documentID = d.id
                paper.source = "Document \(d.number) of \(place): \(reach). Share it further from the partnership's documents."
            }
            out[d.id!] = paper
        }
        return out
    }

    /// The partnership if the person may view it, nil if not.
    private static func viewablePartnership(_ id: UUID, for actor: Actor, on db: any Database) async throws -> Partnership? {
        do {
            return try await Policy.partnership(id, for: actor, on: db)
        } catch let problem as Problem where problem.status == .notFound {
            return nil
        }
    }
}
