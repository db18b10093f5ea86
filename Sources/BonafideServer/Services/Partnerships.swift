import BonafideCore
import Fluent
import Foundation
import SQLKit

enum Partnerships {
    /// Every partnership the two organizations have with each other, whichever invited.
    static func between(_ a: UUID, _ b: UUID, on db: any Database) async throws -> [Partnership] {
        try await Partnership.query(on: db)
            .group(.or) {
                $0.group(.and) { $0.filter(\.$organization.$id == a).filter(\.$partner.$id == b) }
                    .group(.and) { $0.filter(\.$organization.$id == b).filter(\.$partner.$id == a) }
            }.all()
    }

    /// Opens a partnership from the actor's side. Returns the invitation secret, shown once.
    /// With `baseURL`, the invitation is also mailed to the partner's address.
    static func create(
        name: String, partnerEmail: String?, agreement: String?, by actor: Actor, mailingFrom baseURL: String? = nil, on db: any Database
    ) async throws -> (Partnership, String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...160).contains(name.length) else { throw Problem.invalid("name", "The partnership name must have 1 to 160 characters.") }
        var email: String?
        if let raw = partnerEmail?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            let normalized = Validation.normalizedEmail(raw)
            guard Validation.isEmail(normalized) else { throw Problem.invalid("partnerEmail", "\"\(raw)\" is not an email address.") }
            if let existing = try await User.query(on: db).filter(\.$email == normalized).first(),
                existing.$organization.id == actor.organizationID
            {
                throw Problem.invalid(
                    "partnerEmail", "\(normalized) belongs to your own organization; invite someone from the partner organization.")
            }
            email = normalized
        }
        let text = agreement?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let text, text.length > 100_000 { throw Problem.invalid("agreement", "The agreement must have at most 100000 characters.") }
        let secret = Secrets.make(prefix: "inv_")
        let invitedEmail = email
        let partnership = try await db.writeTransaction { tx in
            let p = Partnership(name: name, organizationID: actor.organizationID, createdByID: actor.id)
            p.status = .invited
            p.invitedEmail = invitedEmail
            p.invitationSecretHash = Secrets.digest(secret)
            try await p.save(on: tx)
            try await PartnershipMember(partnershipID: p.id!, userID: actor.id, organizationID: actor.organizationID).save(on: tx)
            try await Timeline.append(
                p, actor: actor, kind: "partnership.created",
                summary: "\(actor.user.name) opened the partnership" + (invitedEmail.map { " and invited \($0)" } ?? ""), on: tx)
            if let text, !text.isEmpty {
                try await AgreementVersion(partnershipID: p.id!, version: 1, text: text, authorID: actor.id).save(on: tx)
                try await Timeline.append(
                    p, actor: actor, kind: "agreement.updated", summary: "\(actor.user.name) wrote version 1 of the agreement", on: tx)
            }
            if let invitedEmail, let baseURL {
                try await InvitationMail.partnership(p, to: invitedEmail, secret: secret, by: actor, baseURL: baseURL, on: tx)
            }
            return p
        }
        return (partnership, secret)
    }

    /// A new invitation link replaces the old one, which stops working.
    /// The organizations this one has an active partnership with, in the order the partnerships were made.
    static func activePartnerIDs(of organization: UUID, on db: any Database) async throws -> [UUID] {
        try await partnerIDs(of: organization, statuses: [.active], on: db)
    }

    /// The organizations this one has or had a partnership with (active or ended), oldest first.
    static func partnerIDs(of organization: UUID, statuses: [PartnershipStatus], on db: any Database) async throws -> [UUID] {
        let partnerships = try await Partnership.query(on: db).filter(\.$status ~~ statuses)
            .group(.or) { $0.filter(\.$organization.$id == organization).filter(\.$partner.$id == organization) }
            .sort(\.$createdAt).all()
        var ids: [UUID] = []
        for p in partnerships {
            let other = p.$organization.id == organization ? p.$partner.id : p.$organization.id
            if let other, !ids.contains(other) { ids.append(other) }
        }
        return ids
    }

    static func renewInvitation(
        _ partnership: Partnership, by actor: Actor, mailingFrom baseURL: String? = nil, on db: any Database
    ) async throws -> String {
        guard partnership.$organization.id == actor.organizationID, partnership.status == .invited else {
            throw Problem(.conflict, "Only the inviting side can renew the link of a pending invitation.")
        }
        let secret = Secrets.make(prefix: "inv_")
        partnership.invitationSecretHash = Secrets.digest(secret)
        try await db.writeTransaction { tx in
            try await partnership.save(on: tx)
            try await Timeline.append(
                partnership, actor: actor, kind: "invitation.renewed", summary: "\(actor.user.name) issued a new invitation link", on: tx)
            if let email = partnership.invitedEmail, let baseURL {
                try await InvitationMail.partnership(partnership, to: email, secret: secret, by: actor, baseURL: baseURL, on: tx)
            }
        }
        return secret
    }

    static func invitation(secret: String, for actor: Actor?, on db: any Database) async throws -> Partnership {
        guard secret.count < 200,
            let p = try await Partnership.query(on: db)
                .filter(\.$invitationSecretHash == Secrets.digest(secret)).filter(\.$status == .invited)
                .with(\.$organization).with(\.$createdBy).first()
        else { throw Problem(.notFound, "This invitation link is not valid: it was used, renewed or never existed.") }
        if let actor, let email = p.invitedEmail, email != actor.user.email {
            throw Problem(.notFound, "This invitation is addressed to another email address than yours.")
        }
        return p
    }

    static func accept(secret: String, by actor: Actor, requireVerifiedEmail: Bool = false, on db: any Database) async throws
        -> Partnership
    {
        let p = try await invitation(secret: secret, for: actor, on: db)
        // An invitation to an address is for whoever reads mail there: an account that only claims the address
        // must prove it first.
        if requireVerifiedEmail, p.invitedEmail != nil, actor.user.emailVerifiedAt == nil {
            throw Problem(
                .forbidden, "Confirm your email address first (Settings has the link to send it again); then accept the invitation.")
        }
        guard p.$organization.id != actor.organizationID else {
            throw Problem(.conflict, "You cannot accept your own organization's invitation; send the link to the partner.")
        }
        try await db.writeTransaction { tx in
            try await requireStatus(.invited, of: p, on: tx, else: "This invitation was already answered.")
            p.$partner.id = actor.organizationID
            p.status = .active
            p.invitationSecretHash = nil
            try await p.save(on: tx)
            try await PartnershipMember(partnershipID: p.id!, userID: actor.id, organizationID: actor.organizationID).save(on: tx)
            let org = try await Organization.find(actor.organizationID, on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "partnership.accepted",
                summary: "\(actor.user.name) accepted for \(org?.name ?? "the partner"); the partnership is active", on: tx)
            try await Timeline.notify(
                p, side: p.$organization.id, except: actor, kind: .partnershipChanged,
                text: "\(actor.user.name) accepted your invitation to \(p.name)", link: SiteURL.partnership(p.id), key: event, on: tx)
        }
        return p
    }

    static func decline(secret: String, by actor: Actor, on db: any Database) async throws {
        let p = try await invitation(secret: secret, for: actor, on: db)
        guard p.$organization.id != actor.organizationID else {
            throw Problem(.conflict, "You cannot decline your own organization's invitation.")
        }
        try await db.writeTransaction { tx in
            try await requireStatus(.invited, of: p, on: tx, else: "This invitation was already answered.")
            p.status = .declined
            p.invitationSecretHash = nil
            try await p.save(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "partnership.declined", summary: "\(actor.user.name) declined the invitation", on: tx)
            try await Timeline.notify(
                p, side: p.$organization.id, except: actor, kind: .partnershipChanged,
                text: "\(actor.user.name) declined your invitation to \(p.name)", link: SiteURL.partnership(p.id), key: event, on: tx)
        }
    }

    static func end(_ p: Partnership, reason: String, by actor: Actor, on db: any Database) async throws {
        try Policy.requireActive(p)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw Problem.invalid("reason", "Say why the partnership ends; both sides will see it.") }
        try await db.writeTransaction { tx in
            try await requireStatus(.active, of: p, on: tx, else: "This partnership is no longer active.")
            p.status = .ended
            try await p.save(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "partnership.ended", summary: "\(actor.user.name) ended the partnership", reason: reason, on: tx)
            try await Timeline.notify(
                p, side: nil, except: actor, kind: .partnershipChanged, text: "\(actor.user.name) ended \(p.name)",
                link: SiteURL.partnership(p.id), detail: "Their reason: \(reason)", key: event, on: tx)
        }
    }

    /// Decided on the row as it is now, locked: of two answers at once, only the first stands.
    private static func requireStatus(
        _ status: PartnershipStatus, of p: Partnership, on tx: any Database, else message: String
    ) async throws {
        guard let fresh = try await tx.lockedRow(Partnership.self, p.id!) else { throw Problem.notFound("partnership") }
        guard fresh.status == status else { throw Problem(.conflict, message) }
    }

    static func addMember(_ p: Partnership, userID: UUID?, by actor: Actor, on db: any Database) async throws {
        guard let userID, let colleague = try await User.find(userID, on: db),
            colleague.$organization.id == actor.organizationID
        else { throw Problem.invalid("userId", "Pick a colleague from your own organization.") }
        let existing = try await PartnershipMember.query(on: db).filter(\.$partnership.$id == p.id!)
            .filter(\.$user.$id == userID).first()
        guard existing == nil else { throw Problem(.conflict, "\(colleague.name) is already a member.") }
        try await db.writeTransaction { tx in
            try await PartnershipMember(partnershipID: p.id!, userID: userID, organizationID: actor.organizationID).save(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "member.added", summary: "\(actor.user.name) added \(colleague.name)", on: tx)
            try await Notifier.notify(
                [userID],
                of: .init(
                    kind: .partnershipChanged, text: "\(actor.user.name) added you to \(p.name)", link: SiteURL.partnership(p.id),
                    about: "partnership:\(p.id!.uuidString.lowercased())", key: event.uuidString.lowercased()),
                on: tx)
        }
    }

    /// The members of several partnerships with their people, oldest first in each, in one query (a join) however
    /// many partnerships a list shows.
    static func members(of partnershipIDs: [UUID], on db: any Database) async throws -> [UUID: [PartnershipMember]] {
        guard !partnershipIDs.isEmpty else { return [:] }
        let members = try await PartnershipMember.query(on: db).join(User.self, on: \PartnershipMember.$user.$id == \User.$id)
            .filter(\.$partnership.$id ~~ partnershipIDs).sort(\.$createdAt).all()
        for m in members { m.$user.value = try m.joined(User.self) }
        return Dictionary(grouping: members, by: { $0.$partnership.id })
    }

    /// Both sides' organizations by id, in one query: what shows names, working hours or settings of both sides reads
    /// them once and passes them on, instead of each part finding them again.
    /// One plain query, each loaded property by property (`Organization.load(from:)`): the query builder and the
    /// reflection of a Fluent decode were most of the cost of this read, made on every partnership page.
    static func sides(of p: Partnership, on db: any Database) async throws -> [UUID: Organization] {
        let ids = [p.$organization.id] + [p.$partner.id].compactMap { $0 }
        let rows = try await db.sql().raw("SELECT * FROM organizations WHERE id IN \(SQLBind.group(ids))").all()
        let organizations = try rows.map { try Organization.load(from: RowOutput(row: $0)) }
        return Dictionary(organizations.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// `given` when the caller read the sides already; otherwise they are read here.
    static func sides(of p: Partnership, given: [UUID: Organization]?, on db: any Database) async throws -> [UUID: Organization] {
        if let given { return given }
        return try await sides(of: p, on: db)
    }

    static func agreementVersions(of p: Partnership, on db: any Database) async throws -> [AgreementVersion] {
        try await AgreementVersion.query(on: db).filter(\.$partnership.$id == p.id!).with(\.$author)
            .sort(\.$version, .descending).all()
    }

    /// The agreement as it stands (its latest version) with its author, in one query: what shows only the current
    /// text does not read every earlier version, each up to 100,000 characters.
    static func latestAgreement(of p: Partnership, on db: any Database) async throws -> AgreementVersion? {
        guard
            let latest = try await AgreementVersion.query(on: db).join(User.self, on: \AgreementVersion.$author.$id == \User.$id)
                .filter(\.$partnership.$id == p.id!).sort(\.$version, .descending).first()
        else { return nil }
        latest.$author.value = try latest.joined(User.self)
        return latest
    }

    static func updateAgreement(_ p: Partnership, text: String, by actor: Actor, on db: any Database) async throws -> AgreementVersion {
        guard p.status == .invited || p.status == .active else {
            throw Problem(.conflict, "The agreement of a \(p.status.rawValue) partnership can no longer change.")
        }
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100_000).contains(text.length) else { throw Problem.invalid("text", "The agreement must have 1 to 100000 characters.") }
        let latest = try await AgreementVersion.query(on: db).filter(\.$partnership.$id == p.id!).sort(\.$version, .descending).first()
        if latest?.text == text { throw Problem(.conflict, "This text is the same as the current version \(latest!.version).") }
        let version = AgreementVersion(partnershipID: p.id!, version: (latest?.version ?? 0) + 1, text: text, authorID: actor.id)
        // Who hears of it is not decided by the new version: read before the writer's turn (see PartnershipAudience).
        let audience = try await PartnershipAudience.load(of: p, on: db)
        do {
            try await db.writeTransaction { tx in
                try await version.save(on: tx)
                let event = try await Timeline.append(
                    p, actor: actor, kind: "agreement.updated",
                    summary: "\(actor.user.name) wrote version \(version.version) of the agreement", audience: audience, on: tx)
                try await Timeline.notify(
                    p, side: nil, except: actor, kind: .partnershipChanged,
                    text: "\(actor.user.name) changed the agreement of \(p.name) (version \(version.version))",
                    link: SiteURL.partnership(p.id), key: event, audience: audience, keyIsNew: true, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Problem(.conflict, "Someone else saved a new version at the same time; reload and apply your change again.")
        }
        version.$author.value = actor.user
        return version
    }

    /// Working-hours overlap of the two sides for the next working day both share.
    static func overlap(
        of p: Partnership, sides known: [UUID: Organization]? = nil, after now: Date = Date(), on db: any Database
    ) async throws -> [DateInterval] {
        guard let partnerID = p.$partner.id else { return [] }
        let sides = try await self.sides(of: p, given: known, on: db)
        guard let a = sides[p.$organization.id], let b = sides[partnerID] else { return [] }
        return WorkingHours.nextOverlap(Accounts.workingHours(of: a), Accounts.workingHours(of: b), after: now)
    }
}
