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

    static let damagedLogReports = LogThrottle(every: .seconds(600))

    /// The newest `limit` entries of a partnership's log, newest first, as lines.
    /// An entry that cannot be read (its bundle gone or not decoding, or the entry itself refused) is left out, so the
    /// timeline still shows; it is logged as an error, since nothing on the page says the list is incomplete (the
    /// record page names such entries), once per log every `damagedLogReports` interval: each view would repeat it.
    static func newest(of partnershipID: UUID, limit: Int, on db: any SQLDatabase) async throws -> [LedgerLine] {
        let size = try await Ledger.size(of: partnershipID, on: db)
        let window = size - min(size, UInt64(max(limit, 0)))..<size
        let rows = try await Ledger.storedEntries(
            of: partnershipID, from: window.lowerBound, to: window.upperBound, unreadable: .skip, on: db)
        var lines: [LedgerLine] = []
        var read: [UInt64] = []
        for row in rows.reversed() {
            guard let line = line(of: row.entry) else { continue }
            lines.append(line)
            read.append(row.index)
        }
        let gaps = Ledger.gaps(in: window, read: read)
        if !gaps.isEmpty, damagedLogReports.allows(partnershipID.uuidString) {
            db.logger.error(
                "Entries \(Ledger.describe(gaps)) of the log of partnership \(partnershipID.uuidString) could not be read: the stored log is damaged."
            )
        }
        return lines
    }

    /// The line an entry's text reads as, nil when it does not. An entry never changes once appended and every view of
    /// a partnership page reads its newest again, so lines are kept by their text (`read`): reading them was a twelfth
    /// of the page.
    static func line(of entry: String) -> LedgerLine? {
        read.value(of: TextKey(entry)) { key in
            let entry = key.text
            return switch scan(entry) {
            case .line(let scanned): scanned
            case .refused: nil
            case .notScanned: try? JSONDecoder().decode(LedgerLine.self, from: Data(entry.utf8))
            }
        }
    }

    /// Entries of many partnerships are read, and a page shows a partnership's newest, so old ones stop coming: when
    /// full it starts over.
    private static let read = BoundedMemo<TextKey, LedgerLine>(maxEntries: 8192, maxBytes: 16 << 20, whenFull: .startOver) { entry, _ in
        2 * entry.text.utf8.count
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
