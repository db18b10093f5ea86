import Fluent
import Foundation
import SQLKit

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
        guard text.length <= 500 else { throw Problem.invalid("note", "A note has at most 500 characters.") }
        guard try await Organization.find(member, on: db) != nil else { throw Problem.notFound("organization") }
        return try await db.writeTransaction { tx in
            let placement = try await placement(of: member, by: actor.organizationID, on: tx) ?? CirclePlacement()
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
        return try await db.writeTransaction { tx in
            guard let placement = try await placement(of: member, by: actor.organizationID, on: tx) else { return false }
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
            .sorted { $0.circle != $1.circle ? $0.circle > $1.circle : $0.name.lowercased() < $1.name.lowercased() }
    }

    /// Organizations whose name contains the text in any case (Unicode-aware, which SQLite's LOWER and LIKE are
    /// not), for finding whom to place; at most 20, by name. Reads only ids and names.
    static func findOrganizations(named text: String, except own: UUID, on db: any Database) async throws -> [(id: UUID, name: String)] {
        let needle = text.trimmingCharacters(in: .whitespaces)
        guard !needle.isEmpty else { return [] }
        // Every organization's id and name, read column by column: as Fluent models (reflection per row, whatever the
        // fields selected) they were about 60% of a search's CPU at 500 organizations.
        let rows = try await db.sql().raw("SELECT id, name FROM organizations WHERE id <> \(bind: own)").all()
        return try rows.map { (id: try $0.decodeUUID(column: "id"), name: try $0.decode(column: "name", as: String.self)) }
            .filter { $0.name.localizedCaseInsensitiveContains(needle) }
            .sorted { $0.name.localizedCompare($1.name) == .orderedAscending }.prefix(20).map { $0 }
    }

    /// The placement of one organization in another's circles, if any.
    static func placement(of member: UUID, by organization: UUID, on db: any Database) async throws -> CirclePlacement? {
        try await CirclePlacement.query(on: db).filter(\.$organization.$id == organization).filter(\.$member.$id == member).first()
    }

    /// Where the organization keeps each of the given ones (absent: in no circle).
    static func circles(of organization: UUID, for members: Set<UUID>, on db: any Database) async throws -> [UUID: Circle] {
        guard !members.isEmpty else { return [:] }
        let rows = try await CirclePlacement.query(on: db).filter(\.$organization.$id == organization).filter(\.$member.$id ~~ members)
            .all()
        return Dictionary(rows.map { ($0.$member.id, $0.circle) }, uniquingKeysWith: { a, _ in a })
    }
}
