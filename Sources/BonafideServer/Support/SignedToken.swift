import BonafideCore
import Crypto
import Foundation

/// Tokens the server hands out and later takes back without storing them: a few fields and an HMAC under a
/// key derived for one purpose, so an unsubscribe token can never open a calendar and nobody can forge either.
enum SignedToken {
    static let macBytes = 16

    static func make(_ fields: [String], key: [UInt8]) -> String {
        let payload = Array(fields.joined(separator: "|").utf8)
        return Base64URL.encode(payload) + "." + Base64URL.encode(mac(payload, key: key))
    }

    /// The fields, or nil for a token this server did not make with this key.
    static func open(_ token: String, key: [UInt8], fields count: Int) -> [String]? {
        guard token.utf8.count <= 512 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        // Canonical spellings only (unused bits zero, no padding): one token, one text.
        guard parts.count == 2, let payload = Base64URL.decode(String(parts[0])), let tag = Base64URL.decode(String(parts[1])),
            Base64URL.encode(payload) == parts[0], Base64URL.encode(tag) == parts[1], constantTimeEqual(tag, mac(payload, key: key))
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        return fields.count == count ? fields : nil
    }

    private static func mac(_ payload: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: key)).prefix(macBytes))
    }
}
