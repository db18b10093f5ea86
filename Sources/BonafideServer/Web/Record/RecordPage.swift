import BonafideCore
import Fluent
import Foundation
import Vapor

/// A partnership's record, the technical view: the checkpoint and whether its signature verifies and its root rebuilds
/// from the entries, who witnesses with which key, every cosigned checkpoint, and the entries newest first, paged.
struct RecordPage: Sendable {
    /// Entries shown per page.
    static let pageSize = 50
    /// Above this size the page does not rebuild the root from every entry on each view.
    static let rebuildLimit: UInt64 = 20_000

    struct Witness: Sendable {
        var name: String
        var keyName: String?
        var latest: (size: UInt64, at: String, keyName: String, matchesLog: Bool)?
    }

    struct CosignedCheckpoint: Sendable {
        enum State: Sendable { case verified, oneSide, conflict }
        var size: UInt64
        var state: State
        var cosigners: String
    }

    struct Entry: Sendable {
        var index: UInt64
        var summary: String
        var reason: String?
        var at: String
        var who: String
        var type: String
        var witnessed: Bool
    }

    var partnershipName: String
    var partnershipLink: String
    var partnershipID: String
    var size: UInt64
    var root: String
    var signer: String
    var signatureVerifies: Bool
    /// Whether the root rebuilt from the entries matches; nil above the rebuild limit.
    var rebuiltMatches: Bool?
    var witnessedSize: UInt64?
    var witnesses: [Witness]
    var checkpoints: [CosignedCheckpoint]
    var conflicts: Int
    var entries: [Entry]
    var olderLink: String?
    /// The indexes of this page that could not be read: the stored log is damaged there.
    var unreadable: [ClosedRange<UInt64>] = []

    static func load(_ p: Partnership, for actor: Actor, before: UInt64?, app: Application, on db: any Database) async throws -> Self {
        let id = try p.requireID()
        let clock = Clock(actor.user.timeZone)
        let status = try await Witnessing.status(of: p, app: app, on: db)
        let head = status.head
        let (window, entries) = try await Ledger.newestEntries(
            of: id, before: before.map { min($0, head.size) }, limit: pageSize, on: db)
        let names = try await WebPages.actorNames(entries, on: db)
        let witnessedSize = status.witnessed?.checkpoint.size
        let log = app.ledgerSigner
        let checkpoint = try Ledger.checkpoint(of: id, head: head, app: app)
        let rebuilt = head.size <= rebuildLimit ? try await Ledger.rootFromEntries(of: id, size: head.size, on: db) == head.root : nil
        let orgName = Dictionary(status.sides.map { ($0.organization, $0.name) }, uniquingKeysWith: { a, _ in a })
        func at(_ seconds: UInt64) -> String { clock.format(Date(timeIntervalSince1970: TimeInterval(seconds))) }
        return RecordPage(
            partnershipName: p.name, partnershipLink: SiteURL.partnership(p.id), partnershipID: id.apiString,
            size: head.size, root: Data(head.root).base64EncodedString(), signer: log.verifier.encoded,
            signatureVerifies: checkpoint.verified(by: log.verifier), rebuiltMatches: rebuilt, witnessedSize: witnessedSize,
            witnesses: status.sides.map { side in
                Witness(
                    name: side.name, keyName: side.key?.name,
                    latest: side.latest.map { ($0.size, at($0.time), $0.key.name, side.latestMatchesLog) })
            },
            checkpoints: status.bySize.prefix(20).map { group in
                let everyone = Set(group.cosigners.map(\.organization)).isSuperset(of: status.sides.map(\.organization))
                return CosignedCheckpoint(
                    size: group.size, state: !group.matchesLog ? .conflict : everyone ? .verified : .oneSide,
                    cosigners: group.cosigners.map { c in "\(orgName[c.organization] ?? "?") (key \(c.key.name), \(at(c.time)))" }
                        .joined(separator: ", "))
            },
            conflicts: status.conflicts.count,
            entries: entries.map { e in
                Entry(
                    index: e.index, summary: e.entry.payload["summary"] ?? e.entry.type, reason: e.entry.payload["reason"],
                    at: e.entry.date.map { clock.format($0) } ?? e.entry.time, who: e.entry.actor.flatMap { names[$0] } ?? "Bonafide",
                    type: e.entry.type, witnessed: witnessedSize.map { e.index < $0 } ?? false)
            },
            // From the window, not the oldest entry read: a page inside a damaged stretch still leads past it.
            olderLink: window.lowerBound > 0 ? SiteURL.record(p.id, before: window.lowerBound) : nil,
            unreadable: Ledger.gaps(in: window, read: entries.map { $0.index }))
    }

    func render() -> HTML {
        let conflictBanner: HTML =
            conflicts == 0
            ? ""
            : """
            <div class="flash error" id="conflict" role="alert"><strong>History conflict.</strong> \(String(conflicts)) cosigned \
            checkpoint\(conflicts == 1 ? " no longer matches" : "s no longer match") this log: entries were changed after partners cosigned them. \
            Partners' receipts exported before the change still prove what was recorded.</div>
            """
        let rebuilt: HTML =
            switch rebuiltMatches {
            case true?: "<span class=\"status s-verified\" id=\"rebuild-state\">matches</span>"
            case false?: "<span class=\"status s-conflict\" id=\"rebuild-state\">DOES NOT MATCH</span>"
            case nil: "<span class=\"muted\">not rebuilt here above \(String(Self.rebuildLimit)) entries</span>"
            }
        let witnessedText: HTML =
            witnessedSize.map {
                "<span class=\"status s-verified\" id=\"witnessed-state\">verified</span> the newest checkpoint every partner cosigned covers the first <strong id=\"witnessed-size\">\(String($0))</strong> entries"
            }
            ?? "<span class=\"status s-pending\" id=\"witnessed-state\">not yet witnessed</span> no checkpoint is cosigned by every partner yet"
        let sides = witnesses.map { w in
            let key: HTML =
                w.keyName.map { "<code class=\"small\">\($0)</code>" } ?? "<span class=\"muted\">no witness key registered</span>"
            let latest: HTML =
                w.latest.map { c in
                    "cosigned size \(String(c.size)) on \(c.at) with key <code class=\"small\">\(c.keyName)</code>\(c.matchesLog ? "" : HTML(" <span class=\"status s-conflict\">no longer matches the log</span>"))"
                } ?? "<span class=\"muted\">has not cosigned yet</span>"
            return HTML("<tr><td>\(w.name)</td><td>\(key)</td><td>\(latest)</td></tr>")
        }
        let cosigned = checkpoints.map { c in
            let state: HTML =
                switch c.state {
                case .conflict: "<span class=\"status s-conflict\">conflict: the log was rewritten</span>"
                case .verified: "<span class=\"status s-verified\">verified: every partner cosigned</span>"
                case .oneSide: "<span class=\"status s-pending\">cosigned by one side</span>"
                }
            return HTML(
                "<tr class=\"checkpoint\" data-size=\"\(String(c.size))\"><td>\(String(c.size))</td><td>\(state)</td><td>\(c.cosigners)</td></tr>"
            )
        }
        let oneEntry = unreadable.count == 1 && unreadable[0].lowerBound == unreadable[0].upperBound
        let damage: HTML =
            unreadable.isEmpty
            ? ""
            : """
            <div class="flash error" id="unreadable-entries" role="alert"><strong>Damaged log.</strong> \
            \(oneEntry ? "Entry" : "Entries") \
            \(Ledger.describe(unreadable)) of the log could not be read: the stored log is damaged.</div>
            """
        let lines = entries.map { e in
            let mark: HTML =
                e.witnessed
                ? "<span class=\"status s-verified\" title=\"In a checkpoint every partner cosigned\">witnessed</span>"
                : "<span class=\"status s-pending\" title=\"Not yet in a checkpoint every partner cosigned\">not yet witnessed</span>"
            return HTML(
                """
                <li id="entry-\(String(e.index))"><span class="muted small">#\(String(e.index))</span> \(e.summary)\(e.reason.map { HTML(": <em>\($0)</em>") } ?? "") \(mark)\
                <div class="small muted">\(e.at) · \(e.who) · <code>\(e.type)</code></div></li>
                """)
        }
        return """
            <p class="small"><a href="\(partnershipLink)">← \(partnershipName)</a></p>
            <h1>Record of \(partnershipName)</h1>
            \(conflictBanner)
            <section class="card"><h2>Checkpoint</h2>
            <p><strong id="log-size">\(String(size))</strong> entries; root <code>\(root)</code></p>
            <p>Signed by <code>\(signer)</code>: \(signatureVerifies ? HTML("<span class=\"status s-verified\">signature verifies</span>") : HTML("<span class=\"status s-conflict\">signature fails</span>")); \
            root rebuilt from the entries: \(rebuilt)</p>
            <p>\(witnessedText).</p>
            <p class="small muted">Partners cosign with <code>bonafide ledger sync</code>, which first checks the log extends what they saw; \
            <code>bonafide ledger export \(partnershipID)</code> writes a receipt anyone can check offline.</p></section>
            <section class="card"><h2>Witnesses</h2><table><thead><tr><th>Organization</th><th>Key</th><th>Newest cosignature</th></tr></thead>
            <tbody>\(HTML.join(sides))</tbody></table></section>
            <section class="card"><h2>Cosigned checkpoints</h2>\(checkpoints.isEmpty ? HTML("<p class=\"muted\">None yet.</p>") : HTML("<table><thead><tr><th>Size</th><th>State</th><th>Cosigned by</th></tr></thead><tbody>\(HTML.join(cosigned))</tbody></table>"))</section>
            <section class="card"><h2>Entries, newest first</h2>\(damage)<ol class="timeline" id="log-entries">\(HTML.join(lines))</ol>\(olderLink.map { HTML("<a class=\"button secondary\" href=\"\($0)\">Older entries</a>") } ?? "")</section>
            """
    }
}
