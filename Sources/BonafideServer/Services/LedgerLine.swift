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
    static func newest(of partnershipID: UUID, limit: Int, on db: any SQLDatabase) async throws -> [LedgerLine] {
        let rows = try await db.raw(
            "SELECT entry FROM ledger_leaves WHERE partnership_id = \(bind: partnershipID) ORDER BY idx DESC LIMIT \(bind: limit)"
        ).all()
        let decoder = JSONDecoder()
        var lines: [LedgerLine] = []
        for row in rows {
            let entry = try row.decode(column: "entry", as: String.self)
            if let line = try? decoder.decode(LedgerLine.self, from: Data(entry.utf8)) { lines.append(line) }
        }
        return lines
    }
}
