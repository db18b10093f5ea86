import BonafideCore
import Fluent
import Foundation

/// Thank-yous: an organization recognises a partner or an organization it works with, publicly, on that one's
/// profile. Less is asked than of a testimonial (no completed work, no sentiment, no trust evidence: it is praise,
/// not a rating), but it is still tied to a real relation, and nobody beyond the two sides sees it until the one
/// thanked consents. Either side can take it back later.
enum Thanks {
    static let maxText = 1_000

    struct Entry: Sendable {
        var id: UUID
        var fromID: UUID
        var fromName: String
        var toID: UUID
        var toName: String
        var text: String
        var status: ThanksStatus
        var createdAt: Date
        var decidedAt: Date?
        var withdrawnAt: Date?
    }

    /// Thanks another organization; it waits for that organization's consent before anyone else sees it.
    static func give(to organization: UUID?, text raw: String, by actor: Actor, at now: Date = Date(), on db: any Database)
        async throws -> Entry
    {
        try Policy.manageOrganization(actor)
        let text = try validated(raw)
        guard organization != actor.organizationID else {
            throw Problem(.unprocessableEntity, "Thank another organization: yours cannot thank itself.")
        }
        guard let organization, let recipient = try await Organization.find(organization, on: db) else {
            throw Problem.notFound("organization")
        }
        guard try await mayThank(organization, from: actor.organizationID, on: db) else {
            throw Problem(
                .unprocessableEntity,
                "You can thank an organization you work or worked with (a partnership, present or past) or one you keep in your circles from connected up; \(recipient.name) is neither."
            )
        }
        return try await db.writeTransaction { tx in
            // The giver's row is locked so that two people thanking at once get one thank-you and a 409, not two
            // waiting side by side (the unique index on waiting pairs is the backstop).
            guard try await tx.lockedRow(Organization.self, actor.organizationID) != nil else { throw Problem.notFound("organization") }
            let waiting = try await ThankYou.query(on: tx).filter(\.$fromOrganization.$id == actor.organizationID)
                .filter(\.$toOrganization.$id == organization).filter(\.$status == .awaitingConsent).count()
            guard waiting == 0 else {
                throw Problem(
                    .conflict, "A thank-you to \(recipient.name) is already waiting for their consent; withdraw it to write another.")
            }
            let thanks = ThankYou()
            thanks.$fromOrganization.id = actor.organizationID
            thanks.$toOrganization.id = organization
            thanks.text = text
            thanks.status = .awaitingConsent
            thanks.$writtenBy.id = actor.id
            thanks.createdAt = now
            try await thanks.save(on: tx)
            let names = try await names(of: [actor.organizationID, organization], on: tx)
            try await tell(
                organization, "\(names[actor.organizationID] ?? "An organization") thanks you and asks to show it on your profile",
                thanks, event: "given", detail: text, at: now, on: tx)
            return entry(thanks, names: names)
        }
    }

    /// The organization thanked shows it on its profile or declines it; decided once, on the row as it is now.
    static func decide(_ id: UUID?, show: Bool, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        guard let id else { throw Problem.notFound("thank-you") }
        return try await db.writeTransaction { tx in
            guard let thanks = try await tx.lockedRow(ThankYou.self, id), isSide(thanks, actor) else { throw Problem.notFound("thank-you") }
            guard thanks.$toOrganization.id == actor.organizationID else {
                throw Problem(.forbidden, "Only the organization thanked can show or decline a thank-you.")
            }
            try Policy.manageOrganization(actor)
            guard thanks.status == .awaitingConsent else { throw Problem(.conflict, "This thank-you \(thanks.status.settled).") }
            thanks.status = show ? .shown : .declined
            thanks.$decidedBy.id = actor.id
            thanks.decidedAt = now
            try await thanks.save(on: tx)
            let names = try await names(of: [thanks.$fromOrganization.id, thanks.$toOrganization.id], on: tx)
            let recipient = names[thanks.$toOrganization.id] ?? "The organization you thanked"
            try await tell(
                thanks.$fromOrganization.id,
                show ? "\(recipient) accepted your thank-you: it shows on their profile" : "\(recipient) declined your thank-you",
                thanks, event: show ? "shown" : "declined", detail: thanks.text, at: now, on: tx)
            return entry(thanks, names: names)
        }
    }

    /// Either side takes it back, waiting or shown: it leaves the profile and cannot be shown any more.
    static func withdraw(_ id: UUID?, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        guard let id else { throw Problem.notFound("thank-you") }
        return try await db.writeTransaction { tx in
            guard let thanks = try await tx.lockedRow(ThankYou.self, id), isSide(thanks, actor) else { throw Problem.notFound("thank-you") }
            try Policy.manageOrganization(actor)
            guard [.awaitingConsent, .shown].contains(thanks.status) else {
                throw Problem(.conflict, "This thank-you \(thanks.status.settled).")
            }
            thanks.status = .withdrawn
            thanks.withdrawnAt = now
            try await thanks.save(on: tx)
            let names = try await names(of: [thanks.$fromOrganization.id, thanks.$toOrganization.id], on: tx)
            let giving = actor.organizationID == thanks.$fromOrganization.id
            let other = giving ? thanks.$toOrganization.id : thanks.$fromOrganization.id
            let who = names[actor.organizationID] ?? "The other organization"
            try await tell(
                other, giving ? "\(who) withdrew its thank-you to you" : "\(who) took your thank-you off its profile", thanks,
                event: "withdrawn", detail: nil, at: now, on: tx)
            return entry(thanks, names: names)
        }
    }

    /// The thank-yous an organization agreed to show, newest first: public like its badges.
    static func shown(by organization: UUID, on db: any Database) async throws -> [Entry] {
        try await entries(
            ThankYou.query(on: db).filter(\.$toOrganization.$id == organization).filter(\.$status == .shown)
                .sort(\.$decidedAt, .descending).limit(100).all(), on: db)
    }

    /// Every thank-you the person's organization gave or received, in every state, newest first.
    static func involving(_ actor: Actor, on db: any Database) async throws -> [Entry] {
        let own = actor.organizationID
        return try await entries(
            ThankYou.query(on: db).group(.or) { $0.filter(\.$fromOrganization.$id == own).filter(\.$toOrganization.$id == own) }
                .sort(\.$createdAt, .descending).limit(200).all(), on: db)
    }

    /// Whether one organization may thank another: they have or had a partnership (active or ended), or the giver
    /// keeps the other in its circles from connected up. Following alone is interest, not a relation to praise.
    static func mayThank(_ organization: UUID, from giver: UUID, on db: any Database) async throws -> Bool {
        guard organization != giver else { return false }
        let partnerships = try await Partnerships.between(giver, organization, on: db)
        if partnerships.contains(where: { [.active, .ended].contains($0.status) }) { return true }
        guard let placement = try await Circles.placement(of: organization, by: giver, on: db) else { return false }
        return placement.circle >= .connected
    }

    /// The thank-you the organization gave the other that still waits for consent, if any.
    static func waiting(from giver: UUID, to organization: UUID, on db: any Database) async throws -> Entry? {
        let rows = try await ThankYou.query(on: db).filter(\.$fromOrganization.$id == giver)
            .filter(\.$toOrganization.$id == organization).filter(\.$status == .awaitingConsent).limit(1).all()
        return try await entries(rows, on: db).first
    }

    // MARK: Helpers

    /// Plain text of 1 to `maxText` characters, trimmed.
    private static func validated(_ raw: String) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxText).contains(text.length) else {
            throw Problem.invalid("text", "A thank-you has 1 to \(maxText) characters: say what you are grateful for.")
        }
        return text
    }

    /// Only the two sides see a thank-you in every state; anyone else is told it does not exist.
    private static func isSide(_ thanks: ThankYou, _ actor: Actor) -> Bool {
        [thanks.$fromOrganization.id, thanks.$toOrganization.id].contains(actor.organizationID)
    }

    /// Tells the owners and admins of one side, who alone can act on it.
    private static func tell(
        _ organization: UUID, _ text: String, _ thanks: ThankYou, event: String, detail: String?, at now: Date, on db: any Database
    ) async throws {
        let key = Access.key(thanks.id!)
        try await Notifier.notify(
            try await Accounts.managers(of: organization, on: db),
            of: .init(
                kind: .thanks, text: text, link: SiteURL.thanksSection, detail: detail, about: "thanks:\(key)",
                key: "thanks:\(key):\(event)"),
            at: now, on: db)
    }

    private static func names(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { a, _ in a })
    }

    private static func entries(_ rows: [ThankYou], on db: any Database) async throws -> [Entry] {
        let names = try await names(of: Array(Set(rows.flatMap { [$0.$fromOrganization.id, $0.$toOrganization.id] })), on: db)
        return rows.map { entry($0, names: names) }
    }

    private static func entry(_ t: ThankYou, names: [UUID: String]) -> Entry {
        Entry(
            id: t.id!, fromID: t.$fromOrganization.id, fromName: names[t.$fromOrganization.id] ?? "", toID: t.$toOrganization.id,
            toName: names[t.$toOrganization.id] ?? "", text: t.text, status: t.status, createdAt: t.createdAt, decidedAt: t.decidedAt,
            withdrawnAt: t.withdrawnAt)
    }
}
