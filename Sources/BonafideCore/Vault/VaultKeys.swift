import Crypto
import Foundation
import _CryptoExtras

/// How vault keys travel without the server ever holding one it could use: a person's private key wrapped under
/// their passphrase, an organization's private key sealed to each member, a share link's key derived from the secret
/// in its URL fragment (and an optional password). The browser (`vault.js`) implements the same rules.
///
/// Rules, each with its reason: passphrases go through PBKDF2-HMAC-SHA256 with at least 600,000 rounds (OWASP's
/// figure for 2023 onwards), so a stolen database is an offline attack on each passphrase alone; each wrap has its
/// own label in the associated data or HPKE info, so a wrapped key cannot be passed off as another kind.
public enum VaultKeys {
    public static let minimumIterations = 600_000
    static let userKeyLabel = Data("bonafide vault user key v1".utf8)
    static let organizationKeyInfo = Data("bonafide vault organization key v1".utf8)
    static let linkInfo = Data("bonafide vault link v1".utf8)

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case wrongPassphrase, badWrap, weakIterations
        public var description: String {
            switch self {
            case .wrongPassphrase: "Wrong passphrase."
            case .badWrap: "The wrapped key is damaged or not for this key."
            case .weakIterations: "A passphrase key needs at least \(VaultKeys.minimumIterations) PBKDF2 rounds."
            }
        }
    }

    /// A person's private key as the server keeps it.
    public struct WrappedUserKey: Codable, Sendable, Equatable {
        public var publicKey: String
        public var wrappedPrivateKey: String
        public var salt: String
        public var iterations: Int
        public init(publicKey: String, wrappedPrivateKey: String, salt: String, iterations: Int) {
            self.publicKey = publicKey
            self.wrappedPrivateKey = wrappedPrivateKey
            self.salt = salt
            self.iterations = iterations
        }
    }

    static func passphraseKey(_ passphrase: String, salt: [UInt8], iterations: Int) throws -> SymmetricKey {
        guard iterations >= minimumIterations else { throw Failure.weakIterations }
        return try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(passphrase.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
    }

    public static func wrap(
        _ key: Curve25519.KeyAgreement.PrivateKey, passphrase: String, iterations: Int = minimumIterations,
        salt: [UInt8] = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
    ) throws -> WrappedUserKey {
        let kek = try passphraseKey(passphrase, salt: salt, iterations: iterations)
        let box = try AES.GCM.seal(key.rawRepresentation, using: kek, authenticating: userKeyLabel)
        return WrappedUserKey(
            publicKey: VaultFormat.encode(publicKey: key.publicKey), wrappedPrivateKey: Base64URL.encode(box.combined!),
            salt: Base64URL.encode(Data(salt)), iterations: iterations)
    }

    public static func unwrap(_ wrapped: WrappedUserKey, passphrase: String) throws -> Curve25519.KeyAgreement.PrivateKey {
        guard let salt = Base64URL.decode(wrapped.salt), let combined = Base64URL.decode(wrapped.wrappedPrivateKey),
            combined.count == 12 + 32 + 16
        else { throw Failure.badWrap }
        let kek = try passphraseKey(passphrase, salt: Array(salt), iterations: wrapped.iterations)
        guard let raw = try? AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: kek, authenticating: userKeyLabel),
            let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        else { throw Failure.wrongPassphrase }
        return key
    }

    /// The organization's private key sealed to one member: enc (32) | HPKE ciphertext (48), base64url.
    public static func seal(
        organizationKey: Curve25519.KeyAgreement.PrivateKey, to member: Curve25519.KeyAgreement.PublicKey
    ) throws -> String {
        var sender = try HPKE.Sender(recipientKey: member, ciphersuite: VaultFormat.suite, info: organizationKeyInfo)
        let sealed = try sender.seal(
            organizationKey.rawRepresentation, authenticating: VaultFormat.keyID(organizationKey.publicKey))
        return Base64URL.encode(sender.encapsulatedKey + sealed)
    }

    public static func open(
        sealed: String, organizationKey: Curve25519.KeyAgreement.PublicKey, member: Curve25519.KeyAgreement.PrivateKey
    ) throws -> Curve25519.KeyAgreement.PrivateKey {
        guard let bytes = Base64URL.decode(sealed), bytes.count == 32 + 48,
            var recipient = try? HPKE.Recipient(
                privateKey: member, ciphersuite: VaultFormat.suite, info: organizationKeyInfo, encapsulatedKey: Data(bytes.prefix(32))),
            let raw = try? recipient.open(bytes.dropFirst(32), authenticating: VaultFormat.keyID(organizationKey)),
            let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw),
            key.publicKey.rawRepresentation == organizationKey.rawRepresentation
        else { throw Failure.badWrap }
        return key
    }

    /// A share link's private key: the fragment's 32 bytes, stretched with the password when there is one.
    public static func linkKey(seed: [UInt8], password: String, salt: [UInt8]) throws -> Curve25519.KeyAgreement.PrivateKey {
        guard !password.isEmpty else { return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: seed) }
        let stretched = try passphraseKey(password, salt: salt, iterations: minimumIterations).withUnsafeBytes { Array($0) }
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: seed + stretched), info: linkInfo, outputByteCount: 32)
        return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: derived.withUnsafeBytes { Array($0) })
    }
}
