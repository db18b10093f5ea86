import BonafideCore
import Foundation
import Vapor

/// The person's organization's guides and resources, each with who sees it, and for owners and admins the form to add
/// one and a way to change each. Loaded through `ProfileContent`; `render` is a pure view.
struct OwnContentPage: Sendable {
    var organizationID: UUID
    var entries: [ProfileContent.Entry]
    /// For owners and admins: empty, or refused as typed. Nil for everyone else.
    var form: ContentForm?
    var clock: Clock

    static func load(_ req: Request, for actor: Actor, form: ContentForm? = nil) async throws -> Self {
        guard let organization = try await Organization.find(actor.organizationID, on: req.db) else {
            throw Problem.notFound("organization")
        }
        var shown = form
        if shown == nil, Policy.canManage(actor) {
            shown = ContentForm(documents: try await ContentForm.documents(of: actor, on: req.db), csrf: req.csrfToken)
        }
        return OwnContentPage(
            organizationID: actor.organizationID, entries: try await ProfileContent.visible(of: organization, to: actor, on: req.db),
            form: shown, clock: Clock(actor.user.timeZone))
    }

    func render() -> HTML {
        let rows = HTML.join(
            entries.map { e in
                let change: HTML = form == nil ? "" : "<a href=\"\(SiteURL.contentEdit(e.id))\">Change</a>"
                return HTML(
                    """
                    <tr data-content="\(Access.key(e.id))"><td><a href="\(SiteURL.contentItem(e.id))">\(e.title)</a></td><td>\(e.kind.label)</td>
                    <td>\(e.audience.label)</td><td>\(clock.format(e.publishedAt, "d MMM yyyy"))\(e.pinned ? " · pinned" : "")</td><td>\(change)</td></tr>
                    """)
            })
        let empty = EmptyState(
            icon: .document, title: "No guides or resources yet.",
            text:
                "Guides you write here, videos and articles elsewhere and whitepapers from your vault show on your profile, each to the audience you choose.",
            action: form == nil ? nil : ("Add the first one", "#new-content"), id: "own-content-empty"
        ).render()
        let table: HTML =
            entries.isEmpty
            ? empty
            : "<table><thead><tr><th>Title</th><th>Kind</th><th>Who sees it</th><th>Published</th><th><span class=\"visually-hidden\">Change</span></th></tr></thead><tbody>\(rows)</tbody></table>"
        return """
            <h1>Guides and resources</h1>
            <p class="muted">What your organization lists on <a href="\(SiteURL.contentCard(organizationID))">its profile</a>: pinned ones first, then the newest.</p>
            <section class="card" id="own-content">\(table)</section>
            \(form?.render() ?? "")
            """
    }
}
