import BonafideCore
import Foundation
import Vapor

/// What someone without an account sees at a share link: the page fetches the encrypted file and decrypts it here,
/// with the key in the address after "#", which the browser never sends. The server knows only whether the link
/// still works. A pure view of its model.
struct SharedDocumentPage: Sendable {
    var linkID: UUID
    /// Why the link no longer works, or nil while it does.
    var closed: String?

    static func load(_ req: Request) async throws -> SharedDocumentPage {
        guard let id = req.parameters.get("lid").flatMap(UUID.init(uuidString:)) else { throw Problem.notFound("link") }
        do {
            _ = try await Documents.openLink(id, on: req.db)
            return SharedDocumentPage(linkID: id, closed: nil)
        } catch let problem as Problem where problem.status == .gone {
            return SharedDocumentPage(linkID: id, closed: problem.detail)
        }
    }

    func render() -> HTML {
        let body: HTML =
            closed.map { HTML("<p class=\"error-text\" id=\"shared-closed\">\($0) Ask whoever sent it for a new link.</p>") }
                ?? """
                <div id="shared-app" aria-live="polite"><p class="muted">Decrypting needs JavaScript: the key never leaves this page.</p></div>
                <script src="\(SiteURL.asset("vault.js"))" defer></script><script src="\(SiteURL.asset("vault-ui.js"))" defer></script>
                """
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>A shared document · Bonafide</title><style>\(HTML(raw: Layout.css))</style></head>
            <body><header><span class="brand">Bonafide</span></header>
            <main id="main"><section class="card" id="shared-document" data-link="\(linkID.apiString)">
            <h1>A document shared with you</h1>
            <p class="muted small">It was encrypted before it was uploaded; it is decrypted here, in your browser, with the key in this
            link. Bonafide cannot read it.</p>
            \(body)</section></main></body></html>
            """
    }
}
