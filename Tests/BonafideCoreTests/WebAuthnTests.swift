import BonafideCore
import Crypto
import Foundation
import Testing

/// Just enough CBOR encoding to play an authenticator: written independently of the decoder under test.
enum CBORWriter {
    indirect enum Value {
        case int(Int)
        case bytes([UInt8])
        case text(String)
        case array([Value])
        case map([(Value, Value)])
    }

    static func head(_ major: UInt8, _ n: UInt64) -> [UInt8] {
        let m = major << 5
        switch n {
        case 0..<24: return [m | UInt8(n)]
        case 24..<0x100: return [m | 24, UInt8(n)]
        case 0x100..<0x10000: return [m | 25] + withUnsafeBytes(of: UInt16(n).bigEndian) { Array($0) }
        case 0x10000..<0x1_0000_0000: return [m | 26] + withUnsafeBytes(of: UInt32(n).bigEndian) { Array($0) }
        default: return [m | 27] + withUnsafeBytes(of: n.bigEndian) { Array($0) }
        }
    }

    static func encode(_ value: Value) -> [UInt8] {
        switch value {
        case .int(let n): n >= 0 ? head(0, UInt64(n)) : head(1, UInt64(-1 - n))
        case .bytes(let b): head(2, UInt64(b.count)) + b
        case .text(let t): head(3, UInt64(t.utf8.count)) + Array(t.utf8)
        case .array(let items): head(4, UInt64(items.count)) + items.flatMap(encode)
        case .map(let pairs): head(5, UInt64(pairs.count)) + pairs.flatMap { encode($0.0) + encode($0.1) }
        }
    }
}

/// A software authenticator: a P-256 key, a credential ID and a counter, producing what a browser would hand the
/// server.
struct SoftAuthenticator {
    static let up: UInt8 = 0x01
    static let uv: UInt8 = 0x04
    static let be: UInt8 = 0x08
    static let bs: UInt8 = 0x10
    static let at: UInt8 = 0x40
    /// A passkey provider's: present, verified, backup eligible; with a credential when registering.
    static let registering = up | uv | be | at
    static let signingIn = up | uv | be

    let key = P256.Signing.PrivateKey()
    let credentialID: [UInt8] = (0..<32).map { UInt8($0 * 7 & 0xff) }

    var coseKey: [UInt8] { coseKey(alg: -7) }

    func coseKey(alg: Int, x: [UInt8]? = nil) -> [UInt8] {
        let point = Array(key.publicKey.x963Representation)
        return CBORWriter.encode(
            .map([
                (.int(1), .int(2)), (.int(3), .int(alg)), (.int(-1), .int(1)), (.int(-2), .bytes(x ?? Array(point[1..<33]))),
                (.int(-3), .bytes(Array(point[33..<65]))),
            ]))
    }

    static func clientData(type: String, challenge: [UInt8], origin: String) -> [UInt8] {
        Array(#"{"type":"\#(type)","challenge":"\#(Base64URL.encode(challenge))","origin":"\#(origin)","crossOrigin":false}"#.utf8)
    }

    func authData(rpID: String, flags: UInt8, signCount: UInt32, attested cose: [UInt8]? = nil) -> [UInt8] {
        var out = Array(SHA256.hash(data: Array(rpID.utf8))) + [flags] + withUnsafeBytes(of: signCount.bigEndian) { Array($0) }
        if let cose {
            out += [UInt8](repeating: 0, count: 16) + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xff)]
            out += credentialID + cose
        }
        return out
    }

    func sign(_ authData: [UInt8], _ clientData: [UInt8]) -> [UInt8] {
        Array(try! key.signature(for: authData + Array(SHA256.hash(data: clientData))).derRepresentation)
    }

    func register(
        challenge: [UInt8], origin: String = "https://bonafide.example", rpID: String = "bonafide.example",
        type: String = "webauthn.create", flags: UInt8 = registering, format: String = "none", cose: [UInt8]? = nil
    ) -> (clientData: [UInt8], attestationObject: [UInt8]) {
        let clientData = Self.clientData(type: type, challenge: challenge, origin: origin)
        let auth = authData(rpID: rpID, flags: flags, signCount: 0, attested: flags & Self.at != 0 ? cose ?? coseKey : nil)
        let statement: CBORWriter.Value =
            format == "packed" ? .map([(.text("alg"), .int(-7)), (.text("sig"), .bytes(sign(auth, clientData)))]) : .map([])
        let object = CBORWriter.encode(
            .map([(.text("fmt"), .text(format)), (.text("attStmt"), statement), (.text("authData"), .bytes(auth))]))
        return (clientData, object)
    }

    func assert(
        challenge: [UInt8], signCount: UInt32, origin: String = "https://bonafide.example", rpID: String = "bonafide.example",
        type: String = "webauthn.get", flags: UInt8 = signingIn
    ) -> (clientData: [UInt8], authData: [UInt8], signature: [UInt8]) {
        let clientData = Self.clientData(type: type, challenge: challenge, origin: origin)
        let auth = authData(rpID: rpID, flags: flags, signCount: signCount)
        return (clientData, auth, sign(auth, clientData))
    }
}

@Suite("WebAuthn")
struct WebAuthnTests {
    let authenticator = SoftAuthenticator()
    let challenge: [UInt8] = (0..<32).map { UInt8($0) }
    let origin = "https://bonafide.example"
    let rpID = "bonafide.example"

    func register(_ response: (clientData: [UInt8], attestationObject: [UInt8]), uv: Bool = true) throws(WebAuthnError)
        -> WebAuthnRegistration
    {
        try WebAuthn.verifyRegistration(
            clientDataJSON: response.clientData, attestationObject: response.attestationObject, expectedChallenge: challenge,
            expectedOrigin: origin, rpID: rpID, requireUserVerification: uv)
    }

    func signIn(
        _ response: (clientData: [UInt8], authData: [UInt8], signature: [UInt8]), stored: UInt32 = 0, cose: [UInt8]? = nil, uv: Bool = true
    ) throws(WebAuthnError) -> UInt32 {
        try WebAuthn.verifyAssertion(
            clientDataJSON: response.clientData, authenticatorData: response.authData, signature: response.signature,
            publicKeyCOSE: cose ?? authenticator.coseKey, storedSignCount: stored, expectedChallenge: challenge, expectedOrigin: origin,
            rpID: rpID, requireUserVerification: uv)
    }

    @Test func registersAndSignsIn() throws {
        let passkey = try register(authenticator.register(challenge: challenge))
        #expect(passkey.credentialID == authenticator.credentialID)
        #expect(passkey.publicKeyCOSE == authenticator.coseKey)
        #expect(passkey.signCount == 0)
        #expect(passkey.userVerified)
        #expect(passkey.backupEligible)
        #expect(!passkey.backedUp)
        #expect(passkey.aaguid == [UInt8](repeating: 0, count: 16))
        let count = try signIn(
            authenticator.assert(challenge: challenge, signCount: 1), stored: passkey.signCount, cose: passkey.publicKeyCOSE)
        #expect(count == 1)
    }

    @Test func passkeysThatKeepNoCounterSendZeroEveryTime() throws {
        #expect(try signIn(authenticator.assert(challenge: challenge, signCount: 0), stored: 0) == 0)
        #expect(try signIn(authenticator.assert(challenge: challenge, signCount: 0), stored: 0) == 0)
    }

    @Test func acceptsPackedSelfAttestation() throws {
        let passkey = try register(authenticator.register(challenge: challenge, format: "packed"))
        #expect(passkey.credentialID == authenticator.credentialID)
        // The same statement signed by another key is a forgery.
        let other = SoftAuthenticator()
        var forged = authenticator.register(challenge: challenge, format: "packed")
        forged.attestationObject = other.register(challenge: challenge, format: "packed", cose: authenticator.coseKey).attestationObject
        #expect(throws: WebAuthnError.invalidSignature) { try register(forged) }
    }

    @Test func refusesOtherAttestationFormats() {
        #expect(throws: WebAuthnError.unsupportedAttestationFormat("fido-u2f")) {
            try register(authenticator.register(challenge: challenge, format: "fido-u2f"))
        }
    }

    @Test func refusesTheWrongChallenge() {
        let other = [UInt8](repeating: 9, count: 32)
        #expect(throws: WebAuthnError.challengeMismatch) { try register(authenticator.register(challenge: other)) }
        #expect(throws: WebAuthnError.challengeMismatch) { try signIn(authenticator.assert(challenge: other, signCount: 1)) }
    }

    @Test func refusesTheWrongOrigin() {
        let evil = "https://bonafide.example.evil.test"
        #expect(throws: WebAuthnError.originMismatch(expected: origin, received: evil)) {
            try register(authenticator.register(challenge: challenge, origin: evil))
        }
        #expect(throws: WebAuthnError.originMismatch(expected: origin, received: "http://bonafide.example")) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 1, origin: "http://bonafide.example"))
        }
    }

    @Test func refusesTheWrongRelyingParty() {
        #expect(throws: WebAuthnError.rpIDMismatch) { try register(authenticator.register(challenge: challenge, rpID: "evil.test")) }
        #expect(throws: WebAuthnError.rpIDMismatch) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 1, rpID: "evil.test"))
        }
    }

    @Test func refusesTheWrongCeremonyType() {
        #expect(throws: WebAuthnError.wrongType(expected: "webauthn.create", received: "webauthn.get")) {
            try register(authenticator.register(challenge: challenge, type: "webauthn.get"))
        }
        #expect(throws: WebAuthnError.wrongType(expected: "webauthn.get", received: "webauthn.create")) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 1, type: "webauthn.create"))
        }
    }

    @Test func requiresPresenceAndVerificationWhenAsked() throws {
        let noUV = SoftAuthenticator.up | SoftAuthenticator.at
        #expect(throws: WebAuthnError.userNotVerified) { try register(authenticator.register(challenge: challenge, flags: noUV)) }
        #expect(try register(authenticator.register(challenge: challenge, flags: noUV), uv: false).userVerified == false)
        #expect(throws: WebAuthnError.userNotPresent) {
            try register(authenticator.register(challenge: challenge, flags: SoftAuthenticator.uv | SoftAuthenticator.at))
        }
        #expect(throws: WebAuthnError.missingAttestedCredentialData) {
            try register(authenticator.register(challenge: challenge, flags: SoftAuthenticator.up | SoftAuthenticator.uv))
        }
        #expect(throws: WebAuthnError.userNotVerified) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 1, flags: SoftAuthenticator.up))
        }
        #expect(throws: WebAuthnError.userNotPresent) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 1, flags: SoftAuthenticator.uv))
        }
    }

    @Test func refusesATamperedSignature() {
        var flipped = authenticator.assert(challenge: challenge, signCount: 1)
        flipped.signature[flipped.signature.count - 1] ^= 0x01
        #expect(throws: WebAuthnError.invalidSignature) { try signIn(flipped) }

        var changedData = authenticator.assert(challenge: challenge, signCount: 1)
        changedData.authData[36] = 200  // raise the sign count after signing
        #expect(throws: WebAuthnError.invalidSignature) { try signIn(changedData) }

        var notDER = authenticator.assert(challenge: challenge, signCount: 1)
        notDER.signature = Array(notDER.signature.dropFirst())
        #expect(throws: WebAuthnError.malformedSignature) { try signIn(notDER) }

        let otherKey = SoftAuthenticator()
        #expect(throws: WebAuthnError.invalidSignature) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 1), cose: otherKey.coseKey)
        }
    }

    @Test func refusesASignCountThatDoesNotIncrease() throws {
        #expect(throws: WebAuthnError.signCountNotIncreasing(stored: 5, received: 5)) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 5), stored: 5)
        }
        #expect(throws: WebAuthnError.signCountNotIncreasing(stored: 5, received: 0)) {
            try signIn(authenticator.assert(challenge: challenge, signCount: 0), stored: 5)
        }
        #expect(WebAuthnError.signCountNotIncreasing(stored: 5, received: 3).description.contains("possible cloned authenticator"))
        #expect(try signIn(authenticator.assert(challenge: challenge, signCount: 6), stored: 5) == 6)
    }

    @Test func refusesKeysOtherThanES256() {
        #expect(throws: WebAuthnError.self) {
            try register(authenticator.register(challenge: challenge, cose: authenticator.coseKey(alg: -8)))
        }
        var offCurve = Array(authenticator.key.publicKey.x963Representation[1..<33])
        offCurve[31] ^= 1
        #expect(throws: WebAuthnError.unsupportedPublicKey("its point is not on the P-256 curve")) {
            try WebAuthn.publicKey(fromCOSE: authenticator.coseKey(alg: -7, x: offCurve))
        }
        #expect(throws: WebAuthnError.self) { try WebAuthn.publicKey(fromCOSE: authenticator.coseKey(alg: -7, x: [1, 2, 3])) }
    }

    @Test func refusesEveryTruncationOfTheAttestationObject() {
        let response = authenticator.register(challenge: challenge)
        for length in 0..<response.attestationObject.count {
            #expect(throws: WebAuthnError.self) {
                try register((response.clientData, Array(response.attestationObject.prefix(length))))
            }
        }
    }

    @Test func refusesGarbage() {
        var generator = SystemRandomNumberGenerator()
        let clientData = SoftAuthenticator.clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        for length in [0, 1, 10, 100, 1000] {
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(throws: WebAuthnError.self) { try register((clientData, noise)) }
            #expect(throws: WebAuthnError.self) { try register((noise, authenticator.register(challenge: challenge).attestationObject)) }
        }
        // Authenticator data with bytes after the key that no flag accounts for.
        let auth = authenticator.authData(rpID: rpID, flags: 0x45, signCount: 0, attested: authenticator.coseKey) + [0]
        let object = CBORWriter.encode(
            .map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([])), (.text("authData"), .bytes(auth))]))
        #expect(throws: WebAuthnError.malformedAuthenticatorData("it has bytes its flags do not account for.")) {
            try register((clientData, object))
        }
    }

    @Test func readsPastAuthenticatorExtensions() throws {
        let clientData = SoftAuthenticator.clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        func object(extensions: CBORWriter.Value) -> [UInt8] {
            let auth =
                authenticator.authData(
                    rpID: rpID, flags: SoftAuthenticator.registering | 0x80, signCount: 0, attested: authenticator.coseKey)
                + CBORWriter.encode(extensions)
            return CBORWriter.encode(
                .map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([])), (.text("authData"), .bytes(auth))]))
        }
        let passkey = try register((clientData, object(extensions: .map([(.text("credProtect"), .int(2))]))))
        #expect(passkey.publicKeyCOSE == authenticator.coseKey)
        #expect(throws: WebAuthnError.malformedAuthenticatorData("the extensions are not a map.")) {
            try register((clientData, object(extensions: .int(2))))
        }
    }

    @Test func refusesCeremoniesFramedByAnotherOrigin() {
        let framed = Array(
            #"{"type":"webauthn.get","challenge":"\#(Base64URL.encode(challenge))","origin":"\#(origin)","crossOrigin":true}"#.utf8)
        var response = authenticator.assert(challenge: challenge, signCount: 1)
        response.clientData = framed
        response.signature = authenticator.sign(response.authData, framed)
        #expect(throws: WebAuthnError.crossOrigin) { try signIn(response) }
    }

    @Test func refusesDeeplyNestedCBOR() {
        let clientData = SoftAuthenticator.clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        let nested = [UInt8](repeating: 0x81, count: 100_000) + [0]
        #expect(throws: WebAuthnError.malformedAttestationObject(CBORError.tooDeep(16).description)) { try register((clientData, nested)) }
    }

    @Test func errorsReadAsPlainEnglish() {
        #expect(WebAuthnError.challengeMismatch.description.contains("challenge"))
        #expect(WebAuthnError.rpIDMismatch.description.contains("different site"))
        #expect(WebAuthnError.unsupportedAttestationFormat("tpm").description.contains("\"tpm\""))
    }

    /// Made by python-fido2 2.2.1 (scripts/webauthn-fido2-vector.py): its CollectedClientData, AuthenticatorData,
    /// AttestedCredentialData, ES256 COSE key and AttestationObject encoders, and accepted by its Fido2Server before
    /// being copied here. rp ID "bonafide.example", flags UP UV BE BS, sign count 0 at registration and 7 at sign-in.
    enum Fido2Vector {
        static let origin = "https://bonafide.example"
        static let rpID = "bonafide.example"
        static let registrationChallenge = "c5U0k3THiAkLMys1lYo4rVUqgHi6GugRVI_zcTCFyLg"
        static let registrationClientData =
            "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiYzVVMGszVEhpQWtMTXlzMWxZbzRyVlVxZ0hpNkd1Z1JWSV96Y1RDRnlMZyIsIm9yaWdpbiI6"
            + "Imh0dHBzOi8vYm9uYWZpZGUuZXhhbXBsZSIsImNyb3NzT3JpZ2luIjpmYWxzZX0"
        static let attestationObject =
            "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVikcb12cWKrkT5w8sS__tOphjQjR3pdwuUtqwfg7tiQ7xJdAAAAAAAAAAAAAAAAAAAAAAAAAAAAIKjRTSEAEvmN"
            + "S_A-YzzRI7h1d7GLTJZotuPQzk7XR1zhpQECAyYgASFYIJls8T68VUG5AwMvQ1dNrUsEnD8QahOizDaXNlUxBI3UIlggxk_zKWvSSvibRbqVEi8azPhGIprqOi7u"
            + "4P6qgvnvwlc"
        static let credentialID = "qNFNIQAS-Y1L8D5jPNEjuHV3sYtMlmi249DOTtdHXOE"
        static let publicKeyCOSE =
            "pQECAyYgASFYIJls8T68VUG5AwMvQ1dNrUsEnD8QahOizDaXNlUxBI3UIlggxk_zKWvSSvibRbqVEi8azPhGIprqOi7u4P6qgvnvwlc"
        /// The same credential registered again with a "packed" self-attestation statement.
        static let packedChallenge = "Qd7D8rqh54p7RcE2ER7ow_e2Oe-vIwBybqKfFuKVmfY"
        static let packedClientData =
            "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiUWQ3RDhycWg1NHA3UmNFMkVSN293X2UyT2Utdkl3QnlicUtmRnVLVm1mWSIsIm9yaWdpbiI6"
            + "Imh0dHBzOi8vYm9uYWZpZGUuZXhhbXBsZSIsImNyb3NzT3JpZ2luIjpmYWxzZX0"
        static let packedAttestationObject =
            "o2NmbXRmcGFja2VkZ2F0dFN0bXSiY2FsZyZjc2lnWEgwRgIhAJF_mYQzRh_i2WOw0U17hg1PNMhPLMJOucRh7il9BfT9AiEA5mZo7g2wdIGXSD0HNLKLZdm3g6DF"
            + "VTyut4ulSRT3mLxoYXV0aERhdGFYpHG9dnFiq5E-cPLEv_7TqYY0I0d6XcLlLasH4O7YkO8SXQAAAAAAAAAAAAAAAAAAAAAAAAAAACCo0U0hABL5jUvwPmM80SO4"
            + "dXexi0yWaLbj0M5O10dc4aUBAgMmIAEhWCCZbPE-vFVBuQMDL0NXTa1LBJw_EGoTosw2lzZVMQSN1CJYIMZP8ylr0kr4m0W6lRIvGsz4RiKa6jou7uD-qoL578JX"
        static let assertionChallenge = "rlkUx0y9VcIg8Xe9ChGjPrJpNnScxT5H8GpG8dO-1qw"
        static let assertionClientData =
            "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoicmxrVXgweTlWY0lnOFhlOUNoR2pQckpwTm5TY3hUNUg4R3BHOGRPLTFxdyIsIm9yaWdpbiI6Imh0"
            + "dHBzOi8vYm9uYWZpZGUuZXhhbXBsZSIsImNyb3NzT3JpZ2luIjpmYWxzZX0"
        static let authenticatorData = "cb12cWKrkT5w8sS__tOphjQjR3pdwuUtqwfg7tiQ7xIdAAAABw"
        static let signature = "MEUCIDmfQ2nHmjOENuPR7ErClLJtQ2W2Pm1qNSKCkKUdH2-XAiEA0QUajV0iHqibU7b9yFg34tsPggkksxpPtPUR5pw1xY4"
    }

    @Test func acceptsARegistrationAndSignInMadeByPythonFido2() throws {
        func bytes(_ text: String) throws -> [UInt8] { try #require(Base64URL.decode(text)) }
        let passkey = try WebAuthn.verifyRegistration(
            clientDataJSON: bytes(Fido2Vector.registrationClientData), attestationObject: bytes(Fido2Vector.attestationObject),
            expectedChallenge: bytes(Fido2Vector.registrationChallenge), expectedOrigin: Fido2Vector.origin, rpID: Fido2Vector.rpID,
            requireUserVerification: true)
        #expect(passkey.credentialID == (try bytes(Fido2Vector.credentialID)))
        #expect(passkey.publicKeyCOSE == (try bytes(Fido2Vector.publicKeyCOSE)))
        #expect(passkey.signCount == 0)
        #expect(passkey.userVerified && passkey.backupEligible && passkey.backedUp)

        let packed = try WebAuthn.verifyRegistration(
            clientDataJSON: bytes(Fido2Vector.packedClientData), attestationObject: bytes(Fido2Vector.packedAttestationObject),
            expectedChallenge: bytes(Fido2Vector.packedChallenge), expectedOrigin: Fido2Vector.origin, rpID: Fido2Vector.rpID,
            requireUserVerification: true)
        #expect(packed.publicKeyCOSE == passkey.publicKeyCOSE)

        let count = try WebAuthn.verifyAssertion(
            clientDataJSON: bytes(Fido2Vector.assertionClientData), authenticatorData: bytes(Fido2Vector.authenticatorData),
            signature: bytes(Fido2Vector.signature), publicKeyCOSE: passkey.publicKeyCOSE, storedSignCount: passkey.signCount,
            expectedChallenge: bytes(Fido2Vector.assertionChallenge), expectedOrigin: Fido2Vector.origin, rpID: Fido2Vector.rpID,
            requireUserVerification: true)
        #expect(count == 7)

        #expect(throws: WebAuthnError.challengeMismatch) {
            try WebAuthn.verifyAssertion(
                clientDataJSON: bytes(Fido2Vector.assertionClientData), authenticatorData: bytes(Fido2Vector.authenticatorData),
                signature: bytes(Fido2Vector.signature), publicKeyCOSE: passkey.publicKeyCOSE, storedSignCount: 0,
                expectedChallenge: bytes(Fido2Vector.registrationChallenge), expectedOrigin: Fido2Vector.origin, rpID: Fido2Vector.rpID,
                requireUserVerification: true)
        }
    }
}

@Suite("Base64URL")
struct Base64URLTests {
    @Test func encodesWithoutPaddingAndDecodesEitherWay() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("-_8=") == [0xfb, 0xff])
        #expect(Base64URL.encode([]) == "")
        #expect(Base64URL.decode("") == [])
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab!c") == nil)
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8($0 * 37 & 0xff) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
