import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The Documents card of a partnership page: each encrypted document with its size, uploader and sharing state, and
/// who accessed what and when. Names are encrypted, so the page script (`vault-ui.js`) shows them once the viewer
/// unlocks the vault in this browser, and does the encrypting, decrypting, sharing and links. A pure view of its model.
struct DocumentsCard: Sendable {
    struct Row: Sendable {
        var id: UUID
        var number: Int
        var size: Int64
        var uploadedBy: String
        var ours: Bool
        var createdAt: Date
        var state: String
    }

    struct Access: Sendable {
        var at: Date
        var summary: String
    }

    var partnershipID: UUID
    var organizationID: UUID
    var active: Bool
    var rows: [Row]
    var log: [Access]

    static func load(_ p: Partnership, for actor: Actor, on db: any Database) async throws -> DocumentsCard {
        let documents = try await Self.rows(of: p.id!, for: actor.organizationID, on: db)
        // Only the time and the words of each, column by column: the events were read as whole models for two fields,
        // then through `SQLRowDecoder`. By the partial index of document events (043), newest first.
        let log = try await db.sql().raw(logQuery(of: p.id!)).all().map { row in
            Access(at: try row.decode(column: "created_at", as: Date.self), summary: try row.decode(column: "summary", as: String.self))
        }
        return DocumentsCard(
            partnershipID: p.id!, organizationID: actor.organizationID, active: p.status == .active, rows: documents, log: log)
    }

    /// The statement of the card's access log (`QueryPlanTests` reads its plan).
    static func logQuery(of partnershipID: UUID) -> SQLQueryString {
        """
        SELECT created_at, summary FROM partnership_events
        WHERE partnership_id = \(bind: partnershipID) AND kind LIKE \(unsafeRaw: IndexDocumentEvents.documentKinds)
        ORDER BY created_at DESC
        LIMIT 30
        """
    }

    /// The partnership's documents, newest first, as the card shows them to `organization`'s people: one plain query
    /// joining each uploader's name, instead of the whole models (each with its sealed header) and their uploaders
    /// eager-loaded by a second query.
    static func rows(of partnershipID: UUID, for organization: UUID, at now: Date = Date(), on db: any Database) async throws
        -> [Row]
    {
        let rows = try await db.sql().raw(
            """
            SELECT d.id, d.number, d.size, d.organization_id, d.created_at, d.expires_at, d.max_downloads, d.downloads,
              d.revoked_at, u.name AS uploader_name
            FROM documents d LEFT JOIN users u ON u.id = d.uploaded_by_id
            WHERE d.partnership_id = \(bind: partnershipID)
            ORDER BY d.number DESC
            """
        ).all()
        return try rows.map { row in
            let revokedAt = try row.decodeIfPresent(column: "revoked_at", as: Date.self)
            let closed = try Documents.closedReason(
                revokedAt: revokedAt, expiresAt: row.decodeIfPresent(column: "expires_at", as: Date.self),
                maxDownloads: row.decodeIfPresent(column: "max_downloads", as: Int.self),
                downloads: row.decode(column: "downloads", as: Int.self), at: now)
            return try Row(
                id: row.decodeUUID(column: "id"), number: row.decode(column: "number", as: Int.self),
                size: row.decode(column: "size", as: Int64.self),
                uploadedBy: row.decodeIfPresent(column: "uploader_name", as: String.self) ?? "a former member",
                ours: row.decodeUUID(column: "organization_id") == organization,
                createdAt: row.decode(column: "created_at", as: Date.self),
                state: closed.map { _ in revokedAt != nil ? "revoked" : "expired" } ?? "shared")
        }
    }

    func render(csrf: String, clock: Clock) -> HTML {
        let rows = HTML.join(
            rows.map { r in
                HTML(
                    """
                    <tr data-document="\(r.id.apiString)"><td class="doc-name">Document \(String(r.number))</td>\
                    <td>\(Documents.describe(size: r.size))</td><td>\(r.uploadedBy)\(r.ours ? "" : " (partner)"), \(clock.format(r.createdAt, "EEE d MMM, HH:mm"))</td>\
                    <td>\(statusBadge(r.state))\(r.ours && active ? HTML("<br><a class=\"small\" href=\"\(SiteURL.newIncident(partnershipID, document: r.number))\">Partner lost control of it?</a>") : "")</td><td class="doc-actions"></td></tr>
                    """)
            })
        let table: HTML =
            self.rows.isEmpty
            ? "<p class=\"muted\" id=\"no-documents\">No documents yet.</p>"
            : "<table id=\"documents-table\"><thead><tr><th>Document</th><th>Size</th><th>Uploaded</th><th>Sharing</th><th><span class=\"small muted\">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>"
        let log = HTML.join(
            log.map { a in HTML("<li><span class=\"small muted\">\(clock.format(a.at, "EEE d MMM, HH:mm"))</span> \(a.summary)</li>") })
        return """
            <section class="card" id="documents" data-partnership="\(partnershipID.apiString)" data-organization="\(organizationID.apiString)" \
            data-csrf="\(csrf)" data-active="\(active ? "true" : "false")">
            <h2>Documents <span class="small muted">(end-to-end encrypted)</span></h2>
            <p class="muted small">Files are encrypted in your browser for both organizations' keys before they leave it; Bonafide stores only
            ciphertext and never sees names or contents. Every upload, download, revocation and link use is on the record.</p>
            <div id="vault-status" aria-live="polite"></div>
            \(table)
            <div id="documents-app"></div>
            <noscript><p class="risk">Encrypting and decrypting happen in this page: turn on JavaScript to upload or open documents, or use
            <code>bonafide vault upload</code> and <code>bonafide vault download</code>.</p></noscript>
            <h3>Who accessed what</h3>
            \(self.log.isEmpty ? HTML("<p class=\"muted small\" id=\"document-log\">Nothing yet.</p>") : HTML("<ol class=\"timeline\" id=\"document-log\">\(log)</ol>"))
            <script src="\(SiteURL.asset("vault.js"))" defer></script><script src="\(SiteURL.asset("vault-ui.js"))" defer></script>
            </section>
            """
    }
}
