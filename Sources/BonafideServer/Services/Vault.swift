import BonafideCore
import Fluent
import Foundation
import Vapor

extension Application {
    private struct BlobStoreKey: StorageKey { typealias Value = any BlobStore }

    /// The vault's ciphertext store, set up in `configure`.
    var blobStore: any BlobStore {
        get {
            guard let store = storage[BlobStoreKey.self] else { fatalError("configure() sets up the blob store") }
            return store
        }
        set { storage[BlobStoreKey.self] = newValue }
    }
}

/// Vault keys: each person's wrapped key pair and each organization's key versions sealed to its members. The
/// server checks shapes and who may do what; it can open none of them.
enum Vault {
    struct MemberKey: Sendable {
        let user: User
        let publicKey: String?
        let granted: Bool
    }

    static func userKey(of userID: UUID, on db: any Database) async throws -> VaultUserKey? {
        try await VaultUserKey.query(on: db).filter(\.$user.$id == userID).first()
    }

    /// Sets up or changes a person's key. A new key pair voids what was sealed to the old one.
    static func setUserKey(_ wrapped: VaultKeys.WrappedUserKey, for actor: Actor, on db: any Database) async throws -> VaultUserKey {
        guard (try? VaultFormat.publicKey(wrapped.publicKey)) != nil else {
            throw Problem.invalid("publicKey", "publicKey must be a vault public key (bfv1pk_ and 43 base64url characters).")
        }
        guard Base64URL.decode(wrapped.wrappedPrivateKey)?.count == 60 else {
            throw Problem.invalid(
                "wrappedPrivateKey", "wrappedPrivateKey must be 60 bytes in base64url: a nonce, the sealed key and its tag.")
        }
        guard Base64URL.decode(wrapped.salt)?.count == 16 else { throw Problem.invalid("salt", "salt must be 16 bytes in base64url.") }
        guard (VaultKeys.minimumIterations...10_000_000).contains(wrapped.iterations) else {
            throw Problem.invalid("iterations", "iterations must be from \(VaultKeys.minimumIterations) to 10000000.")
        }
        return try await db.writeTransaction { tx in
            let key = try await userKey(of: actor.id, on: tx) ?? VaultUserKey()
            if key.id != nil, key.publicKey != wrapped.publicKey {
                try await VaultGrant.query(on: tx).filter(\.$user.$id == actor.id).delete()
            }
            key.$user.id = actor.id
            key.publicKey = wrapped.publicKey
            key.wrappedPrivateKey = wrapped.wrappedPrivateKey
            key.salt = wrapped.salt
            key.iterations = wrapped.iterations
            key.updatedAt = Date()
            try await key.save(on: tx)
            return key
        }
    }

    /// Every version of the organization's key, newest first.
    static func organizationKeys(of organizationID: UUID, on db: any Database) async throws -> [VaultOrganizationKey] {
        try await VaultOrganizationKey.query(on: db).filter(\.$organization.$id == organizationID)
            .sort(\.$createdAt, .descending).all()
    }

    static func activeKey(of organizationID: UUID, on db: any Database) async throws -> VaultOrganizationKey? {
        try await VaultOrganizationKey.query(on: db).filter(\.$organization.$id == organizationID).filter(\.$retiredAt == nil).first()
    }

    static func grants(of userID: UUID, on db: any Database) async throws -> [UUID: String] {
        let grants = try await VaultGrant.query(on: db).filter(\.$user.$id == userID).all()
        return Dictionary(grants.map { ($0.$organizationKey.id, $0.sealed) }, uniquingKeysWith: { a, _ in a })
    }

    /// The organization's people, whether each has a key and whether the active organization key is sealed to it.
    static func members(of organizationID: UUID, on db: any Database) async throws -> [MemberKey] {
        let users = try await User.query(on: db).filter(\.$organization.$id == organizationID).sort(\.$name).all()
        let keys = try await VaultUserKey.query(on: db).filter(\.$user.$id ~~ users.map { $0.id! }).all()
        let byUser = Dictionary(keys.map { ($0.$user.id, $0.publicKey) }, uniquingKeysWith: { a, _ in a })
        var granted = Set<UUID>()
        if let active = try await activeKey(of: organizationID, on: db) {
            granted = Set(try await VaultGrant.query(on: db).filter(\.$organizationKey.$id == active.id!).all().map(\.$user.id))
        }
        return users.map { MemberKey(user: $0, publicKey: byUser[$0.id!], granted: granted.contains($0.id!)) }
    }

    struct Grant: Sendable {
        let userID: UUID
        let sealed: String
    }

    /// A new active key for the organization (the first, or a rotation): older versions retire but stay, so older
    /// documents still open. The owner's browser seals the new private key to each member it lists.
    static func rotate(publicKey: String, grants: [Grant], by actor: Actor, on db: any Database) async throws -> VaultOrganizationKey {
        try Policy.requireOwner(actor)
        guard let key = try? VaultFormat.publicKey(publicKey) else {
            throw Problem.invalid("publicKey", "publicKey must be a vault public key (bfv1pk_ and 43 base64url characters).")
        }
        guard grants.contains(where: { $0.userID == actor.id }) else {
            throw Problem.invalid("grants", "Seal the new key to yourself too, or nobody can use it.")
        }
        let keyID = Hex.encode(VaultFormat.keyID(key))
        return try await db.writeTransaction { tx in
            if try await VaultOrganizationKey.query(on: tx).filter(\.$organization.$id == actor.organizationID)
                .filter(\.$keyID == keyID).first() != nil
            {
                throw Problem(.conflict, "This key was already used by your organization; make a new one.")
            }
            let now = Date()
            try await VaultOrganizationKey.query(on: tx).filter(\.$organization.$id == actor.organizationID)
                .filter(\.$retiredAt == nil).set(\.$retiredAt, to: now).update()
            let version = VaultOrganizationKey()
            version.$organization.id = actor.organizationID
            version.publicKey = publicKey
            version.keyID = keyID
            version.$createdBy.id = actor.id
            version.createdAt = now
            try await version.save(on: tx)
            for grant in grants { try await seal(grant, key: version, by: actor, at: now, on: tx) }
            return version
        }
    }

    /// The organization key sealed to one more member (someone who joined, or set up their key, later).
    static func grant(_ grant: Grant, organizationKeyID: UUID?, by actor: Actor, on db: any Database) async throws {
        try Policy.requireOwner(actor)
        try await db.writeTransaction { tx in
            guard let organizationKeyID, let key = try await VaultOrganizationKey.find(organizationKeyID, on: tx),
                key.$organization.id == actor.organizationID
            else { throw Problem.notFound("organization key") }
            try await seal(grant, key: key, by: actor, at: Date(), on: tx)
        }
    }

    private static func seal(_ grant: Grant, key: VaultOrganizationKey, by actor: Actor, at now: Date, on tx: any Database) async throws {
        guard Base64URL.decode(grant.sealed)?.count == 80 else {
            throw Problem.invalid("sealed", "sealed must be 80 bytes in base64url: the encapsulated key and the sealed private key.")
        }
        guard let user = try await User.find(grant.userID, on: tx), user.$organization.id == actor.organizationID else {
            throw Problem.invalid("userId", "Keys can be sealed only to people of your organization.")
        }
        guard try await userKey(of: grant.userID, on: tx) != nil else {
            throw Problem(.conflict, "\(user.name) has not set up a vault passphrase yet; they do that under Organization → Vault.")
        }
        let existing = try await VaultGrant.query(on: tx).filter(\.$organizationKey.$id == key.id!).filter(\.$user.$id == grant.userID)
            .first()
        let record = existing ?? VaultGrant()
        record.$organizationKey.id = key.id!
        record.$user.id = grant.userID
        record.sealed = grant.sealed
        record.$grantedBy.id = actor.id
        record.createdAt = now
        try await record.save(on: tx)
    }
}
