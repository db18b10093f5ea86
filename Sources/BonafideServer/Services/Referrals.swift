import BonafideCore
import Fluent
import Foundation

/// An organization's trusted-referral circle as a list it can send a client: a link with a token, expiring and
/// revocable, that opens without an account and shows each organization with what the referrer says of them and
/// their public profile. The circle is read when the page is opened, so moving someone out takes them off at once.
enum Referrals {
    static let tokenPrefix = "bfr_"
    static let maxDays = 365
    static let maxActiveLinks = 50

    struct Entry: Sendable {
        var organizationID: UUID
        var name: String
        /// What the referrer says of them (the circle note).
        var note: String
        /// Their public sections (public profile).
        var sections: [ProfileSections.Section]
    }

    struct List: Sendable {
        var referrer: String
        var note: String
        var expiresAt: Date
        var entries: [Entry]
    }

    /// Creates a link (owners and admins); returns it with the token, shown only now.
    static func create(note: String, days: Int, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> (
        ReferralLink, String
    ) {
        try Policy.manageOrganization(actor)
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.length <= 500 else { throw Problem.invalid("note", "A note has at most 500 characters.") }
        guard (1...maxDays).contains(days) else {
            throw Problem.invalid("expiresInDays", "A referral link lasts 1 to \(maxDays) days.")
        }
        let token = Secrets.make(prefix: tokenPrefix)
        let organizationID = actor.organizationID
        let link = try await db.writeTransaction { tx in
            let active = try await ReferralLink.query(on: tx).filter(\.$organization.$id == organizationID).filter(\.$revokedAt == nil)
                .filter(\.$expiresAt > now).count()
            guard active < maxActiveLinks else {
                throw Problem(.conflict, "Your organization has \(maxActiveLinks) active referral links; revoke one first.")
            }
            let link = ReferralLink()
            link.$organization.id = organizationID
            link.tokenHash = Secrets.digest(token)
            link.note = text
            link.expiresAt = now.addingTimeInterval(Double(days) * 86_400)
            link.views = 0
            link.$createdBy.id = actor.id
            link.createdAt = now
            try await link.save(on: tx)
            return link
        }
        return (link, token)
    }

    static func links(of actor: Actor, on db: any Database) async throws -> [ReferralLink] {
        try Policy.manageOrganization(actor)
        return try await ReferralLink.query(on: db).filter(\.$organization.$id == actor.organizationID).with(\.$createdBy)
            .sort(\.$createdAt, .descending).limit(200).all()
    }

    /// Ends a link at once; 404 for another organization's link or one already revoked.
    static func revoke(_ id: UUID?, by actor: Actor, at now: Date = Date(), on db: any Database) async throws {
        try Policy.manageOrganization(actor)
        let organizationID = actor.organizationID
        try await db.writeTransaction { tx in
            // Decided on the locked row: of two withdrawals at once, the second learns it was already withdrawn.
            guard let id, let link = try await tx.lockedRow(ReferralLink.self, id), link.$organization.id == organizationID else {
                throw Problem.notFound("referral link")
            }
            guard link.revokedAt == nil else { throw Problem(.conflict, "This referral link was already withdrawn.") }
            link.revokedAt = now
            try await link.save(on: tx)
        }
    }

    /// The list behind a token, counting the view; 404 for an unknown token, 410 for an expired or revoked one.
    static func open(token: String, at now: Date = Date(), on db: any Database) async throws -> List {
        guard token.hasPrefix(tokenPrefix), token.utf8.count < 100 else { throw Problem.notFound("referral list") }
        let hash = Secrets.digest(token)
        let link = try await db.writeTransaction { tx -> ReferralLink in
            guard let found = try await ReferralLink.query(on: tx).filter(\.$tokenHash == hash).first(),
                let link = try await tx.lockedRow(ReferralLink.self, found.id!)
            else { throw Problem.notFound("referral list") }
            // Locked, so views opened at once are each counted.
            try await link.$organization.load(on: tx)
            if link.revokedAt != nil { throw Problem(.gone, "This referral list was withdrawn by \(link.organization.name).") }
            if link.expiresAt <= now {
                throw Problem(.gone, "This referral list has expired; ask \(link.organization.name) for a new one.")
            }
            link.views += 1
            link.lastViewedAt = now
            try await link.save(on: tx)
            return link
        }
        var entries: [Entry] = []
        for m in try await Circles.members(of: link.$organization.id, in: .trustedReferral, on: db) {
            guard let org = try await Organization.find(m.organizationID, on: db) else { continue }
            let sections = try await ProfileSections.visible(of: org, to: .anyone, on: db).map(\.section)
            entries.append(Entry(organizationID: m.organizationID, name: m.name, note: m.note, sections: sections))
        }
        return List(referrer: link.organization.name, note: link.note, expiresAt: link.expiresAt, entries: entries)
    }
}
