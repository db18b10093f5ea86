import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Credentials an organization holds, verified by the organization that issued them. A credential naming an
/// issuer on Bonafide waits for that issuer's owners or admins to confirm it; one whose issuer is not here stays
/// a claim, shown as unverified and worth nothing as evidence. Confirmed, unexpired credentials are credibility
/// evidence: fully for a viewer who knows the issuer first hand (works or worked with it, keeps it in a circle,
/// or is it), half when an organization the viewer knows has worked with the issuer, and not at all otherwise,
/// since anyone can sign up an organization called "TÜV" to confirm their own certificates.
enum Credentials {
    static let maximumPerOrganization = 50
    /// Requests to one issuer per 30 days, however often the credential is deleted and added again.
    static let maximumRequestsPerIssuer = 3

    struct Draft: Sendable {
        var kind: CredentialKind
        var title: String
        /// The issuer when it is not on Bonafide; ignored when `issuerID` is given.
        var issuerName: String
        var issuerID: UUID?
        var identifier: String = ""
        var validUntil: Date?
    }

    enum Decision: String, Sendable, CaseIterable {
        case confirm, decline, revoke
    }

    @discardableResult
    static func add(_ d: Draft, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Credential {
        try Policy.manageOrganization(actor)
        let title = d.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.length) else {
            throw Problem.invalid("title", "Name the credential in 1 to 200 characters, e.g. “ISO/IEC 27001:2022”.")
        }
        let identifier = d.identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        guard identifier.length <= 100 else {
            throw Problem.invalid("identifier", "The certificate or licence number has at most 100 characters.")
        }
        if let until = d.validUntil, until <= now {
            throw Problem.invalid("validUntil", "This credential has already expired; add only current ones.")
        }
        var issuerName = d.issuerName.trimmingCharacters(in: .whitespacesAndNewlines)
        if let issuerID = d.issuerID {
            guard issuerID != actor.organizationID else {
                throw Problem.invalid("issuerOrganizationId", "A credential cannot be issued by your own organization.")
            }
            guard let issuer = try await Organization.find(issuerID, on: db) else {
                throw Problem.invalid("issuerOrganizationId", "There is no such organization on Bonafide.")
            }
            issuerName = issuer.name
            // One open request per issuer at a time, and none for a month after it declined: no nagging.
            let earlier = try await Credential.query(on: db).filter(\.$holder.$id == actor.organizationID)
                .filter(\.$issuer.$id == issuerID).filter(\.$status ~~ [.pending, .declined]).all()
            if earlier.contains(where: { $0.status == .pending }) {
                throw Problem(.conflict, "\(issuer.name) has not answered your last request yet; wait for it before asking again.")
            }
            // The history outlives the credentials: deleting one and adding it again is a new request, not a fresh start.
            let monthAgo = now.addingTimeInterval(-30 * 86_400)
            let history = try await CredentialRequest.query(on: db).filter(\.$holderID == actor.organizationID)
                .filter(\.$issuerID == issuerID).filter(\.$requestedAt > monthAgo).all()
            if earlier.contains(where: { $0.status == .declined && ($0.decidedAt ?? .distantPast) > monthAgo })
                || history.contains(where: { ($0.declinedAt ?? .distantPast) > monthAgo })
            {
                throw Problem(
                    .conflict, "\(issuer.name) declined a credential of yours in the last 30 days; ask them directly before trying again.")
            }
            guard history.count < maximumRequestsPerIssuer else {
                throw Problem(
                    .tooManyRequests,
                    "You asked \(issuer.name) to confirm credentials \(history.count) times in the last 30 days; wait before asking again.")
            }
        }
        guard (1...200).contains(issuerName.length) else {
            throw Problem.invalid("issuerName", "Say who issued it (1 to 200 characters), or pick the issuer on Bonafide.")
        }
        let held = try await Credential.query(on: db).filter(\.$holder.$id == actor.organizationID).count()
        guard held < maximumPerOrganization else {
            throw Problem(.conflict, "An organization lists at most \(maximumPerOrganization) credentials; remove an old one first.")
        }
        let c = Credential()
        c.$holder.id = actor.organizationID
        c.kind = d.kind
        c.title = title
        c.issuerName = issuerName
        c.$issuer.id = d.issuerID
        c.identifier = identifier
        c.validUntil = d.validUntil
        c.status = d.issuerID == nil ? .claimed : .pending
        c.$createdBy.id = actor.id
        c.createdAt = now
        let holderName = try await Organization.find(actor.organizationID, on: db)?.name ?? "An organization"
        try await db.writeTransaction { tx in
            try await c.save(on: tx)
            if let issuerID = d.issuerID {
                let request = CredentialRequest()
                request.holderID = actor.organizationID
                request.issuerID = issuerID
                request.requestedAt = now
                try await request.save(on: tx)
                try await notifyManagers(
                    of: issuerID, text: "\(holderName) says you issued them “\(title)”; confirm or decline it",
                    link: SiteURL.credentialRequests, at: now, on: tx)
            }
        }
        return c
    }

    /// Removes one of the actor's organization's credentials; false when it has no such credential.
    static func remove(_ id: UUID, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Bool {
        guard let c = try await Credential.query(on: db).filter(\.$id == id).filter(\.$holder.$id == actor.organizationID).first()
        else { return false }
        try Policy.manageOrganization(actor)
        try await db.writeTransaction { tx in
            try await c.delete(on: tx)
            try await enqueueViewers(of: actor.organizationID, at: now, on: tx)
        }
        return true
    }

    /// The issuer confirms or declines a pending credential, or revokes one it confirmed. Anyone but the issuer
    /// gets not found.
    static func decide(_ id: UUID, _ decision: Decision, note raw: String, by actor: Actor, now: Date = Date(), on db: any Database)
        async throws -> Credential
    {
        guard let c = try await Credential.query(on: db).filter(\.$id == id).filter(\.$issuer.$id == actor.organizationID).first()
        else { throw Problem.notFound("credential") }
        try Policy.manageOrganization(actor)
        let note = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.length <= 1000 else { throw Problem.invalid("note", "The note has at most 1000 characters.") }
        let verb = decision == .confirm ? "confirmed" : decision == .decline ? "declined" : "revoked"
        switch (decision, c.status) {
        case (.confirm, .pending): break
        case (.decline, .pending), (.revoke, .verified):
            guard !note.isEmpty else {
                throw Problem.invalid(
                    "note",
                    decision == .revoke
                        ? "Say why, in a few words: it is shown with the revoked credential on their public profile."
                        : "Say why, in a few words: the holder sees it.")
            }
        default: throw Problem(.conflict, "A \(c.status.rawValue) credential cannot be \(verb).")
        }
        let decidedOn = c.status
        c.status = decision == .confirm ? .verified : decision == .decline ? .declined : .revoked
        c.decidedAt = now
        c.$decidedBy.id = actor.id
        c.decisionNote = note.nilIfEmpty
        let issuerName = try await Organization.find(actor.organizationID, on: db)?.name ?? "The issuer"
        try await db.writeTransaction { tx in
            // Decided on the row as it is now, locked: of two decisions at once, only the first stands.
            guard try await tx.lockedRow(Credential.self, id)?.status == decidedOn else {
                throw Problem(.conflict, "This credential was decided meanwhile; reload to see how.")
            }
            try await c.save(on: tx)
            try await Passports.record(c, issuerName: issuerName, at: now, on: tx)
            if decision == .decline {
                try await CredentialRequest.query(on: tx).filter(\.$holderID == c.$holder.id)
                    .filter(\.$issuerID == actor.organizationID).set(\.$declinedAt, to: now).update()
            }
            try await notifyManagers(
                of: c.$holder.id, text: "\(issuerName) \(verb) your credential “\(c.title)”", link: SiteURL.organizationSettings, at: now,
                on: tx)
            try await enqueueViewers(of: c.$holder.id, at: now, on: tx)
        }
        return c
    }

    /// An organization's credentials as the viewer may see them: pending and declined ones only to the holder and
    /// the issuer, everything else to anyone.
    static func of(_ holder: UUID, seenBy viewer: UUID, on db: any Database) async throws -> [Credential] {
        try await Credential.query(on: db).filter(\.$holder.$id == holder).with(\.$issuer).sort(\.$createdAt, .descending).all()
            .filter { c in
                (c.status != .pending && c.status != .declined) || viewer == holder || viewer == c.$issuer.id
            }
    }

    /// What others ask the organization to confirm, and what it confirmed (so it can revoke).
    static func requests(to issuer: UUID, on db: any Database) async throws -> [Credential] {
        try await Credential.query(on: db).filter(\.$issuer.$id == issuer).filter(\.$status ~~ [.pending, .verified])
            .with(\.$holder).sort(\.$createdAt, .descending).limit(200).all()
    }

    private static func notifyManagers(of organization: UUID, text: String, link: String, at now: Date, on db: any Database) async throws {
        try await Notifier.notify(
            try await Accounts.managers(of: organization, on: db),
            of: .init(kind: .credentialRequest, text: text, link: link, key: UUID().uuidString.lowercased()), at: now, on: db)
    }

    /// A credential counts for every viewer: queue everyone who holds a view of the holder.
    private static func enqueueViewers(of holder: UUID, at now: Date, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        struct Row: Decodable { var viewer_organization_id: UUID }
        let viewers = try await sql.select().distinct().column("viewer_organization_id").from(TrustSnapshot.schema)
            .where("subject_organization_id", .equal, holder).all(decoding: Row.self)
        try await TrustService.enqueue(viewers.map { ($0.viewer_organization_id, holder) }, at: now, on: db)
    }

    // MARK: Evidence

    /// What trust reads of a confirmed credential, as plain values.
    struct EvidenceFacts: Decodable {
        var holder: UUID
        var kind: CredentialKind
        var title: String
        var issuerName: String
        var issuer: UUID?
        var validUntil: Date?
        var decidedAt: Date?
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case kind, title
            case holder = "organization_id"
            case issuerName = "issuer_name", issuer = "issuer_organization_id", validUntil = "valid_until", decidedAt = "decided_at"
            case createdAt = "created_at"
        }
    }

    static func evidence(viewer: UUID, subject: UUID, at now: Date, on db: any Database) async throws -> [TrustEvidence] {
        let verified = try await db.sql().select().columns(evidenceColumns).from(Credential.schema)
            .where("organization_id", .equal, SQLBind(subject))
            .where("status", .equal, SQLBind(CredentialStatus.verified.rawValue)).all(decoding: EvidenceFacts.self)
            .filter { !($0.validUntil.map { $0 < now } ?? false) }
        let issuers = Set(verified.compactMap(\.issuer))
        // Only a credential confirmed by an organization on the platform counts.
        guard !issuers.isEmpty else { return [] }
        let viewerKnows = try await knownOrganizations(of: viewer, on: db)
        let theirPartners = try await partners(of: unknownIssuers(issuers, to: viewer, knowing: viewerKnows), on: db)
        return evidence(from: verified, viewer: viewer, subject: subject, knowing: viewerKnows, issuersPartners: theirPartners)
    }

    /// The same for many pairs at once (the background recompute's batch): the holders' credentials, the viewers'
    /// acquaintances and the partners of the issuers they do not know are each read once for all the pairs.
    static func evidence(for pairs: [TrustService.Pair], at now: Date, on db: any Database) async throws
        -> [TrustService.Pair: [TrustEvidence]]
    {
        let read = try await TrustService.rows(in: TrustService.subjectIDs(of: pairs)) { (slice: [UUID]) -> [EvidenceFacts] in
            try await db.sql().select().columns(evidenceColumns).from(Credential.schema)
                .where("organization_id", .in, SQLBind.group(slice))
                .where("status", .equal, SQLBind(CredentialStatus.verified.rawValue)).all(decoding: EvidenceFacts.self)
        }
        let verified = Dictionary(grouping: read.filter { !($0.validUntil.map { $0 < now } ?? false) }, by: \.holder)
        let issuers = verified.mapValues { Set($0.compactMap(\.issuer)) }
        // Only a credential confirmed by an organization on the platform counts.
        let counted = pairs.filter { !(issuers[$0.subject] ?? []).isEmpty }
        guard !counted.isEmpty else { return [:] }
        let knows = try await knownOrganizations(of: Set(counted.map(\.viewer)), on: db)
        var unknown = Set<UUID>()
        for pair in counted {
            unknown.formUnion(unknownIssuers(issuers[pair.subject] ?? [], to: pair.viewer, knowing: knows[pair.viewer] ?? []))
        }
        // Each issuer's partners are its own whatever else is asked with it.
        let theirPartners = try await partners(of: unknown, on: db)
        var found: [TrustService.Pair: [TrustEvidence]] = [:]
        for pair in counted {
            found[pair] = evidence(
                from: verified[pair.subject] ?? [], viewer: pair.viewer, subject: pair.subject, knowing: knows[pair.viewer] ?? [],
                issuersPartners: theirPartners)
        }
        return found
    }

    static let evidenceColumns = [
        "organization_id", "kind", "title", "issuer_name", "issuer_organization_id", "valid_until", "decided_at", "created_at",
    ]

    /// Issuers the viewer does not know first hand: their credentials count only through someone the viewer knows.
    static func unknownIssuers(_ issuers: Set<UUID>, to viewer: UUID, knowing viewerKnows: Set<UUID>) -> Set<UUID> {
        issuers.subtracting(viewerKnows.union([viewer]))
    }

    /// The items of the subject's current confirmed credentials, already read, with what the viewer knows and the
    /// partners of (at least) the issuers it does not know.
    static func evidence(
        from verified: [EvidenceFacts], viewer: UUID, subject: UUID, knowing viewerKnows: Set<UUID>,
        issuersPartners theirPartners: [UUID: Set<UUID>]
    ) -> [TrustEvidence] {
        let issuers = Set(verified.compactMap(\.issuer))
        let known = viewerKnows.union([viewer]).intersection(issuers)
        // Second hand: the issuer worked with an organization the viewer knows (the holder does not count).
        let unknown = unknownIssuers(issuers, to: viewer, knowing: viewerKnows)
        let vouched = unknown.filter { !(theirPartners[$0] ?? []).subtracting([subject]).isDisjoint(with: viewerKnows) }
        return verified.compactMap { c in
            guard let issuer = c.issuer, known.contains(issuer) || vouched.contains(issuer) else { return nil }
            let firstHand = known.contains(issuer)
            return TrustEvidence(
                kind: .credentialVerified, date: c.decidedAt ?? c.createdAt, weight: firstHand ? 1 : 0.5,
                summary:
                    "\(c.kind.title) “\(c.title)” confirmed by \(c.issuerName)\(firstHand ? "" : " (known to organizations you work with)")"
            )
        }
    }

    /// Everyone the viewer knows first hand: partners (current or past) and circle members closer than following.
    static func knownOrganizations(of viewer: UUID, on db: any Database) async throws -> Set<UUID> {
        struct Member: Decodable { var member_id: UUID }
        let circles = try await db.sql().select().column("member_id").from(CirclePlacement.schema)
            .where("organization_id", .equal, SQLBind(viewer)).where("circle", .notEqual, SQLBind(Circle.follow.rawValue))
            .all(decoding: Member.self).map(\.member_id)
        return try await partners(of: [viewer], on: db)[viewer, default: []].union(circles)
    }

    /// The same for many viewers at once.
    static func knownOrganizations(of viewers: Set<UUID>, on db: any Database) async throws -> [UUID: Set<UUID>] {
        struct Member: Decodable {
            var organization_id: UUID
            var member_id: UUID
        }
        let circles = try await TrustService.rows(in: Array(viewers)) { (slice: [UUID]) -> [Member] in
            try await db.sql().select().columns("organization_id", "member_id").from(CirclePlacement.schema)
                .where("organization_id", .in, SQLBind.group(slice)).where("circle", .notEqual, SQLBind(Circle.follow.rawValue))
                .all(decoding: Member.self)
        }
        var known = try await partners(of: viewers, on: db)
        for c in circles { known[c.organization_id, default: []].insert(c.member_id) }
        return known
    }

    /// Each organization's partners, current or past (`Partnerships.partnerIDs` for several at once, as sets).
    static func partners(of organizations: Set<UUID>, on db: any Database) async throws -> [UUID: Set<UUID>] {
        guard !organizations.isEmpty else { return [:] }
        struct Sides: Decodable {
            var organization: UUID
            var partner: UUID?

            enum CodingKeys: String, CodingKey {
                case organization = "organization_id", partner = "partner_organization_id"
            }
        }
        // Each slice is bound twice. A row of two organizations in different slices comes back twice: sets keep it once.
        let sides = try await TrustService.rows(in: Array(organizations), perStatement: TrustService.bindsPerStatement / 2) {
            (ids: [UUID]) -> [Sides] in
            try await db.sql().select().columns("organization_id", "partner_organization_id").from(Partnership.schema)
                .where("status", .in, SQLBind.group([PartnershipStatus.active.rawValue, PartnershipStatus.ended.rawValue]))
                .where { $0.where("organization_id", .in, SQLBind.group(ids)).orWhere("partner_organization_id", .in, SQLBind.group(ids)) }
                .all(decoding: Sides.self)
        }
        var found: [UUID: Set<UUID>] = [:]
        for row in sides {
            guard let partner = row.partner else { continue }
            if organizations.contains(row.organization) { found[row.organization, default: []].insert(partner) }
            if organizations.contains(partner) { found[partner, default: []].insert(row.organization) }
        }
        return found
    }
}
