import BonafideCore
import Crypto
import Foundation

/// Signatures per the Standard Webhooks specification (standardwebhooks.com): `whsec_` secrets, and
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, so any of its libraries verifies them.
enum StandardWebhooks {
    static func makeSecret() -> String {
        "whsec_" + Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
    }

    static func signature(id: String, timestamp: Int, body: [UInt8], secret: String) -> String? {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))) else { return nil }
        let signed = Array("\(id).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}
