import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

extension WebPages {
    /// Entries on a partnership's page; the record page has them all.
    static let timelineLength = 12

    /// One log entry in plain words for the partnership page, in the viewer's time zone: "Carla Diaz · Tue 3 Dec, 14:02".
    /// The record page keeps the technical view (index, event type, witnessing per entry).
    static func plainLine(_ entry: LedgerLine, names: [String: String], clock: Clock) -> HTML {
        let who = entry.actor.flatMap { names[$0] } ?? "Bonafide"
        let when = entry.date.map { clock.format($0, "EEE d MMM, HH:mm") } ?? entry.time
        let reason: HTML = entry.reason.map { HTML(": <em>\($0)</em>") } ?? ""
        return """
            <li>\(entry.summary ?? plainWords(entry.type))\(reason)<div class="small muted">\(who) · \(when)</div></li>
            """
    }

    /// "incident.handledOpenly" → "Incident handled openly", for an entry that carries no summary of its own.
    static func plainWords(_ type: String) -> String {
        var words = ""
        for c in type.replacingOccurrences(of: ".", with: " ") {
            if c.isUppercase { words += " " + c.lowercased() } else { words.append(c) }
        }
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func actorNames(_ entries: [(index: UInt64, entry: LedgerEntry)], on db: any Database) async throws -> [String: String] {
        try await actorNames(of: entries.map(\.entry.actor), on: db)
    }

    /// The names of the people among `actors` (entries' actor fields), keyed as the entries write them; only the
    /// names are read, in one plain query.
    static func actorNames(of actors: [String?], on db: any Database) async throws -> [String: String] {
        let ids = Set(actors.compactMap { $0.flatMap(UUID.init(uuidString:)) })
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.sql().raw("SELECT id, name FROM users WHERE id IN \(SQLBind.group(Array(ids)))").all()
        let names = try rows.map { row in
            (try row.decodeUUID(column: "id").uuidString.lowercased(), try row.decode(column: "name", as: String.self))
        }
        return Dictionary(names, uniquingKeysWith: { a, _ in a })
    }

    static func record(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let before = try? req.query.get(UInt64.self, at: "before")
        let model = try await RecordPage.load(p, for: actor, before: before, app: req.application, on: req.db)
        return try await page(req, "Record · \(p.name)", model.render())
    }
}
