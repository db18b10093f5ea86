import BonafideCore
import Foundation
import Vapor

/// Documents other organizations shared with yours through their circles, on the organization page. Names are
/// encrypted: `vault-ui.js` shows them and downloads once the vault is unlocked. A pure view of its model.
struct SharedWithUsCard: Sendable {
    struct Row: Sendable {
        var id: UUID
        var number: Int
        var size: Int64
        var from: String
        var sharedAt: Date
    }

    var rows: [Row]

    static func load(_ req: Request, for actor: Actor) async throws -> SharedWithUsCard {
        SharedWithUsCard(
            rows: try await DocumentShares.sharedWith(actor, on: req.db).map { share, d, from in
                Row(
                    id: d.id!, number: d.number, size: Int64(share.header.count) + d.size - Int64(d.header.count), from: from.name,
                    sharedAt: share.createdAt)
            })
    }

    func render(clock: Clock) -> HTML {
        let rows = HTML.join(
            rows.map { r in
                HTML(
                    """
                    <tr data-document="\(r.id.apiString)"><td class="doc-name">Document \(String(r.number))</td>\
                    <td>\(Documents.describe(size: r.size))</td><td>\(r.from), \(clock.format(r.sharedAt, "EEE d MMM, HH:mm"))</td><td class="doc-actions"></td></tr>
                    """)
            })
        return """
            <section class="card" id="shared-with-us"><h2>Shared with you</h2>
            <p class="muted small">Confidential documents organizations shared with yours because you are in their circles. Unlock the vault
            above to see their names and open them; access ends if they take you out of the circle.</p>
            \(self.rows.isEmpty ? HTML("<p class=\"muted\" id=\"no-shared-documents\">Nothing shared with you yet.</p>") : HTML("<table id=\"shared-with-us-table\"><thead><tr><th>Document</th><th>Size</th><th>From</th><th><span class=\"small muted\">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>"))
            </section>
            """
    }
}
