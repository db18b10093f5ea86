import Crypto
import Foundation

/// A passkey as the server stores it after a successful registration.
public struct WebAuthnRegistration: Sendable, Equatable {
    public let credentialID: [UInt8]
    /// The COSE_Key bytes exactly as the authenticator sent them; pass them back to `verifyAssertion`.
    public let publicKeyCOSE: [UInt8]
    public let signCount: UInt32
    public let userVerified: Bool
    /// The credential may be synced to other devices (a multi-device passkey), so losing one device does not
    /// lose it.
    public let backupEligible: Bool
    /// The credential is synced right now.
    public let backedUp: Bool
    /// Zero for "none" attestation, which is what browsers send unless asked otherwise.
    public let aaguid: [UInt8]
}

/// Server-side verification of WebAuthn Level 2 passkey registration and sign-in, for ES256 (COSE -7) keys.
///
/// ```swift
/// // Registration: challenge = 32 random bytes, kept in the session; pubKeyCredParams [{type: "public-key", alg: -7}].
/// let passkey = try WebAuthn.verifyRegistration(
///     clientDataJSON: response.clientDataJSON, attestationObject: response.attestationObject,
///     expectedChallenge: challenge, expectedOrigin: "https://bonafide.example", rpID: "bonafide.example",
///     requireUserVerification: true)
/// // Refuse passkey.credentialID if any account already has it; store the rest.
///
/// // Sign-in:
/// let newCount = try WebAuthn.verifyAssertion(
///     clientDataJSON: response.clientDataJSON, authenticatorData: response.authenticatorData,
///     signature: response.signature, publicKeyCOSE: stored.publicKeyCOSE, storedSignCount: stored.signCount,
///     expectedChallenge: challenge, expectedOrigin: "https://bonafide.example", rpID: "bonafide.example",
///     requireUserVerification: true)
/// // Store newCount. Delete the challenge after one use, whether or not verification succeeded.
/// ```
///
/// Attestation formats: "none", and "packed" self-attestation (signed by the credential's own key). Other formats
/// and attestation certificate chains are refused: checking them needs a trust store of authenticator vendors,
/// and a consumer site gains nothing from it, so registration should ask for `attestation: "none"`.
public enum WebAuthn {
    /// COSE algorithm ES256: ECDSA with P-256 and SHA-256, the one every passkey provider supports.
    public static let es256: Int = -7

    public static func verifyRegistration(
        clientDataJSON: [UInt8], attestationObject: [UInt8], expectedChallenge: [UInt8], expectedOrigin: String, rpID: String,
        requireUserVerification: Bool
    ) throws(WebAuthnError) -> WebAuthnRegistration {
        try checkClientData(clientDataJSON, type: "webauthn.create", challenge: expectedChallenge, origin: expectedOrigin)

        let object: CBOR
        do { object = try CBOR.decode(attestationObject) } catch { throw .malformedAttestationObject(error.description) }
        guard let format = object["fmt"]?.text else { throw .malformedAttestationObject("it has no \"fmt\" text string.") }
        guard let statement = object["attStmt"]?.mapValue else {
            throw .malformedAttestationObject("it has no \"attStmt\" map.")
        }
        guard let authData = object["authData"]?.bytes else {
            throw .malformedAttestationObject("it has no \"authData\" byte string.")
        }

        let data = try AuthenticatorData(authData)
        try checkAuthenticatorData(data, rpID: rpID, requireUserVerification: requireUserVerification)
        guard let credential = data.attestedCredential else { throw .missingAttestedCredentialData }
        let key = try publicKey(fromCOSE: credential.publicKeyCOSE)

        switch format {
        case "none":
            guard statement.isEmpty else { throw .invalidAttestationStatement("\"none\" attestation must have an empty statement.") }
        case "packed":
            guard statement[.text("x5c")] == nil else {
                throw .unsupportedAttestationFormat("packed with a certificate chain")
            }
            guard statement[.text("alg")]?.int == es256 else {
                throw .invalidAttestationStatement("packed self-attestation must use the credential's algorithm, ES256.")
            }
            guard let sig = statement[.text("sig")]?.bytes else {
                throw .invalidAttestationStatement("packed attestation has no signature.")
            }
            try checkSignature(sig, key: key, authenticatorData: authData, clientDataJSON: clientDataJSON)
        default:
            throw .unsupportedAttestationFormat(format)
        }

        return WebAuthnRegistration(
            credentialID: credential.id, publicKeyCOSE: credential.publicKeyCOSE, signCount: data.signCount,
            userVerified: data.userVerified, backupEligible: data.backupEligible, backedUp: data.backedUp,
            aaguid: credential.aaguid)
    }

    /// Returns the sign count to store for next time.
    public static func verifyAssertion(
        clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8], publicKeyCOSE: [UInt8], storedSignCount: UInt32,
        expectedChallenge: [UInt8], expectedOrigin: String, rpID: String, requireUserVerification: Bool
    ) throws(WebAuthnError) -> UInt32 {
        try checkClientData(clientDataJSON, type: "webauthn.get", challenge: expectedChallenge, origin: expectedOrigin)
        let data = try AuthenticatorData(authenticatorData)
        try checkAuthenticatorData(data, rpID: rpID, requireUserVerification: requireUserVerification)
        let key = try publicKey(fromCOSE: publicKeyCOSE)
        try checkSignature(signature, key: key, authenticatorData: authenticatorData, clientDataJSON: clientDataJSON)
        // Authenticators that keep no counter (most synced passkeys) send 0 every time; a counter that moves
        // backwards or stalls means two copies of one private key are in use.
        if data.signCount != 0 || storedSignCount != 0 {
            guard data.signCount > storedSignCount else {
                throw .signCountNotIncreasing(stored: storedSignCount, received: data.signCount)
            }
        }
        return data.signCount
    }

    /// The P-256 key in a COSE_Key (RFC 9053 EC2): kty 2, alg -7, crv 1, 32-byte x and y on the curve.
    public static func publicKey(fromCOSE cose: [UInt8]) throws(WebAuthnError) -> P256.Signing.PublicKey {
        let key: CBOR
        do { key = try CBOR.decode(cose) } catch { throw .unsupportedPublicKey("it is not valid CBOR (\(error.description))") }
        guard key.mapValue != nil else { throw .unsupportedPublicKey("it is not a COSE_Key map") }
        guard key[1]?.int == 2 else { throw .unsupportedPublicKey("its key type is not EC2") }
        guard key[3]?.int == es256 else { throw .unsupportedPublicKey("its algorithm is not ES256 (-7)") }
        guard key[-1]?.int == 1 else { throw .unsupportedPublicKey("its curve is not P-256") }
        guard let x = key[-2]?.bytes, let y = key[-3]?.bytes, x.count == 32, y.count == 32 else {
            throw .unsupportedPublicKey("its x and y coordinates are not 32 bytes each")
        }
        do {
            return try P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
        } catch {
            throw .unsupportedPublicKey("its point is not on the P-256 curve")
        }
    }

    static func checkClientData(_ json: [UInt8], type: String, challenge: [UInt8], origin: String) throws(WebAuthnError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw .malformedClientData
        }
        guard let receivedType = object["type"] as? String, let receivedChallenge = object["challenge"] as? String,
            let receivedOrigin = object["origin"] as? String
        else { throw .malformedClientData }
        // The type keeps a sign-in signature from being replayed as a registration, and the other way round.
        guard receivedType == type else { throw .wrongType(expected: type, received: receivedType) }
        // Compared as text, not decoded, so there is one spelling of each challenge.
        guard constantTimeEqual(Array(receivedChallenge.utf8), Array(Base64URL.encode(challenge).utf8)) else {
            throw .challengeMismatch
        }
        guard receivedOrigin == origin else { throw .originMismatch(expected: origin, received: receivedOrigin) }
        // The site is never framed by another origin, so a ceremony run inside someone else's frame is not ours.
        if let crossOrigin = object["crossOrigin"] as? Bool, crossOrigin { throw .crossOrigin }
    }

    static func checkAuthenticatorData(_ data: AuthenticatorData, rpID: String, requireUserVerification: Bool) throws(WebAuthnError) {
        guard constantTimeEqual(data.rpIDHash, Array(SHA256.hash(data: Array(rpID.utf8)))) else { throw .rpIDMismatch }
        guard data.userPresent else { throw .userNotPresent }
        if requireUserVerification, !data.userVerified { throw .userNotVerified }
        guard data.backupEligible || !data.backedUp else {
            throw .malformedAuthenticatorData("the backed-up flag is set on a credential that cannot be backed up.")
        }
    }

    static func checkSignature(
        _ signature: [UInt8], key: P256.Signing.PublicKey, authenticatorData: [UInt8], clientDataJSON: [UInt8]
    ) throws(WebAuthnError) {
        let parsed: P256.Signing.ECDSASignature
        do { parsed = try P256.Signing.ECDSASignature(derRepresentation: signature) } catch { throw .malformedSignature }
        let signed = authenticatorData + Array(SHA256.hash(data: clientDataJSON))
        guard key.isValidSignature(parsed, for: signed) else { throw .invalidSignature }
    }

    /// The fixed layout of WebAuthn §6.1, with the attested credential data of §6.5.1 when the AT flag says so.
    struct AuthenticatorData {
        struct AttestedCredential {
            var aaguid: [UInt8]
            var id: [UInt8]
            var publicKeyCOSE: [UInt8]
        }

        var rpIDHash: [UInt8]
        var flags: UInt8
        var signCount: UInt32
        var attestedCredential: AttestedCredential?

        var userPresent: Bool { flags & 0x01 != 0 }
        var userVerified: Bool { flags & 0x04 != 0 }
        var backupEligible: Bool { flags & 0x08 != 0 }
        var backedUp: Bool { flags & 0x10 != 0 }
        var hasAttestedCredential: Bool { flags & 0x40 != 0 }
        var hasExtensions: Bool { flags & 0x80 != 0 }

        init(_ bytes: [UInt8]) throws(WebAuthnError) {
            guard bytes.count >= 37 else { throw .malformedAuthenticatorData("it is shorter than 37 bytes.") }
            rpIDHash = Array(bytes[0..<32])
            flags = bytes[32]
            signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
            var position = 37
            if hasAttestedCredential {
                guard bytes.count >= position + 18 else {
                    throw .malformedAuthenticatorData("the attested credential data is cut short.")
                }
                let aaguid = Array(bytes[position..<position + 16])
                let idLength = Int(bytes[position + 16]) << 8 | Int(bytes[position + 17])
                position += 18
                // §6.5.1 caps credential IDs at 1023 bytes; a longer one is not from a conforming authenticator.
                guard idLength <= 1023 else { throw .malformedAuthenticatorData("the credential ID is longer than 1023 bytes.") }
                guard bytes.count >= position + idLength else {
                    throw .malformedAuthenticatorData("the credential ID is cut short.")
                }
                let id = Array(bytes[position..<position + idLength])
                position += idLength
                let keyLength: Int
                do { keyLength = try CBOR.decodePrefix(bytes[position...]).length } catch {
                    throw .malformedAuthenticatorData("the credential public key is not valid CBOR (\(error.description))")
                }
                attestedCredential = AttestedCredential(
                    aaguid: aaguid, id: id, publicKeyCOSE: Array(bytes[position..<position + keyLength]))
                position += keyLength
            }
            if hasExtensions {
                let extensions: (item: CBOR, length: Int)
                do { extensions = try CBOR.decodePrefix(bytes[position...]) } catch {
                    throw .malformedAuthenticatorData("the extensions are not valid CBOR (\(error.description))")
                }
                guard extensions.item.mapValue != nil else { throw .malformedAuthenticatorData("the extensions are not a map.") }
                position += extensions.length
            }
            // Bytes the flags do not account for could be read differently by another parser: refuse them.
            guard position == bytes.count else { throw .malformedAuthenticatorData("it has bytes its flags do not account for.") }
        }
    }
}

public enum WebAuthnError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedClientData
    case wrongType(expected: String, received: String)
    case challengeMismatch
    case originMismatch(expected: String, received: String)
    case crossOrigin
    case malformedAttestationObject(String)
    case malformedAuthenticatorData(String)
    case rpIDMismatch
    case userNotPresent
    case userNotVerified
    case missingAttestedCredentialData
    case unsupportedAttestationFormat(String)
    case invalidAttestationStatement(String)
    case unsupportedPublicKey(String)
    case malformedSignature
    case invalidSignature
    case signCountNotIncreasing(stored: UInt32, received: UInt32)

    public var description: String {
        switch self {
        case .malformedClientData:
            "The client data is not a JSON object with text \"type\", \"challenge\" and \"origin\" members."
        case .wrongType(let expected, let received):
            "The client data is for \"\(received)\", not \"\(expected)\": a sign-in response cannot register a passkey, "
                + "or the other way round."
        case .challengeMismatch:
            "The challenge the authenticator signed is not the one this server issued; it may be stale or replayed."
        case .originMismatch(let expected, let received):
            "The request came from \(received), not \(expected); another site may be trying to use the passkey."
        case .crossOrigin: "The ceremony ran inside a frame from another origin, which this site never does."
        case .malformedAttestationObject(let detail): "The attestation object is malformed: \(detail)"
        case .malformedAuthenticatorData(let detail): "The authenticator data is malformed: \(detail)"
        case .rpIDMismatch: "The passkey is for a different site (its relying party ID hash does not match)."
        case .userNotPresent: "The authenticator did not confirm that a person was present."
        case .userNotVerified: "The authenticator did not verify the user with a PIN or biometric, which this site requires."
        case .missingAttestedCredentialData: "The registration response carries no credential (no attested credential data)."
        case .unsupportedAttestationFormat(let format):
            "Attestation format \"\(format)\" is not supported; request attestation \"none\"."
        case .invalidAttestationStatement(let detail): "The attestation statement is invalid: \(detail)"
        case .unsupportedPublicKey(let detail): "The credential public key is not usable: \(detail); only ES256 (P-256) keys are accepted."
        case .malformedSignature: "The signature is not a DER-encoded ECDSA signature."
        case .invalidSignature: "The signature does not verify with the stored public key."
        case .signCountNotIncreasing(let stored, let received):
            "The authenticator's sign count went from \(stored) to \(received) instead of increasing: possible cloned authenticator."
        }
    }
}

/// Base64url (RFC 4648 §5), the encoding of challenges and IDs in WebAuthn JSON.
public enum Base64URL {
    /// Without padding, as WebAuthn and JWTs write it.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Accepts padding or none, so values copied from either kind of tool decode. Nil for characters outside the
    /// base64url alphabet (standard base64's "+" and "/" included, which would be a different encoding).
    public static func decode(_ text: String) -> [UInt8]? {
        var body = Substring(text)
        while body.hasSuffix("=") { body.removeLast() }
        guard body.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else {
            return nil
        }
        var standard = body.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard standard.utf8.count % 4 != 1 else { return nil }
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}
