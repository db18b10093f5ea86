import Crypto
import Foundation

/// Single-use codes that let someone who lost their second factor back into their account.
///
/// ```swift
/// let codes = RecoveryCodes.generate()            // show once: ["7kx3-m9qp-2hrt", ...]
/// let stored = codes.map(RecoveryCodes.hash)      // keep only these
/// // At sign-in:
/// if let used = RecoveryCodes.index(of: typed, in: stored) { remove stored[used] before accepting }
/// ```
///
/// The server stores only SHA-256 of each normalized code. A fast, unsalted hash is enough because each code
/// carries about 59 random bits: unlike a password there is no dictionary to try, and 2^59 guesses per code are
/// out of reach.
public enum RecoveryCodes {
    /// Lower-case letters and digits without 0/o, 1/l/i, which people misread when copying from paper.
    public static let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyz")
    public static let groups = 3
    public static let groupLength = 4

    /// 12 symbols from 31: log2(31) * 12 ≈ 59.4 bits.
    public static var bitsPerCode: Double { Double(groups * groupLength) * log2(Double(alphabet.count)) }

    public static func generate(count: Int = 10) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            (0..<groups).map { _ in String((0..<groupLength).map { _ in alphabet.randomElement(using: &generator)! }) }
                .joined(separator: "-")
        }
    }

    /// Lower-cased, with spaces and dashes (including the typographic ones phones substitute) removed, so
    /// "7KX3 M9QP 2HRT" and "7kx3–m9qp–2hrt" are the same code.
    public static func normalize(_ code: String) -> String {
        let dashes: Set<Character> = ["-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}"]
        return String(code.lowercased().filter { !$0.isWhitespace && !dashes.contains($0) })
    }

    /// Lower-case hex SHA-256 of the normalized code: what the server stores.
    public static func hash(_ code: String) -> String {
        Hex.encode(SHA256.hash(data: Array(normalize(code).utf8)))
    }

    /// Which stored hash `code` matches, if any. Every entry is compared in full so timing does not tell which.
    public static func index(of code: String, in hashes: [String]) -> Int? {
        let candidate = Array(hash(code).utf8)
        var found: Int?
        for (i, stored) in hashes.enumerated() where constantTimeEqual(Array(stored.utf8), candidate) && found == nil {
            found = i
        }
        return found
    }
}
