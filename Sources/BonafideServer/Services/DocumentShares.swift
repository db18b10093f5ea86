import BonafideCore
import Fluent
import Foundation

/// Documents shared with organizations in the sharer's circles: a collaborator gets what the circle is trusted
/// with. Each share carries the header rewrapped on the sharer's device for that organization's key; taking the
/// organization out of the circle ends its access at once, as revoking does.
enum DocumentShares {
    struct Candidate: Sendable {
        let organizationID: UUID
        let name: String
        let circle: Circle
        let publicKey: String?
    }

    /// Organizations the actor's organization keeps in `circle` or closer, outside the document's partnership.
    static func candidates(for id: UUID?, circle: Circle, by actor: Actor, on db: any Database) async throws -> [Candidate] {
        let (d, p) = try await Documents.visible(id, for: actor, on: db)
        try requireManager(d, actor)
        let members = try await Circles.members(of: actor.organizationID, on: db).filter { $0.circle >= circle }
            .filter { !p.side(of: $0.organizationID) }
        var out: [Candidate] = []
        for m in members {
            out.append(
                Candidate(
                    organizationID: m.organizationID, name: m.name, circle: m.circle,
                    publicKey: try await Vault.activeKey(of: m.organizationID, on: db)?.publicKey))
        }
        return out
    }

    struct Entry: Sendable {
        let organizationID: UUID
        let header: String
    }

    static func share(
        _ id: UUID?, circle: Circle, entries: [Entry], expiresAt: Date?, maxDownloads: Int?, by actor: Actor, on db: any Database
    ) async throws -> [DocumentShare] {
        let (d, p) = try await Documents.visible(id, for: actor, on: db)
        try requireManager(d, actor)
        guard circle != .follow else {
            throw Problem.invalid("circle", "Following says interest, not trust: share with connected, collaborator or trusted-referral.")
        }
        guard !entries.isEmpty, entries.count <= 200 else {
            throw Problem.invalid("shares", "Share with 1 to 200 organizations at a time.")
        }
        let now = Date()
        if let expiresAt, expiresAt <= now { throw Problem.invalid("expiresAt", "expiresAt must be in the future.") }
        if let maxDownloads, !(1...10_000).contains(maxDownloads) {
            throw Problem.invalid("maxDownloads", "maxDownloads must be from 1 to 10000.")
        }
        let original = try VaultHeader(Array(d.header))
        var checked: [(Organization, VaultHeader)] = []  // checked before the transaction: reads only
        for entry in entries {
            guard let org = try await Organization.find(entry.organizationID, on: db), !p.side(of: entry.organizationID) else {
                throw Problem.invalid("organizationId", "Share with organizations outside this partnership; its two sides have it already.")
            }
            guard let placed = try await Circles.placement(of: org.id!, by: actor.organizationID, on: db), placed.circle >= circle else {
                throw Problem.invalid("organizationId", "\(org.name) is not in your \(circle.title.lowercased()) circle or closer.")
            }
            guard let key = try await Vault.activeKey(of: org.id!, on: db) else {
                throw Problem(.conflict, "\(org.name) has not set up its vault yet, so it could not open the document.")
            }
            guard let bytes = Base64URL.decode(entry.header), let header = try? VaultHeader(Array(bytes)),
                header.fileID == original.fileID, header.metadataBlock.elementsEqual(original.metadataBlock),
                header.keyIDs.map({ Hex.encode($0) }) == [key.keyID]
            else {
                throw Problem.invalid(
                    "header", "Each header must be this document's header rewrapped for exactly \(org.name)'s active key (\(key.keyID)).")
            }
            checked.append((org, header))
        }
        let targets = checked.map { (id: $0.0.id!, name: $0.0.name, header: $0.1.bytes) }
        return try await db.writeTransaction { tx in
            guard let d = try await tx.lockedRow(Document.self, d.id!) else { throw Problem.notFound("document") }
            guard d.revokedAt == nil else {
                throw Problem(.conflict, "Sharing of document \(d.number) was stopped; share it again by uploading it anew.")
            }
            var shares: [DocumentShare] = []
            for target in targets {
                guard let org = try await Organization.find(target.id, on: tx) else { throw Problem.notFound("organization") }
                let share =
                    try await DocumentShare.query(on: tx).filter(\.$document.$id == d.id!).filter(\.$organization.$id == org.id!).first()
                    ?? DocumentShare()
                share.$document.id = d.id!
                share.$organization.id = org.id!
                share.circle = circle
                share.header = Data(target.header)
                share.$createdBy.id = actor.id
                share.createdAt = now
                share.expiresAt = expiresAt
                share.maxDownloads = maxDownloads
                share.downloads = 0
                share.revokedAt = nil
                try await share.save(on: tx)
                share.$organization.value = org
                shares.append(share)
                let summary = "\(actor.user.name) shared document \(d.number) with \(org.name) (\(circle.title.lowercased()) circle)"
                let event = try await Timeline.append(
                    p, actor: actor, kind: "document.shared", summary: summary,
                    extra: ["document": d.id!.uuidString.lowercased(), "organization": org.id!.uuidString.lowercased()], at: now, on: tx)
                let people = try await User.query(on: tx).filter(\.$organization.$id == org.id!).all().map { $0.id! }
                let sharer = try await Organization.find(actor.organizationID, on: tx)?.name ?? "A partner"
                try await Notifier.notify(
                    people,
                    of: .init(
                        kind: .documentShared, text: "\(sharer) shared a confidential document with you", link: SiteURL.sharedWithUs,
                        detail: nil, about: "document:\(d.id!.uuidString.lowercased())", key: event.uuidString.lowercased(), calendar: nil),
                    at: now, on: tx)
            }
            return shares
        }
    }

    static func revoke(_ shareID: UUID?, of id: UUID?, by actor: Actor, on db: any Database) async throws -> DocumentShare {
        let (d, p) = try await Documents.visible(id, for: actor, on: db)
        try requireManager(d, actor)
        return try await db.writeTransaction { tx in
            guard let shareID, let share = try await tx.lockedRow(DocumentShare.self, shareID), share.$document.id == d.id! else {
                throw Problem.notFound("share")
            }
            guard share.revokedAt == nil else { throw Problem(.conflict, "This share was already stopped.") }
            share.revokedAt = Date()
            try await share.save(on: tx)
            let org = try await Organization.find(share.$organization.id, on: tx)
            share.$organization.value = org
            try await Timeline.append(
                p, actor: actor, kind: "document.shareRevoked",
                summary: "\(actor.user.name) stopped sharing document \(d.number) with \(org?.name ?? "an organization")",
                extra: ["document": d.id!.uuidString.lowercased(), "share": shareID.uuidString.lowercased()], on: tx)
            return share
        }
    }

    static func shares(of documents: [Document], on db: any Database) async throws -> [UUID: [DocumentShare]] {
        guard !documents.isEmpty else { return [:] }
        let shares = try await DocumentShare.query(on: db).filter(\.$document.$id ~~ documents.map { $0.id! }).with(\.$organization)
            .sort(\.$createdAt, .descending).all()
        return Dictionary(grouping: shares, by: { $0.$document.id })
    }

    /// Why the organization may no longer download, or nil while it may.
    static func closedReason(_ share: DocumentShare, of d: Document, at now: Date, on db: any Database) async throws -> String? {
        if d.revokedAt != nil { return "Sharing of this document was stopped." }
        if let reason = Documents.closedReason(
            revokedAt: share.revokedAt, expiresAt: share.expiresAt, maxDownloads: share.maxDownloads, downloads: share.downloads, at: now)
        {
            return reason
        }
        // The same rule as every shared thing: the audience is the circle it went to, or a closer one.
        guard let audience = Audience(circle: share.circle),
            try await Access.check(
                .members(of: share.$organization.id), "reader",
                .shared(organization: d.$organization.id, name: "document-\(Access.key(d.id!))", audience: audience), on: db
            ).allowed
        else { return "Your organization is no longer in the circle this was shared with." }
        return nil
    }

    /// The documents shared with the actor's organization that it may still open, newest first, with who shared them.
    static func sharedWith(_ actor: Actor, on db: any Database) async throws -> [(DocumentShare, Document, Organization)] {
        let shares = try await DocumentShare.query(on: db).filter(\.$organization.$id == actor.organizationID).filter(\.$revokedAt == nil)
            .with(\.$document).sort(\.$createdAt, .descending).all()
        let now = Date()
        var out: [(DocumentShare, Document, Organization)] = []
        for s in shares where try await closedReason(s, of: s.document, at: now, on: db) == nil {
            guard let from = try await Organization.find(s.document.$organization.id, on: db) else { continue }
            out.append((s, s.document, from))
        }
        return out
    }

    /// The share through which the actor's organization may download, or nil when it has none (then: 404).
    static func download(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> (Document, DocumentShare)? {
        guard let id,
            let share = try await DocumentShare.query(on: db).filter(\.$document.$id == id)
                .filter(\.$organization.$id == actor.organizationID).first()
        else { return nil }
        return try await db.writeTransaction { tx in
            guard let share = try await tx.lockedRow(DocumentShare.self, share.id!), let d = try await Document.find(id, on: tx),
                let p = try await Partnership.find(d.$partnership.id, on: tx)
            else { throw Problem.notFound("document") }
            let now = Date()
            if let reason = try await closedReason(share, of: d, at: now, on: tx) { throw Problem(.gone, reason) }
            share.downloads += 1
            try await share.save(on: tx)
            let org = try await Organization.find(actor.organizationID, on: tx)?.name ?? "their organization"
            try await Timeline.append(
                p, actor: actor, kind: "document.downloaded", summary: "\(actor.user.name) (\(org)) downloaded document \(d.number)",
                extra: ["document": d.id!.uuidString.lowercased(), "share": share.id!.uuidString.lowercased()], at: now, on: tx)
            return (d, share)
        }
    }

    private static func requireManager(_ d: Document, _ actor: Actor) throws {
        guard Documents.canManage(d, actor) else {
            throw Problem(.forbidden, "Only whoever uploaded a document, or an owner or admin of their organization, can share it further.")
        }
    }
}
