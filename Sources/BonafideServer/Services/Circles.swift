import Fluent
import FluentSQL
import Foundation

/// Where an organization keeps the others it knows. Private to the organization: the placed one never sees it.
/// A placement is trust evidence (closeness: intimacy; a trusted referral is also a vouch: credibility).
enum Circles {
    struct Member: Sendable {
        var organizationID: UUID
        var name: String
        var circle: Circle
        var note: String
        var placedAt: Date
        var placedBy: String
    }

    /// Places (or moves) another organization in one of the actor's organization's circles.
    @discardableResult
    static func place(_ member: UUID, in circle: Circle, note: String, by actor: Actor, at now: Date = Date(), on db: any Database)
        async throws -> CirclePlacement
    {
        try Policy.manageOrganization(actor)
        guard member != actor.organizationID else {
            throw Problem(.unprocessableEntity, "Your own organization is not in one of its circles.")
        }
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= 500 else { throw Problem.invalid("note", "A note has at most 500 characters.") }
        guard try await Organization.find(member, on: db) != nil else { throw Problem.notFound("organization") }
        return try await db.transaction { tx in
            let placement =
                try await CirclePlacement.query(on: tx).filter(\.$organization.$id == actor.organizationID)
                .filter(\.$member.$id == member).first() ?? CirclePlacement()
            placement.$organization.id = actor.organizationID
            placement.$member.id = member
            placement.circle = circle
            placement.note = text
            placement.$placedBy.id = actor.id
            placement.placedAt = now
            try await placement.save(on: tx)
            try await TrustService.enqueue(viewer: actor.organizationID, subject: member, at: now, on: tx)
            return placement
        }
    }

    /// Takes another organization out of every circle; true when it was in one.
    @discardableResult
    static func remove(_ member: UUID, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Bool {
        try Policy.manageOrganization(actor)
        return try await db.transaction { tx in
            guard
                let placement = try await CirclePlacement.query(on: tx).filter(\.$organization.$id == actor.organizationID)
                    .filter(\.$member.$id == member).first()
            else { return false }
            try await placement.delete(on: tx)
            try await TrustService.enqueue(viewer: actor.organizationID, subject: member, at: now, on: tx)
            return true
        }
    }

    /// The organization's circles, closest first, then by name.
    static func members(of organization: UUID, in circle: Circle? = nil, on db: any Database) async throws -> [Member] {
        var query = CirclePlacement.query(on: db).filter(\.$organization.$id == organization).with(\.$member).with(\.$placedBy)
        if let circle { query = query.filter(\.$circle == circle) }
        return try await query.all()
            .map {
                Member(
                    organizationID: $0.$member.id, name: $0.member.name, circle: $0.circle, note: $0.note, placedAt: $0.placedAt,
                    placedBy: $0.placedBy.name)
            }
            .sorted { ($0.circle, $1.name.lowercased()) > ($1.circle, $0.name.lowercased()) }
    }

    /// Organizations whose name contains the text (any case), for finding whom to place; at most 20, by name.
    static func findOrganizations(named text: String, except own: UUID, on db: any Database) async throws -> [Organization] {
        // LIKE's wildcards in the text are taken literally by leaving them out; LOWER on both sides because
        // PostgreSQL's LIKE is case-sensitive and SQLite's only for ASCII.
        let needle = text.lowercased().filter { $0 != "%" && $0 != "_" && $0 != "\\" }
        guard !needle.isEmpty else { return [] }
        return try await Organization.query(on: db).filter(\.$id != own)
            .filter(.sql(SQLBinaryExpression(SQLFunction("LOWER", args: SQLColumn("name")), .like, SQLBind("%\(needle)%"))))
            .sort(\.$name).limit(20).all()
    }

    /// Where the organization keeps each of the given ones (absent: in no circle).
    static func circles(of organization: UUID, for members: Set<UUID>, on db: any Database) async throws -> [UUID: Circle] {
        guard !members.isEmpty else { return [:] }
        let rows = try await CirclePlacement.query(on: db).filter(\.$organization.$id == organization).filter(\.$member.$id ~~ members)
            .all()
        return Dictionary(rows.map { ($0.$member.id, $0.circle) }, uniquingKeysWith: { a, _ in a })
    }
}
