import Crypto
import Foundation
import Vapor

/// Seals secrets the server must read back later (TOTP secrets) with AES-256-GCM under a key derived from the
/// server's signing key, so a copy of the database alone does not hold them in clear.
enum SecretBox {
    struct Unreadable: Error {}

    static func seal(_ plaintext: String, key: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: SymmetricKey(data: key))
        guard let combined = box.combined else { throw Unreadable() }
        return "v1:" + combined.base64EncodedString()
    }

    static func open(_ sealed: String, key: [UInt8]) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else { throw Unreadable() }
        let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: SymmetricKey(data: key))
        return String(decoding: plain, as: UTF8.self)
    }
}

extension Application {
    var secretBoxKey: [UInt8] { ledgerSigner.derivedKey(purpose: "bonafide secret box v1") }
    /// Signs the tokens in mail (unsubscribe links, reply addresses) and calendar addresses.
    var mailTokenKey: [UInt8] { ledgerSigner.derivedKey(purpose: "bonafide mail tokens v1") }

    var mailContext: MailContext {
        MailContext(
            baseURL: bonafide.baseURL, tokenKey: mailTokenKey, replyDomain: bonafide.replyDomain,
            requireVerifiedAddresses: bonafide.requiresEmailVerification)
    }
}
