import Crypto
import Foundation

/// One entry of a partnership's log, in its canonical encoding `bonafide-entry/v1`:
/// UTF-8 JSON, keys sorted, no insignificant whitespace, slashes unescaped, times as RFC 3339 UTC with
/// milliseconds, absent values omitted. The leaf hash is computed over exactly these bytes, so any
/// verifier can re-encode an entry from its fields and check it.
public struct LedgerEntry: Codable, Sendable, Equatable {
    public static let version = "bonafide-entry/v1"

    public var format: String
    public var partnership: String
    public var type: String
    public var actor: String?
    public var time: String
    public var payload: [String: String]

    public init(partnership: UUID, type: String, actor: UUID?, time: Date, payload: [String: String]) {
        self.format = Self.version
        self.partnership = partnership.uuidString.lowercased()
        self.type = type
        self.actor = actor?.uuidString.lowercased()
        self.time = Self.timeStyle.format(time)
        self.payload = payload
    }

    static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `time` as a date; nil only for an entry that was not encoded by this type.
    public var date: Date? { try? Self.timeStyle.parse(time) }

    public var canonical: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and a string dictionary cannot fail.
        return Array(try! encoder.encode(self))
    }

    public init(canonical bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(LedgerEntry.self, from: Data(bytes))
        guard format == Self.version else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown entry format \(format)"))
        }
    }

    public static func sha256Hex(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}
