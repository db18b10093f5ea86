import BonafideCore
import Fluent
import Foundation

/// Offers and early access an organization makes to those it works with. Who an offer is for is the same question
/// as who may read an update (`Access`, `.shared` with the offer's audience: partners or a circle), narrowed to
/// organizations whose relationship with the offering one is old enough. Each recipient is told how long the two
/// have worked together, so an offer reads as meant for them rather than as a blast. Every recipient organization
/// answers once; an accepted offer becomes a commitment proposed in their partnership, an accepted early access
/// reveals the event or document it opens.
enum Offers {
    static let maxTitle = 200
    static let maxDetails = 4_000
    static let maxNote = 1_000
    /// Ten years: longer than any relationship on record needs to be told apart.
    static let maxRelationshipDays = 3_650
    /// An offer stays open at most a year: an older one is no longer an offer but a standing price.
    static let maxOpenDays = 366
    /// The newest open offers considered for a reader's list.
    static let listWindow = 500
    /// The audiences an offer can have: organizations one knows, never everyone (that would be advertising).
    static let audiences: [Audience] = [.partners, .connected, .collaborator, .trustedReferral]
    /// An accepted offer's commitment is due when the offer closes, and never sooner than this: the offering side
    /// needs time to do what it offered.
    static let minimumLeadDays = 14

    struct Draft: Sendable {
        var title: String
        var details: String
        var kind: OfferKind
        var audience: Audience
        var minRelationshipDays: Int = 0
        var personalNote: String = ""
        var linkedEventID: UUID? = nil
        var linkedDocumentID: UUID? = nil
        var validUntil: Date
    }

    /// How long two organizations have known each other, and how.
    struct Relationship: Sendable {
        var since: Date
        var partnered: Bool
        var circle: Circle?
    }

    struct Answer: Sendable {
        var organizationID: UUID
        var decision: OfferDecision
        var note: String
        var commitmentID: UUID?
        var partnershipID: UUID?
        var decidedAt: Date
    }

    struct Entry: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var title: String
        var details: String
        var kind: OfferKind
        var audience: Audience
        var minRelationshipDays: Int
        var personalNote: String
        var validUntil: Date
        var status: OfferStatus
        var createdAt: Date
        /// The viewer's organization made it.
        var own: Bool
        /// The line about the viewer's own relationship with the offering organization (recipients only).
        var personalLine: String?
        /// The viewer organization's answer, if it gave one.
        var answer: Answer?
        /// Answers so far (the offering organization only).
        var accepted: Int?
        var declined: Int?
        /// Where the linked event or document is: shown to the offering side and to those who accepted.
        var link: String?
        var linkedEventID: UUID?
        var linkedDocumentID: UUID?
    }

    // MARK: Making and withdrawing

    static func create(_ draft: Draft, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        try Policy.manageOrganization(actor)
        let title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let details = draft.details.trimmingCharacters(in: .whitespacesAndNewlines)
        let note = draft.personalNote.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxTitle).contains(title.length) else {
            throw Problem.invalid("title", "An offer needs a title of 1 to \(maxTitle) characters.")
        }
        guard (1...maxDetails).contains(details.length) else {
            throw Problem.invalid(
                "details", "An offer needs details of 1 to \(maxDetails) characters (Markdown); these have \(details.length).")
        }
        guard audiences.contains(draft.audience) else {
            throw Problem.invalid(
                "audience", "An offer goes to your partners or a circle: partners, connected, collaborator or trustedReferral.")
        }
        guard (0...maxRelationshipDays).contains(draft.minRelationshipDays) else {
            throw Problem.invalid("minRelationshipDays", "The minimum relationship is 0 to \(maxRelationshipDays) days.")
        }
        guard note.length <= maxNote else { throw Problem.invalid("personalNote", "A note has at most \(maxNote) characters.") }
        guard draft.validUntil > now else { throw Problem.invalid("validUntil", "An offer must stay open into the future.") }
        guard draft.validUntil <= now.addingTimeInterval(Double(maxOpenDays) * 86_400) else {
            throw Problem.invalid("validUntil", "An offer stays open at most a year.")
        }
        guard draft.linkedEventID == nil || draft.linkedDocumentID == nil else {
            throw Problem.invalid("linkedDocumentId", "Link an event or a document, not both.")
        }
        if draft.kind == .earlyAccess, draft.linkedEventID == nil, draft.linkedDocumentID == nil {
            throw Problem.invalid("linkedEventId", "Early access is to something: link one of your events or documents.")
        }
        // Only what is the organization's own can be offered; someone else's event or document is refused as if
        // it did not exist, so its existence does not leak.
        if let id = draft.linkedEventID {
            guard let event = try await LiveEvent.find(id, on: db), event.$organization.id == actor.organizationID else {
                throw Problem.invalid("linkedEventId", "Link one of your organization's own events.")
            }
            // Early access opens the event to whoever accepts: an event some recipients may not see would show them
            // what its own audience keeps from them.
            guard eventAudience(event.audience, covers: draft.audience) else {
                throw Problem.invalid(
                    "linkedEventId",
                    "“\(event.title)” is for \(event.audience.label.lowercased()), which leaves out some of those this offer is for "
                        + "(\(draft.audience.label.lowercased())). Offer it to a narrower audience, or widen the event's.")
            }
        }
        if let id = draft.linkedDocumentID {
            guard let document = try await Document.find(id, on: db), document.$organization.id == actor.organizationID else {
                throw Problem.invalid("linkedDocumentId", "Link one of your organization's own documents.")
            }
        }
        let organizationID = actor.organizationID
        return try await db.writeTransaction { tx in
            guard let author = try await Organization.find(organizationID, on: tx) else { throw Problem.notFound("organization") }
            let offer = Offer()
            offer.$organization.id = organizationID
            offer.title = title
            offer.details = details
            offer.kind = draft.kind
            offer.audience = draft.audience
            offer.minRelationshipDays = draft.minRelationshipDays
            offer.personalNote = note
            offer.$linkedEvent.id = draft.linkedEventID
            offer.$linkedDocument.id = draft.linkedDocumentID
            offer.validUntil = draft.validUntil
            offer.status = .open
            offer.$createdBy.id = actor.id
            offer.createdAt = now
            // Saved before it is announced: the access check and the notifications name it by its id.
            try await offer.save(on: tx)
            try await announce(offer, from: author, at: now, on: tx)
            return try await entry(offer, organizationName: author.name, for: actor, relationship: nil, at: now, on: tx)
        }
    }

    /// The offering organization takes it back: nobody can answer it any more; answers given stay.
    static func withdraw(_ id: UUID?, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        let found = try await visible(id, for: actor, at: now, on: db)
        guard found.offer.$organization.id == actor.organizationID else {
            throw Problem(.forbidden, "Only the organization that made the offer can withdraw it.")
        }
        try Policy.manageOrganization(actor)
        return try await db.writeTransaction { tx in
            guard let offer = try await tx.lockedRow(Offer.self, found.offer.id!) else { throw Problem.notFound("offer") }
            guard offer.status == .open else { throw Problem(.conflict, "This offer was already withdrawn.") }
            offer.status = .withdrawn
            try await offer.save(on: tx)
            let name = try await Organization.find(offer.$organization.id, on: tx)?.name ?? ""
            return try await entry(offer, organizationName: name, for: actor, relationship: nil, at: now, on: tx)
        }
    }

    // MARK: Answering

    /// The recipient organization's one answer (owners and admins). Accepted, an offer becomes a commitment
    /// proposed in the two organizations' active partnership, owned by the offering side; accepted early access
    /// reveals its link. Decided on the locked offer row: a second answer, or one to a withdrawn or closed offer, is 409.
    static func respond(
        _ id: UUID?, accept: Bool, note rawNote: String?, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> Entry {
        let note = rawNote?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard note.length <= maxNote else { throw Problem.invalid("note", "A note has at most \(maxNote) characters.") }
        let found = try await visible(id, for: actor, at: now, on: db)
        let offerID = found.offer.id!
        let offeringID = found.offer.$organization.id
        guard offeringID != actor.organizationID else {
            throw Problem(.forbidden, "An offer is answered by those it is made to, not by the organization that made it.")
        }
        try Policy.manageOrganization(actor)
        // Read before the transaction: the partnership that holds the commitment, and the person of the offering
        // side it is proposed as (who made the offer, or else one of its owners, if that person has left).
        let partnership = try await Partnerships.between(offeringID, actor.organizationID, on: db).filter { $0.status == .active }
            .sorted { ($0.createdAt ?? .distantFuture) < ($1.createdAt ?? .distantFuture) }.first
        let proposer = try await offeringPerson(found.offer, on: db)
        do {
            return try await db.writeTransaction { tx in
                guard let offer = try await tx.lockedRow(Offer.self, offerID) else { throw Problem.notFound("offer") }
                guard offer.status == .open else { throw Problem(.conflict, "This offer was withdrawn; it can no longer be answered.") }
                guard offer.validUntil > now else { throw Problem(.conflict, "This offer closed; it can no longer be answered.") }
                if let earlier = try await OfferResponse.query(on: tx).filter(\.$offer.$id == offerID)
                    .filter(\.$organization.$id == actor.organizationID).first()
                {
                    throw Problem(.conflict, "Your organization already \(earlier.status.rawValue) this offer.")
                }
                let response = OfferResponse()
                response.$offer.id = offerID
                response.$organization.id = actor.organizationID
                response.status = accept ? .accepted : .declined
                response.note = note
                response.$decidedBy.id = actor.id
                response.decidedAt = now
                if accept, offer.kind == .offer, let partnership, let proposer {
                    // Proposed by the offering side, as if it had written it itself: the recipient accepts it the usual
                    // way, and it counts for the offering side's record like any other promise.
                    let lead = now.addingTimeInterval(Double(minimumLeadDays) * 86_400)
                    let commitment = try await Commitments.create(
                        .init(
                            title: String("Offer: \(offer.title)".prefix(200)), deliverable: offer.details,
                            dueAt: max(offer.validUntil, lead)),
                        in: partnership, by: proposer, now: now, on: tx)
                    response.$commitment.id = commitment.id
                }
                try await response.save(on: tx)
                let names = try await names(of: [offeringID, actor.organizationID], on: tx)
                try await tellOfferingSide(offer, response, from: names[actor.organizationID] ?? "An organization", at: now, on: tx)
                return try await entry(
                    offer, organizationName: names[offeringID] ?? "", for: actor, relationship: found.relationship, at: now, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two people of the same organization answering at once: the unique (offer, organization) lets one through.
            throw Problem(.conflict, "Your organization already answered this offer.")
        }
    }

    // MARK: Reading

    /// Open offers made to the viewer's organization, newest first, each with its answer if one was given.
    static func forViewer(_ actor: Actor, at now: Date = Date(), on db: any Database) async throws -> [Entry] {
        let own = actor.organizationID
        let candidates = try await Offer.query(on: db).filter(\.$status == .open).filter(\.$validUntil > now)
            .filter(\.$organization.$id != own).with(\.$organization).sort(\.$createdAt, .descending).sort(\.$id).limit(listWindow).all()
        guard !candidates.isEmpty else { return [] }
        let decisions = try await Access.check(.members(of: own), "reader", candidates.map(object), on: db)
        var relationships: [UUID: Relationship?] = [:]
        var out: [Entry] = []
        for (offer, decision) in zip(candidates, decisions) where decision.allowed {
            let offering = offer.$organization.id
            // Read once per offering organization, however many offers it made.
            if relationships[offering] == nil {
                let known = try await relationship(of: own, with: offering, on: db)
                relationships[offering] = .some(known)
            }
            let relation = relationships[offering] ?? nil
            guard oldEnough(offer, relation, at: now) else { continue }
            out.append(
                try await entry(offer, organizationName: offer.organization.name, for: actor, relationship: relation, at: now, on: db))
        }
        return out
    }

    /// The offers the viewer's organization made, newest first, with how many accepted and declined.
    static func own(_ actor: Actor, at now: Date = Date(), on db: any Database) async throws -> [Entry] {
        let offers = try await Offer.query(on: db).filter(\.$organization.$id == actor.organizationID).with(\.$organization)
            .sort(\.$createdAt, .descending).sort(\.$id).limit(200).all()
        var out: [Entry] = []
        for offer in offers {
            out.append(try await entry(offer, organizationName: offer.organization.name, for: actor, relationship: nil, at: now, on: db))
        }
        return out
    }

    /// One offer: to its organization, to an organization it is for (even once closed or withdrawn, so an answer
    /// stays readable), and to one that answered it; to anyone else it does not exist.
    static func find(_ id: UUID?, for actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        let found = try await visible(id, for: actor, at: now, on: db)
        let name = try await Organization.find(found.offer.$organization.id, on: db)?.name ?? ""
        return try await entry(found.offer, organizationName: name, for: actor, relationship: found.relationship, at: now, on: db)
    }

    /// The offer and the viewer's relationship with its organization, or 404.
    private static func visible(_ id: UUID?, for actor: Actor, at now: Date, on db: any Database) async throws
        -> (offer: Offer, relationship: Relationship?)
    {
        guard let id, let offer = try await Offer.find(id, on: db) else { throw Problem.notFound("offer") }
        let offering = offer.$organization.id
        if offering == actor.organizationID { return (offer, nil) }
        let relation = try await relationship(of: actor.organizationID, with: offering, on: db)
        let answered =
            try await OfferResponse.query(on: db).filter(\.$offer.$id == id)
            .filter(\.$organization.$id == actor.organizationID).count() > 0
        if answered { return (offer, relation) }
        guard try await Access.check(.members(of: actor.organizationID), "reader", object(offer), on: db).allowed,
            oldEnough(offer, relation, at: now)
        else { throw Problem.notFound("offer") }
        return (offer, relation)
    }

    /// Whether everyone in the offer's audience may also see an event with the given audience. Circles nest (a
    /// connected audience includes collaborators, and they the trusted referrals, as in `Access`); partners are a
    /// relation of their own, covered only by partners, signed-in people or everyone.
    static func eventAudience(_ event: Audience, covers offer: Audience) -> Bool {
        switch event {
        case .public, .signedIn: true
        case .partners: offer == .partners
        case .connected: [.connected, .collaborator, .trustedReferral].contains(offer)
        case .collaborator: [.collaborator, .trustedReferral].contains(offer)
        case .trustedReferral: offer == .trustedReferral
        }
    }

    // MARK: Relationships

    /// Since when `other` has known `organization`: its oldest partnership with it that started (active or ended),
    /// or its placement in one of its circles, whichever is older; nil when they have neither.
    static func relationship(of other: UUID, with organization: UUID, on db: any Database) async throws -> Relationship? {
        let started = try await Partnerships.between(organization, other, on: db).filter { [.active, .ended].contains($0.status) }
            .compactMap(\.createdAt).min()
        let placement = try await Circles.placement(of: other, by: organization, on: db)
        return combine(partnership: started, placement: placement)
    }

    /// Every organization the given one knows, as `relationship` would answer for each.
    static func relationships(of organization: UUID, on db: any Database) async throws -> [UUID: Relationship] {
        var out: [UUID: Relationship] = [:]
        for (other, known) in try await Access.knownOrganizations(of: organization, on: db) {
            let started = known.partnerships.compactMap(\.createdAt).min()
            if let r = combine(partnership: started, placement: known.placement) { out[other] = r }
        }
        return out
    }

    private static func combine(partnership: Date?, placement: CirclePlacement?) -> Relationship? {
        let dates = [partnership, placement?.placedAt].compactMap { $0 }
        guard let since = dates.min() else { return nil }
        return Relationship(since: since, partnered: partnership != nil, circle: placement?.circle)
    }

    /// The minimum relationship: without one, the audience alone decides.
    static func oldEnough(_ offer: Offer, _ relation: Relationship?, at now: Date) -> Bool {
        guard offer.minRelationshipDays > 0 else { return true }
        guard let relation else { return false }
        return now.timeIntervalSince(relation.since) >= Double(offer.minRelationshipDays) * 86_400
    }

    /// "14 months", "3 years", "12 days": how long, as people say it.
    static func length(since: Date, now: Date) -> String {
        let days = max(0, Int(now.timeIntervalSince(since) / 86_400))
        if days < 1 { return "less than a day" }
        if days < 62 { return days == 1 ? "1 day" : "\(days) days" }
        if days < 730 { return "\(Int((Double(days) / 30.4375).rounded())) months" }
        return "\(Int(Double(days) / 365.25)) years"
    }

    /// What makes the offer theirs: how long the two have known each other.
    static func personalLine(author: String, reader: String, relationship: Relationship?, now: Date) -> String {
        guard let relationship else { return "You hear from \(author) because you are connected on Bonafide." }
        let span = Self.length(since: relationship.since, now: now)
        if relationship.partnered { return "You have worked with \(author) for \(span)." }
        if let circle = relationship.circle {
            return "\(author) has counted \(reader) among its \(circle.title.lowercased()) for \(span)."
        }
        return "You have known \(author) for \(span)."
    }

    // MARK: Delivery

    /// Tells the people of every organization the offer is for, each with the line about their own relationship and
    /// the note. Only organizations the author knows can be in a partners or circle audience, so only those are asked.
    private static func announce(_ offer: Offer, from author: Organization, at now: Date, on db: any Database) async throws {
        let known = try await relationships(of: author.id!, on: db)
        let candidates = known.keys.sorted { $0.uuidString < $1.uuidString }
        var recipients: [UUID] = []
        for organization in candidates where oldEnough(offer, known[organization], at: now) {
            if try await Access.check(.members(of: organization), "reader", object(offer), on: db).allowed {
                recipients.append(organization)
            }
        }
        guard !recipients.isEmpty else { return }
        let people = try await User.query(on: db).filter(\.$organization.$id ~~ recipients).all()
        let peopleOf = Dictionary(grouping: people, by: { $0.$organization.id })
        let names = try await names(of: recipients, on: db)
        let excerpt = Markdown.plainText(offer.details)
        let closes = offer.validUntil.formatted(.dateTime.day().month(.abbreviated).year())
        let key = "offer:\(Access.key(offer.id!))"
        let text =
            offer.kind == .earlyAccess
            ? "\(author.name) gives you early access: \(offer.title)" : "\(author.name) offers you: \(offer.title)"
        for organization in recipients {
            let ids = peopleOf[organization]?.compactMap(\.id) ?? []
            guard !ids.isEmpty else { continue }
            let personal = personalLine(
                author: author.name, reader: names[organization] ?? "your organization", relationship: known[organization], now: now)
            let parts = [
                personal, offer.personalNote, excerpt.count > 1_500 ? String(excerpt.prefix(1_499)) + "…" : excerpt,
                "Open until \(closes).",
            ]
            try await Notifier.notify(
                ids,
                of: .init(
                    kind: .offer, text: text, link: SiteURL.offer(offer.id), detail: parts.filter { !$0.isEmpty }.joined(separator: "\n\n"),
                    about: key, key: key),
                at: now, on: db)
        }
    }

    /// The offering organization's owners and admins hear each answer; for a document, that it is theirs to share,
    /// since the vault is sealed end to end and the server cannot open it for anyone.
    private static func tellOfferingSide(_ offer: Offer, _ response: OfferResponse, from name: String, at now: Date, on db: any Database)
        async throws
    {
        let managers = try await User.query(on: db).filter(\.$organization.$id == offer.$organization.id).filter(
            \.$role ~~ [.owner, .admin]
        )
        .all()
        var detail: [String] = []
        if !response.note.isEmpty { detail.append("Their note: \(response.note)") }
        if response.status == .accepted, response.$commitment.id != nil {
            detail.append("It is now a commitment proposed to them in your partnership, owned by your side.")
        }
        if response.status == .accepted, offer.$linkedDocument.id != nil {
            detail.append("Share the document with them from your vault: only your side can open it for them.")
        }
        let key = "offer:\(Access.key(offer.id!))"
        try await Notifier.notify(
            managers.compactMap(\.id),
            of: .init(
                kind: .offer, text: "\(name) \(response.status.rawValue) your offer: \(offer.title)", link: SiteURL.offer(offer.id),
                detail: detail.isEmpty ? nil : detail.joined(separator: "\n\n"), about: key,
                key: "\(key):\(Access.key(response.$organization.id))"),
            at: now, on: db)
    }

    // MARK: Helpers

    /// Each offer is its own object: checked in one batch, offers sharing a name would pool their audiences.
    static func object(_ offer: Offer) -> Access.Object {
        .shared(organization: offer.$organization.id, name: "offer-\(Access.key(offer.id!))", audience: offer.audience)
    }

    /// The person an accepted offer's commitment is proposed as: who made the offer, or one of the organization's
    /// owners when that person has left it.
    private static func offeringPerson(_ offer: Offer, on db: any Database) async throws -> Actor? {
        if let id = offer.$createdBy.id, let user = try await User.find(id, on: db), user.$organization.id == offer.$organization.id {
            return Actor(user: user)
        }
        return try await User.query(on: db).filter(\.$organization.$id == offer.$organization.id).filter(\.$role == .owner).first()
            .map { Actor(user: $0) }
    }

    private static func names(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { a, _ in a })
    }

    /// Where the linked event or document is, for the viewer: the event's page, or the document among the
    /// partnership's documents when the viewer is a side of it, else among those shared with the viewer.
    private static func link(_ offer: Offer, for actor: Actor, on db: any Database) async throws -> String? {
        if let event = offer.$linkedEvent.id { return SiteURL.event(event) }
        guard let id = offer.$linkedDocument.id, let document = try await Document.find(id, on: db) else { return nil }
        let partnership = try await Partnership.find(document.$partnership.id, on: db)
        return partnership?.side(of: actor.organizationID) == true ? SiteURL.documents(partnership?.id) : SiteURL.sharedWithUs
    }

    private static func entry(
        _ offer: Offer, organizationName: String, for actor: Actor, relationship: Relationship?, at now: Date, on db: any Database
    ) async throws -> Entry {
        let own = offer.$organization.id == actor.organizationID
        var e = Entry(
            id: offer.id!, organizationID: offer.$organization.id, organizationName: organizationName, title: offer.title,
            details: offer.details, kind: offer.kind, audience: offer.audience, minRelationshipDays: offer.minRelationshipDays,
            personalNote: offer.personalNote, validUntil: offer.validUntil, status: offer.status, createdAt: offer.createdAt, own: own,
            linkedEventID: offer.$linkedEvent.id, linkedDocumentID: offer.$linkedDocument.id)
        if own {
            let answers = try await OfferResponse.query(on: db).filter(\.$offer.$id == offer.id!).all()
            e.accepted = answers.filter { $0.status == .accepted }.count
            e.declined = answers.filter { $0.status == .declined }.count
            e.link = try await link(offer, for: actor, on: db)
            return e
        }
        // Read by the organization it is for: "you" is that organization.
        e.personalLine = personalLine(author: organizationName, reader: "you", relationship: relationship, now: now)
        if let r = try await OfferResponse.query(on: db).filter(\.$offer.$id == offer.id!).filter(
            \.$organization.$id == actor.organizationID
        )
        .with(\.$commitment).first() {
            e.answer = Answer(
                organizationID: r.$organization.id, decision: r.status, note: r.note, commitmentID: r.$commitment.id,
                partnershipID: r.commitment?.$partnership.id, decidedAt: r.decidedAt)
            // Early access is the reward for accepting: the link is shown only then.
            if r.status == .accepted { e.link = try await link(offer, for: actor, on: db) }
        }
        return e
    }
}
