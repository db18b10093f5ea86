import BonafideCore
import Foundation
import SQLKit

/// What the partnership page shows of a log entry in plain words: its type, actor, time, and the payload's summary and
/// reason. Decoding the whole `LedgerEntry` built every payload's dictionary for these; only the fields shown are
/// decoded here. An entry of another format or missing a field is left out, as `LedgerEntry(canonical:)` would refuse
/// it; a payload value that is not a string, which that would refuse too, is not looked at unless it is the summary or
/// reason (the server only ever writes string values).
struct LedgerLine: Decodable, Sendable, Equatable {
    var type: String
    var actor: String?
    var time: String
    var summary: String?
    var reason: String?

    private enum CodingKeys: String, CodingKey {
        case format, partnership, type, actor, time, payload
    }

    private enum PayloadKeys: String, CodingKey {
        case summary, reason
    }

    init(type: String, actor: String?, time: String, summary: String?, reason: String?) {
        self.type = type
        self.actor = actor
        self.time = time
        self.summary = summary
        self.reason = reason
    }

    /// The same line of an entry decoded in full.
    init(_ entry: LedgerEntry) {
        self.init(
            type: entry.type, actor: entry.actor, time: entry.time, summary: entry.payload["summary"], reason: entry.payload["reason"])
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(String.self, forKey: .format)
        guard format == LedgerEntry.version else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown entry format \(format)"))
        }
        _ = try container.decode(String.self, forKey: .partnership)
        type = try container.decode(String.self, forKey: .type)
        actor = try container.decodeIfPresent(String.self, forKey: .actor)
        time = try container.decode(String.self, forKey: .time)
        let payload = try container.nestedContainer(keyedBy: PayloadKeys.self, forKey: .payload)
        summary = try payload.decodeIfPresent(String.self, forKey: .summary)
        reason = try payload.decodeIfPresent(String.self, forKey: .reason)
    }

    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `time` as a date, as `LedgerEntry.date` reads it.
    var date: Date? { try? Self.timeStyle.parse(time) }

    /// The newest `limit` entries of a partnership's log, newest first, as lines.
    /// An entry that cannot be read (its bundle gone or not decoding, or the entry itself refused) is left out, so the
    /// timeline still shows; it is logged as an error, since nothing on the page says the list is incomplete (the
    /// record page names such entries).
    static func newest(of partnershipID: UUID, limit: Int, on db: any SQLDatabase) async throws -> [LedgerLine] {
        let size = try await Ledger.size(of: partnershipID, on: db)
        let window = size - min(size, UInt64(max(limit, 0)))..<size
        let rows = try await Ledger.storedEntries(
            of: partnershipID, from: window.lowerBound, to: window.upperBound, unreadable: .skip, on: db)
        var lines: [LedgerLine] = []
        var read: [UInt64] = []
        for row in rows.reversed() {
            let entry = row.entry
            let line: LedgerLine?
            switch scan(entry) {
            case .line(let scanned): line = scanned
            case .refused: line = nil
            case .notScanned: line = try? JSONDecoder().decode(LedgerLine.self, from: Data(entry.utf8))
            }
            guard let line else { continue }
            lines.append(line)
            read.append(row.index)
        }
        let gaps = Ledger.gaps(in: window, read: read)
        if !gaps.isEmpty {
            db.logger.error(
                "Entries \(Ledger.describe(gaps)) of the log of partnership \(partnershipID.uuidString) could not be read: the stored log is damaged."
            )
        }
        return lines
    }

    enum Scan: Equatable {
        case line(LedgerLine)
        /// What `init(from:)` refuses too.
        case refused
        /// JSON other than an object of strings with objects of strings in it: left to `JSONDecoder`.
        case notScanned
    }

    /// The line of an entry read without `JSONDecoder`, which set up a decoder and its containers for every entry of
    /// every partnership page. The server writes entries as objects of strings with one object of strings in them
    /// (the payload); only such JSON is read here, strictly (any escape JSON has, whitespace between tokens, no repeated
    /// key), and anything else is `.notScanned`, so what is read is what `init(from:)` reads.
    static func scan(_ entry: String) -> Scan {
        var entry = entry
        let fields: [String: JSONScanner.Value]? = entry.withUTF8 { bytes in
            var scanner = JSONScanner(bytes: bytes)
            guard let fields = scanner.object(nested: true), scanner.atEnd() else { return nil }
            return fields
        }
        guard let fields else { return .notScanned }
        func string(_ key: String) -> String? {
            if case .some(.string(let value)) = fields[key] { return value }
            return nil
        }
        guard string("format") == LedgerEntry.version, string("partnership") != nil, let type = string("type"),
            let time = string("time"), case .some(.object(let payload)) = fields["payload"]
        else { return .refused }
        let actor: String?
        switch fields["actor"] {
        case .none: actor = nil
        case .some(.string(let value)): actor = value
        case .some(.object): return .refused
        }
        return .line(LedgerLine(type: type, actor: actor, time: time, summary: payload["summary"], reason: payload["reason"]))
    }
}

/// A strict reader of JSON objects whose values are strings or (one level down) objects of strings; nil for
/// anything else, including a key given twice.
private struct JSONScanner {
    enum Value {
        case string(String)
        case object([String: String])
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return at == bytes.count
    }

    /// An object at `at`; its values may be objects of strings when `nested`.
    mutating func object(nested: Bool) -> [String: Value]? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var fields: [String: Value] = [:]
        if take(UInt8(ascii: "}")) { return fields }
        repeat {
            skipSpace()
            guard let key = string(), take(UInt8(ascii: ":")), fields[key] == nil else { return nil }
            skipSpace()
            guard at < bytes.count else { return nil }
            if bytes[at] == UInt8(ascii: "\"") {
                guard let value = string() else { return nil }
                fields[key] = .string(value)
            } else if nested, bytes[at] == UInt8(ascii: "{"), let inner = object(nested: false) {
                var strings: [String: String] = [:]
                for (innerKey, innerValue) in inner {
                    guard case .string(let value) = innerValue else { return nil }
                    strings[innerKey] = value
                }
                fields[key] = .object(strings)
            } else {
                return nil
            }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}")) ? fields : nil
    }

    /// A string at `at`, its escapes read.
    mutating func string() -> String? {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        at += 1
        let start = at
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
        guard at < bytes.count else { return nil }
        if bytes[at] == UInt8(ascii: "\"") {
            at += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(at - 1)]), as: UTF8.self)
        }
        var text = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: text, as: UTF8.self) }
            guard byte >= 0x20 else { return nil }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                continue
            }
            guard at < bytes.count else { return nil }
            let escaped = bytes[at]
            at += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex() else { return nil }
                var code = unit
                if (0xD800...0xDBFF).contains(unit) {
                    // A character beyond the first plane: the low half must follow as another escape.
                    guard at + 2 <= bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { return nil }
                    at += 2
                    guard let low = hex(), (0xDC00...0xDFFF).contains(low) else { return nil }
                    code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                UTF8.encode(scalar) { text.append($0) }
            default: return nil
            }
        }
        return nil
    }

    /// Four hexadecimal digits at `at`.
    private mutating func hex() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }
}
