import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), as authenticator apps compute them.
///
/// ```swift
/// let secret = TOTP.generateSecret()            // store encrypted; show once as a QR code
/// let totp = TOTP(secret: secret)
/// let url = totp.otpauthURL(issuer: "Bonafide", account: "ada@example.com")
/// // At sign-in:
/// if let counter = totp.matchingCounter(typed, at: Date()), counter > lastUsedCounter {
///     lastUsedCounter = counter                  // persist before accepting, so the code cannot be replayed
/// }
/// ```
public struct TOTP: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha512 = "SHA512"
    }

    public let secret: [UInt8]
    public let digits: Int
    public let period: Int
    public let algorithm: Algorithm

    /// 160 bits: the length RFC 4226 recommends (the size of an HMAC-SHA1 output) and the one apps expect.
    public static func generateSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `digits` is 6...8 because authenticator apps show no other lengths and fewer than 6 is guessable.
    public init(secret: [UInt8], digits: Int = 6, period: Int = 30, algorithm: Algorithm = .sha1) {
        precondition((6...8).contains(digits), "TOTP codes have 6 to 8 digits")
        precondition(period > 0, "A TOTP period is a positive number of seconds")
        self.secret = secret
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    /// The time step containing `date`; floor, not truncation, so times before 1970 step consistently.
    public func counter(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    public func code(at date: Date) -> String { code(counter: counter(at: date)) }

    /// The HOTP value for one time step, zero-padded to `digits`.
    public func code(counter: Int64) -> String {
        let message = withUnsafeBytes(of: UInt64(bitPattern: counter).bigEndian) { Array($0) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8] =
            switch algorithm {
            case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
            case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
            }
        // RFC 4226 §5.3 dynamic truncation.
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            UInt32(mac[offset] & 0x7f) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The time step whose code `code` is, within `window` steps either side of `date` (clock drift and the
    /// seconds a person takes to type), or nil. Spaces are ignored because apps display "123 456".
    ///
    /// The caller must store the returned counter and refuse any later sign-in whose counter is not greater:
    /// otherwise a code seen over a shoulder or in a log works again for the rest of its window.
    public func matchingCounter(_ code: String, at date: Date, window: Int = 1) -> Int64? {
        let typed = Array(code.utf8.filter { $0 != UInt8(ascii: " ") })
        guard typed.count == digits, typed.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        let now = counter(at: date)
        let window = max(0, window)
        var match: Int64?
        // Every candidate is computed and compared in full, so the time taken says nothing about which one, or
        // how much of one, matched. The current step is tried first so that it wins a (1-in-a-million) tie.
        var offsets = [0]
        if window > 0 {
            for step in 1...window { offsets += [-step, step] }
        }
        for offset in offsets {
            let candidate = now + Int64(offset)
            guard candidate >= 0 else { continue }
            if constantTimeEqual(Array(self.code(counter: candidate).utf8), typed), match == nil { match = candidate }
        }
        return match
    }

    /// The Key URI Format that authenticator apps read from a QR code. The issuer appears both as the label
    /// prefix (older apps) and as a parameter (newer apps, which prefer it).
    public func otpauthURL(issuer: String, account: String) -> String {
        let label = Self.percentEncode(issuer) + ":" + Self.percentEncode(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(Self.percentEncode(issuer))"
            + "&algorithm=\(algorithm.rawValue)&digits=\(digits)&period=\(period)"
    }

    /// RFC 3986 unreserved characters pass; everything else, including ":", "@", "&" and space, is escaped so a
    /// name cannot split the label or inject a parameter.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }
}
