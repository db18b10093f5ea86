import BonafideCore
import Fluent
import Foundation

/// Credentials an organization holds, verified by the organization that issued them. A credential naming an
/// issuer on Bonafide waits for that issuer's owners or admins to confirm it; one whose issuer is not here stays
/// a claim, shown as unverified and worth nothing as evidence. Confirmed, unexpired credentials are credibility
/// evidence for everyone, fully when the viewer knows the issuer (works or worked with it, keeps it in a circle,
/// or is it), half otherwise: a ring of made-up issuers cannot vouch for each other at full weight.
enum Credentials {
    static let maximumPerOrganization = 50

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
        guard (1...200).contains(title.count) else {
            throw Problem.invalid("title", "Name the credential in 1 to 200 characters, e.g. “ISO/IEC 27001:2022”.")
        }
        let identifier = d.identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        guard identifier.count <= 100 else {
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
        }
        guard (1...200).contains(issuerName.count) else {
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
        try await db.transaction { tx in
            try await c.save(on: tx)
            if let issuerID = d.issuerID {
                try await notifyManagers(
                    of: issuerID, text: "\(holderName) says you issued them “\(title)”; confirm or decline it",
                    link: Paths.credentialRequests, at: now, on: tx)
            }
        }
        return c
    }

    /// Removes one of the actor's organization's credentials; false when it has no such credential.
    static func remove(_ id: UUID, by actor: Actor, now: Date = Date(), on db: any Database) async throws -> Bool {
        guard let c = try await Credential.query(on: db).filter(\.$id == id).filter(\.$holder.$id == actor.organizationID).first()
        else { return false }
        try Policy.manageOrganization(actor)
        try await db.transaction { tx in
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
        guard note.count <= 1000 else { throw Problem.invalid("note", "The note has at most 1000 characters.") }
        let verb = decision == .confirm ? "confirmed" : decision == .decline ? "declined" : "revoked"
        switch (decision, c.status) {
        case (.confirm, .pending): break
        case (.decline, .pending), (.revoke, .verified):
            guard !note.isEmpty else { throw Problem.invalid("note", "Say why, in a few words: the holder sees it.") }
        default: throw Problem(.conflict, "A \(c.status.rawValue) credential cannot be \(verb).")
        }
        c.status = decision == .confirm ? .verified : decision == .decline ? .declined : .revoked
        c.decidedAt = now
        c.$decidedBy.id = actor.id
        c.decisionNote = note.nilIfEmpty
        let issuerName = try await Organization.find(actor.organizationID, on: db)?.name ?? "The issuer"
        try await db.transaction { tx in
            try await c.save(on: tx)
            try await notifyManagers(
                of: c.$holder.id, text: "\(issuerName) \(verb) your credential “\(c.title)”", link: Paths.organizationSettings, at: now,
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
        let managers = try await User.query(on: db).filter(\.$organization.$id == organization).filter(\.$role ~~ [.owner, .admin]).all()
        for m in managers { try await Notification(userID: m.id!, text: text, link: link, at: now).save(on: db) }
    }

    /// A credential counts for every viewer: queue everyone who holds a view of the holder.
    private static func enqueueViewers(of holder: UUID, at now: Date, on db: any Database) async throws {
        let viewers = Set(try await TrustSnapshot.query(on: db).filter(\.$subject.$id == holder).all().map(\.$viewer.id))
        for viewer in viewers { try await TrustService.enqueue(viewer: viewer, subject: holder, at: now, on: db) }
    }

    // MARK: Evidence

    static func evidence(viewer: UUID, subject: UUID, at now: Date, on db: any Database) async throws -> [TrustEvidence] {
        let verified = try await Credential.query(on: db).filter(\.$holder.$id == subject).filter(\.$status == .verified).all()
            .filter { !$0.isExpired(at: now) }
        guard !verified.isEmpty else { return [] }
        let issuers = Set(verified.compactMap(\.$issuer.id))
        let known = try await knownOrganizations(of: viewer, among: issuers, on: db)
        return verified.map { c in
            let issuerKnown = c.$issuer.id.map(known.contains) ?? false
            return TrustEvidence(
                kind: .credentialVerified, date: c.decidedAt ?? c.createdAt, weight: issuerKnown ? 1 : 0.5,
                summary:
                    "\(c.kind.title) “\(c.title)” confirmed by \(c.issuerName)\(issuerKnown ? "" : " (an issuer you have not worked with)")"
            )
        }
    }

    /// Which of the candidates the viewer knows first hand: itself, partners (current or past) and circle members.
    static func knownOrganizations(of viewer: UUID, among candidates: Set<UUID>, on db: any Database) async throws -> Set<UUID> {
        var known = candidates.contains(viewer) ? Set([viewer]) : []
        known.formUnion(Set(try await Partnerships.partnerIDs(of: viewer, statuses: [.active, .ended], on: db)).intersection(candidates))
        for id in candidates.subtracting(known) {
            if let placement = try await Circles.placement(of: id, by: viewer, on: db), placement.circle != .follow { known.insert(id) }
        }
        return known
    }
}
