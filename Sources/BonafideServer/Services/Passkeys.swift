import BonafideCore
import Fluent
import Foundation

/// Passkeys (WebAuthn, ES256): a second factor after the password, or, when the authenticator verified the person
/// (a PIN or a fingerprint), the whole sign-in. The relying party is the server's public address.
enum Passkeys {
    static let maximumPerPerson = 10

    struct RelyingParty: Sendable {
        /// The host of the public URL: browsers refuse IP addresses here, so passkeys need a name (localhost works).
        var id: String
        var origin: String

        init(baseURL: String) {
            let url = URL(string: baseURL)
            id = url?.host ?? "localhost"
            origin = url.map { u in "\(u.scheme ?? "http")://\(u.host ?? "localhost")\(u.port.map { ":\($0)" } ?? "")" } ?? baseURL
        }
    }

    static func list(of userID: UUID, on db: any Database) async throws -> [Passkey] {
        try await Passkey.query(on: db).filter(\.$user.$id == userID).sort(\.$createdAt).all()
    }

    /// Checks the browser's answer to the creation challenge and keeps the public key.
    static func register(
        _ user: User, name raw: String, clientDataJSON: String, attestationObject: String, challenge: [UInt8], rp: RelyingParty,
        now: Date = Date(), on db: any Database
    ) async throws -> Passkey {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.length <= 60 else { throw Problem.invalid("name", "A passkey's name has at most 60 characters.") }
        guard let client = Base64URL.decode(clientDataJSON), let attestation = Base64URL.decode(attestationObject),
            attestation.count < 16_384, client.count < 4_096
        else { throw Problem.invalid("attestationObject", "The browser's answer could not be read; try again.") }
        let registration: WebAuthnRegistration
        do throws(WebAuthnError) {
            registration = try WebAuthn.verifyRegistration(
                clientDataJSON: client, attestationObject: attestation, expectedChallenge: challenge, expectedOrigin: rp.origin,
                rpID: rp.id, requireUserVerification: false)
        } catch {
            throw Problem.invalid("attestationObject", "The passkey was not added: \(error.description)")
        }
        let passkey = Passkey()
        passkey.$user.id = user.id!
        passkey.credentialID = Base64URL.encode(registration.credentialID)
        passkey.publicKey = Base64URL.encode(registration.publicKeyCOSE)
        passkey.signCount = Int64(registration.signCount)
        passkey.name = name.isEmpty ? "Passkey \(Clock(user.timeZone).format(now, "d MMM yyyy"))" : name
        passkey.createdAt = now
        try await db.writeTransaction { tx in
            guard try await Passkey.query(on: tx).filter(\.$user.$id == user.id!).count() < maximumPerPerson else {
                throw Problem(.conflict, "You have \(maximumPerPerson) passkeys already; remove one first.")
            }
            guard try await Passkey.query(on: tx).filter(\.$credentialID == passkey.credentialID).first() == nil else {
                throw Problem(.conflict, "This passkey is registered already.")
            }
            try await passkey.save(on: tx)
        }
        return passkey
    }

    /// Checks a signed challenge and answers whose passkey signed it. With `expectedUser` (the password was right,
    /// this is the second step) the passkey must be theirs; without, it is the whole sign-in and the authenticator
    /// must have verified the person.
    static func authenticate(
        credentialID: String, clientDataJSON: String, authenticatorData: String, signature: String, challenge: [UInt8],
        rp: RelyingParty, expectedUser: UUID?, now: Date = Date(), on db: any Database
    ) async throws -> User {
        let refused = Problem(.unauthorized, "This passkey did not sign you in. Try again, or use your password.")
        guard credentialID.utf8.count < 1_400, let client = Base64URL.decode(clientDataJSON),
            let data = Base64URL.decode(authenticatorData),
            let sig = Base64URL.decode(signature), client.count < 4_096, data.count < 4_096, sig.count < 256
        else { throw refused }
        return try await db.writeTransaction { tx in
            guard let found = try await Passkey.query(on: tx).filter(\.$credentialID == credentialID).first(),
                let passkey = try await tx.lockedRow(Passkey.self, found.id!),
                expectedUser == nil || passkey.$user.id == expectedUser,
                let key = Base64URL.decode(passkey.publicKey),
                let user = try await User.find(passkey.$user.id, on: tx)
            else { throw refused }
            do throws(WebAuthnError) {
                let count = try WebAuthn.verifyAssertion(
                    clientDataJSON: client, authenticatorData: data, signature: sig, publicKeyCOSE: key,
                    storedSignCount: UInt32(clamping: passkey.signCount), expectedChallenge: challenge, expectedOrigin: rp.origin,
                    rpID: rp.id, requireUserVerification: expectedUser == nil)
                passkey.signCount = Int64(count)
            } catch {
                throw Problem(.unauthorized, "This passkey did not sign you in: \(error.description)")
            }
            passkey.lastUsedAt = now
            try await passkey.save(on: tx)
            return user
        }
    }

    static func remove(_ id: UUID?, of userID: UUID, on db: any Database) async throws {
        guard let id, let passkey = try await Passkey.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first()
        else { throw Problem.notFound("passkey") }
        try await passkey.delete(on: db)
    }
}
