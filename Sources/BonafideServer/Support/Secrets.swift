import BonafideCore
import Crypto
import Foundation

/// Random bearer secrets and their stored digests; a secret itself is never stored.
enum Secrets {
    static func make(prefix: String) -> String {
        prefix + Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) })
    }

    static func digest(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }
}
