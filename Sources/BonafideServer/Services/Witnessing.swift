import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Partners as witnesses: each organization registers an Ed25519 key and cosigns the checkpoints of
/// its partnerships' logs (C2SP cosignature/v1) after checking they extend what it saw before. The
/// server stores the cosignatures and shows the newest checkpoint every partner cosigned.
enum Witnessing {
    struct KeyRow: Decodable {
        var key: String
        var created_at: Date
        var sealed_private_key: String?
        var sealed_to: String?
    }

    /// A witness key made in a browser, its private half sealed to one of the organization's vault keys (HPKE, the
    /// vault's suite, info "bonafide witness key v1", the witness public key as associated data): any member who
    /// unlocks the vault can witness with it from another browser. The server cannot open it.
    struct SealedKey: Sendable, Equatable {
        /// enc (32) | ciphertext of the 32-byte Ed25519 seed (48), base64url.
        var privateKey: String
        /// The key id of the organization vault key it is sealed to.
        var sealedTo: String
    }

    struct Registered: Sendable {
        var verifier: NoteVerifier
        var registeredAt: Date
        var sealed: SealedKey?
    }

    /// Registers (or replaces) the organization's witness key; owners and admins only.
    static func registerKey(_ encoded: String, sealed: SealedKey? = nil, by actor: Actor, on db: any Database) async throws
        -> Registered
    {
        try Policy.manageOrganization(actor)
        let key: NoteVerifier
        do {
            key = try NoteVerifier(encoded.trimmingCharacters(in: .whitespacesAndNewlines)).forCosignature
        } catch {
            throw Problem.invalid("key", "The witness key must be a verifier key name+keyid+base64 (Ed25519): \(error.description)")
        }
        if let sealed {
            guard let bytes = Base64URL.decode(sealed.privateKey), bytes.count == 32 + 48 else {
                throw Problem.invalid(
                    "sealedPrivateKey",
                    "The sealed private key must be 80 bytes in base64url: the HPKE encapsulated key and the sealed seed.")
            }
            let vaultKey = try await VaultOrganizationKey.query(on: db).filter(\.$organization.$id == actor.organizationID)
                .filter(\.$keyID == sealed.sealedTo).filter(\.$retiredAt == nil).first()
            guard vaultKey != nil else {
                throw Problem.invalid("sealedTo", "Seal the witness key to your organization's current vault key (its key id).")
            }
        }
        let now = Date()
        // A witness key speaks for one organization: with another's key, a partner could pass off that
        // organization's cosignatures as its own. The same public key under any name counts as the same key.
        // name+keyid+base64: the base64 itself may hold "+", so it is everything after the second one (a key whose
        // base64 ended in "+" once slipped through as a suffix of its own).
        let material = "%+" + (key.encoded.split(separator: "+", maxSplits: 2).dropFirst(2).first.map(String.init) ?? key.encoded)
        try await db.writeTransaction { tx in
            let sql = try tx.sql()
            struct Holder: Decodable { var id: UUID }
            let current = try await sql.select().column("id").from("witness_keys")
                .where("id", .notEqual, actor.organizationID).where("key", .like, material).first(decoding: Holder.self)
            let earlier = try await sql.select().column(SQLAlias(SQLColumn("organization_id"), as: SQLIdentifier("id")))
                .from("ledger_cosignatures").where("organization_id", .notEqual, actor.organizationID)
                .where("witness_key", .like, material).first(decoding: Holder.self)
            if current != nil || earlier != nil {
                throw Problem(
                    .conflict, "This witness key is registered to another organization; generate your own (bonafide ledger init).",
                    field: "key")
            }
            try await sql.delete(from: "witness_keys").where("id", .equal, actor.organizationID).run()
            try await sql.insert(into: "witness_keys").columns("id", "key", "created_at", "sealed_private_key", "sealed_to")
                .values(
                    SQLBind(actor.organizationID), SQLBind(key.encoded), SQLBind(now), SQLBind(sealed?.privateKey),
                    SQLBind(sealed?.sealedTo)
                ).run()
        }
        return Registered(verifier: key, registeredAt: now, sealed: sealed)
    }

    static func key(of organization: UUID, on db: any Database) async throws -> Registered? {
        guard
            let row = try await db.sql().select().columns("key", "created_at", "sealed_private_key", "sealed_to")
                .from("witness_keys").where("id", .equal, organization).first(decoding: KeyRow.self)
        else { return nil }
        let sealed = row.sealed_private_key.flatMap { key in row.sealed_to.map { SealedKey(privateKey: key, sealedTo: $0) } }
        return Registered(verifier: try NoteVerifier(row.key), registeredAt: row.created_at, sealed: sealed)
    }

    struct Stored: Sendable {
        var organization: UUID
        var size: UInt64
        var root: Merkle.Hash
        var time: UInt64
        var key: NoteVerifier
        var signature: SignedNote.Signature
    }

    /// Accepts a partner's cosigned checkpoint after checking that it is this log's own history at
    /// that size and that the organization's registered key made the cosignature.
    static func submit(_ noteText: String, to partnership: Partnership, by actor: Actor, app: Application, on db: any Database)
        async throws -> Stored
    {
        let id = try partnership.requireID()
        guard let key = try await key(of: actor.organizationID, on: db)?.verifier else {
            throw Problem(
                .unprocessableEntity, "Your organization has no witness key: register one first (bonafide ledger init).", field: "key")
        }
        let note: SignedNote
        let checkpoint: Checkpoint
        do { note = try SignedNote.parse(noteText) } catch { throw Problem.invalid("body", "Not a signed note: \(error.description)") }
        do { checkpoint = try Checkpoint(text: note.text) } catch {
            throw Problem.invalid("body", "Not a checkpoint: \(error.description)")
        }
        guard checkpoint.origin == Ledger.origin(app, id) else {
            throw Problem.invalid("body", "The checkpoint is for \(checkpoint.origin), not this partnership's log.")
        }
        let head = try await Ledger.head(of: id, on: db)
        guard checkpoint.size >= 1, checkpoint.size <= head.size else {
            throw Problem.invalid("body", "The checkpoint size \(checkpoint.size) is not between 1 and the log's \(head.size) entries.")
        }
        let root = try await Ledger.withNodes(of: id, size: checkpoint.size, on: db) { try $0.root(size: checkpoint.size) }
        guard root == checkpoint.root else {
            throw Problem(.conflict, "This checkpoint is not in this log's history: the root at size \(checkpoint.size) differs.")
        }
        guard let time = Witness.cosignatureTime(of: note, by: key),
            let signature = note.signatures.first(where: { $0.name == key.name && $0.keyID == key.keyID })
        else {
            throw Problem.invalid("body", "The note carries no valid cosignature by your organization's witness key \(key.name).")
        }
        guard time <= UInt64(Date().timeIntervalSince1970) + 300 else {
            throw Problem.invalid("body", "The cosignature's time lies in the future.")
        }
        let stored = Stored(
            organization: actor.organizationID, size: checkpoint.size, root: root, time: time, key: key, signature: signature)
        try await db.writeTransaction { tx in
            let sql = try tx.sql()
            try await sql.delete(from: "ledger_cosignatures").where("partnership_id", .equal, id)
                .where("organization_id", .equal, actor.organizationID).where("size", .equal, Int64(checkpoint.size)).run()
            try await sql.insert(into: "ledger_cosignatures")
                .columns("id", "partnership_id", "organization_id", "size", "root", "time", "witness_key", "signature", "created_at")
                .values(
                    SQLBind(UUID()), SQLBind(id), SQLBind(actor.organizationID), SQLBind(Int64(checkpoint.size)), SQLBind(Ledger.hex(root)),
                    SQLBind(Int64(time)), SQLBind(key.encoded), SQLBind(Data(signature.keyID + signature.signature).base64EncodedString()),
                    SQLBind(Date())
                ).run()
        }
        return stored
    }

    struct Row: Decodable {
        var organization_id: UUID
        var size: Int64
        var root: String
        var time: Int64
        var witness_key: String
        var signature: String
    }

    static func cosignatures(of id: UUID, on db: any Database) async throws -> [Stored] {
        try await db.sql().select()
            .columns("organization_id", "size", "root", "time", "witness_key", "signature").from("ledger_cosignatures")
            .where("partnership_id", .equal, id).orderBy("size", .descending).all(decoding: Row.self)
            .compactMap(stored)
    }

    /// A stored cosignature as checks use it; nil when its key or signature no longer parses (such a row counts for
    /// nothing). `WitnessSummary` reads the same rows with the log's head.
    static func stored(_ row: Row) -> Stored? {
        guard let key = try? NoteVerifier(row.witness_key), let raw = Data(base64Encoded: row.signature), raw.count == 76 else {
            return nil
        }
        let bytes = Array(raw)
        return Stored(
            organization: row.organization_id, size: UInt64(row.size), root: Ledger.bytes(row.root), time: UInt64(row.time),
            key: key,
            signature: .init(name: key.name, keyID: Array(bytes[0..<4]), signature: Array(bytes[4...])))
    }

    struct Side: Sendable {
        var organization: UUID
        var name: String
        var key: NoteVerifier?
        /// This side's newest cosignature, as a note the log signed and this side cosigned.
        var latest: Stored?
        var latestNote: SignedNote?
        var latestMatchesLog: Bool
    }

    struct Status: Sendable {
        /// The log as it is now (read once for the whole status).
        var head: Ledger.Head
        var sides: [Side]
        /// The newest checkpoint every side cosigned, with the log's and all their signatures.
        var witnessed: (checkpoint: Checkpoint, note: SignedNote)?
        /// Cosigned checkpoints the log no longer agrees with: its history was rewritten.
        var conflicts: [Stored]
        /// Every cosigned size, newest first, and who cosigned it (for the timeline).
        var bySize: [(size: UInt64, cosigners: [Stored], matchesLog: Bool)]
    }

    static func note(for checkpoint: Checkpoint, cosignatures: [Stored], app: Application) throws -> SignedNote {
        let text = checkpoint.text
        return SignedNote(text: text, signatures: [try app.ledgerSigner.sign(text)] + cosignatures.map(\.signature))
    }

    /// `sides`, when the caller read both organizations already (the partnership page), saves reading them again.
    static func status(
        of partnership: Partnership, app: Application, sides known: [UUID: Organization]? = nil, on db: any Database
    ) async throws -> Status {
        let id = try partnership.requireID()
        let head = try await Ledger.head(of: id, on: db)
        let all = try await cosignatures(of: id, on: db)
        var orgIDs = [partnership.$organization.id]
        if let partner = partnership.$partner.id { orgIDs.append(partner) }
        let orgs = try await Partnerships.sides(of: partnership, given: known, on: db)
        // Every cosigned size is checked against the log as it is now: a mismatch is a rewrite. Their roots come
        // from one read of the tiles.
        let sizes = Array(Set(all.map(\.size))).sorted(by: >).prefix(50)
        let roots = try await Ledger.roots(of: id, sizes: sizes.filter { $0 <= head.size }, on: db)
        let origin = Ledger.origin(app, id)
        func matches(_ c: Stored) -> Bool { roots[c.size] == c.root }
        var bySize: [(UInt64, [Stored], Bool)] = []
        for size in sizes {
            let group = all.filter { $0.size == size }
            bySize.append((size, group, group.allSatisfy(matches)))
        }
        var sides: [Side] = []
        for orgID in orgIDs {
            let key = try await key(of: orgID, on: db)?.verifier
            let latest = all.first { $0.organization == orgID }
            let note = try latest.map {
                try self.note(for: Checkpoint(origin: origin, size: $0.size, root: $0.root), cosignatures: [$0], app: app)
            }
            sides.append(
                Side(
                    organization: orgID, name: orgs[orgID]?.name ?? "", key: key, latest: latest, latestNote: note,
                    latestMatchesLog: latest.map(matches) ?? false))
        }
        var witnessed: (Checkpoint, SignedNote)?
        for (size, group, ok) in bySize where ok && Set(group.map(\.organization)).isSuperset(of: orgIDs) {
            let checkpoint = Checkpoint(origin: origin, size: size, root: roots[size]!)
            let one = orgIDs.compactMap { org in group.first { $0.organization == org } }
            witnessed = (checkpoint, try note(for: checkpoint, cosignatures: one, app: app))
            break
        }
        return Status(
            head: head, sides: sides, witnessed: witnessed, conflicts: all.filter { !matches($0) },
            bySize: bySize.map { (size: $0.0, cosigners: $0.1, matchesLog: $0.2) })
    }
}
