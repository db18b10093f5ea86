import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    /// Entries shown per page of the record.
    static let recordPageSize = 50
    /// Above this size the page does not rebuild the root from every entry on each view.
    static let rebuildLimit: UInt64 = 20_000

    /// One log entry as a timeline line: what happened, why, who and when, and whether a checkpoint
    /// every partner cosigned already covers it.
    static func logLine(_ index: UInt64, _ entry: LedgerEntry, names: [String: String], witnessed: UInt64?, clock: Clock) -> HTML {
        let time = entry.date.map { clock.format($0) } ?? entry.time
        let who = entry.actor.flatMap { names[$0] } ?? "Bonafide"
        let mark: HTML =
            (witnessed.map { index < $0 } ?? false)
            ? "<span class=\"status s-verified\" title=\"In a checkpoint every partner cosigned\">witnessed</span>"
            : "<span class=\"status s-pending\" title=\"Not yet in a checkpoint every partner cosigned\">not yet witnessed</span>"
        let reason: HTML = entry.payload["reason"].map { HTML(": <em>\($0)</em>") } ?? ""
        return """
            <li id="entry-\(String(index))"><span class="muted small">#\(String(index))</span> \(entry.payload["summary"] ?? entry.type)\(reason) \(mark)\
            <div class="small muted">\(time) · \(who) · <code>\(entry.type)</code></div></li>
            """
    }

    /// Entries on a partnership's page; the record page has them all.
    static let timelineLength = 12

    /// One log entry in plain words for the partnership page, in the viewer's time zone: "Carla Diaz · Tue 3 Dec, 14:02".
    /// The record page keeps the technical view (index, event type, witnessing per entry).
    static func plainLine(_ entry: LedgerEntry, names: [String: String], clock: Clock) -> HTML {
        let who = entry.actor.flatMap { names[$0] } ?? "Bonafide"
        let when = entry.date.map { clock.format($0, "EEE d MMM, HH:mm") } ?? entry.time
        let reason: HTML = entry.payload["reason"].map { HTML(": <em>\($0)</em>") } ?? ""
        return """
            <li>\(entry.payload["summary"] ?? plainWords(entry.type))\(reason)<div class="small muted">\(who) · \(when)</div></li>
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
        let ids = Set(entries.compactMap { $0.entry.actor.flatMap(UUID.init(uuidString:)) })
        guard !ids.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ Array(ids)).all()
        return Dictionary(users.map { ($0.id!.uuidString.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func record(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let db = req.db
        let id = try p.requireID()
        let clock = Clock(actor.user.timeZone)
        let status = try await Witnessing.status(of: p, app: req.application, on: db)
        let head = status.head
        let before = (try? req.query.get(UInt64.self, at: "before")).map { min($0, head.size) }
        let entries = try await Ledger.newestEntries(of: id, before: before, limit: recordPageSize, on: db)
        let names = try await actorNames(entries, on: db)
        let witnessedSize = status.witnessed?.checkpoint.size

        let log = req.application.ledgerSigner
        let checkpoint = try Ledger.checkpoint(of: id, head: head, app: req.application)
        let signatureOK = checkpoint.verified(by: log.verifier)
        var rebuilt: HTML = "<span class=\"muted\">not rebuilt here above \(String(rebuildLimit)) entries</span>"
        if head.size <= rebuildLimit {
            let root = try await Ledger.rootFromEntries(of: id, size: head.size, on: db)
            rebuilt =
                root == head.root
                ? "<span class=\"status s-verified\" id=\"rebuild-state\">matches</span>"
                : "<span class=\"status s-conflict\" id=\"rebuild-state\">DOES NOT MATCH</span>"
        }
        let orgName = Dictionary(status.sides.map { ($0.organization, $0.name) }, uniquingKeysWith: { a, _ in a })
        let sides = HTML.join(
            status.sides.map { side in
                let key: HTML =
                    side.key.map { HTML("<code class=\"small\">\($0.name)</code>") }
                    ?? "<span class=\"muted\">no witness key registered</span>"
                let latest: HTML =
                    side.latest.map { c in
                        let when = clock.format(Date(timeIntervalSince1970: TimeInterval(c.time)))
                        let conflict: HTML =
                            side.latestMatchesLog ? "" : " <span class=\"status s-conflict\">no longer matches the log</span>"
                        return HTML(
                            "cosigned size \(String(c.size)) on \(when) with key <code class=\"small\">\(c.key.name)</code>\(conflict)")
                    } ?? "<span class=\"muted\">has not cosigned yet</span>"
                return "<tr><td>\(side.name)</td><td>\(key)</td><td>\(latest)</td></tr>"
            })
        let checkpoints = HTML.join(
            status.bySize.prefix(20).map { group in
                let who = group.cosigners.map { c in
                    "\(orgName[c.organization] ?? "?") (key \(c.key.name), \(clock.format(Date(timeIntervalSince1970: TimeInterval(c.time)))))"
                }.joined(separator: ", ")
                let all = Set(group.cosigners.map(\.organization)).isSuperset(of: status.sides.map(\.organization))
                let state: HTML =
                    !group.matchesLog
                    ? "<span class=\"status s-conflict\">conflict: the log was rewritten</span>"
                    : all
                        ? "<span class=\"status s-verified\">verified: every partner cosigned</span>"
                        : "<span class=\"status s-pending\">cosigned by one side</span>"
                return
                    "<tr class=\"checkpoint\" data-size=\"\(String(group.size))\"><td>\(String(group.size))</td><td>\(state)</td><td>\(who)</td></tr>"
            })
        let conflictBanner: HTML =
            status.conflicts.isEmpty
            ? ""
            : """
            <div class="flash error" id="conflict" role="alert"><strong>History conflict.</strong> \(String(status.conflicts.count)) cosigned \
            checkpoint\(status.conflicts.count == 1 ? "" : "s") no longer match this log: entries were changed after partners cosigned them. \
            Partners' receipts exported before the change still prove what was recorded.</div>
            """
        let older: HTML =
            (entries.last.map { $0.index > 0 } ?? false)
            ? "<a class=\"button secondary\" href=\"\(SiteURL.record(p.id, before: entries.last!.index))\">Older entries</a>" : ""
        let witnessedText: HTML =
            witnessedSize.map { size in
                HTML(
                    "<span class=\"status s-verified\" id=\"witnessed-state\">verified</span> the newest checkpoint every partner cosigned covers the first <strong id=\"witnessed-size\">\(String(size))</strong> entries"
                )
            }
            ?? "<span class=\"status s-pending\" id=\"witnessed-state\">not yet witnessed</span> no checkpoint is cosigned by every partner yet"
        return try await page(
            req, "Record · \(p.name)",
            """
            <p class="small"><a href="\(SiteURL.partnership(p.id))">← \(p.name)</a></p>
            <h1>Record of \(p.name)</h1>
            \(conflictBanner)
            <section class="card"><h2>Checkpoint</h2>
            <p><strong id="log-size">\(String(head.size))</strong> entries; root <code>\(Data(head.root).base64EncodedString())</code></p>
            <p>Signed by <code>\(log.verifier.encoded)</code>: \(signatureOK ? HTML("<span class=\"status s-verified\">signature verifies</span>") : HTML("<span class=\"status s-conflict\">signature fails</span>")); \
            root rebuilt from the entries: \(rebuilt)</p>
            <p>\(witnessedText).</p>
            <p class="small muted">Partners cosign with <code>bonafide ledger sync</code>, which first checks the log extends what they saw; \
            <code>bonafide ledger export \(p.id?.uuidString.lowercased() ?? "")</code> writes a receipt anyone can check offline.</p></section>
            <section class="card"><h2>Witnesses</h2><table><thead><tr><th>Organization</th><th>Key</th><th>Newest cosignature</th></tr></thead>
            <tbody>\(sides)</tbody></table></section>
            <section class="card"><h2>Cosigned checkpoints</h2>\(status.bySize.isEmpty ? HTML("<p class=\"muted\">None yet.</p>") : HTML("<table><thead><tr><th>Size</th><th>State</th><th>Cosigned by</th></tr></thead><tbody>\(checkpoints)</tbody></table>"))</section>
            <section class="card"><h2>Entries, newest first</h2><ol class="timeline" id="log-entries">\(HTML.join(entries.map { logLine($0.index, $0.entry, names: names, witnessed: witnessedSize, clock: clock) }))</ol>\(older)</section>
            """)
    }
}
