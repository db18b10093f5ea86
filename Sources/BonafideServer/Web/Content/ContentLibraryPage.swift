import BonafideCore
import Foundation
import Vapor

/// An organization's guides, videos, whitepapers and articles that the viewer may read, pinned first, then the
/// newest: each with what it is and where it leads. Open without signing in for public ones; a visitor who may read
/// none is asked to sign in, whether or not the organization exists. A pure view of its model.
struct ContentLibraryPage: Sendable {
    var organizationID: UUID
    var organizationName: String
    var entries: [ProfileContent.Entry]
    /// Someone signed in: the organization's name leads to its profile.
    var signedIn: Bool
    /// The viewer runs the organization: a link to change the list.
    var manage: Bool
    var clock: Clock

    static func load(_ req: Request, for viewer: Actor?) async throws -> Self {
        guard let id = WebPages.uuid(req, "oid"), let organization = try await Organization.find(id, on: req.db) else {
            throw Problem.notFound("organization")
        }
        let entries = try await ProfileContent.visible(of: organization, to: viewer, on: req.db)
        // A visitor is told the same of an organization that does not exist and of one that shows them nothing.
        if viewer == nil, entries.isEmpty { throw Problem.notFound("organization") }
        return ContentLibraryPage(
            organizationID: id, organizationName: organization.name, entries: entries, signedIn: viewer != nil,
            manage: viewer.map { $0.organizationID == id && Policy.canManage($0) } ?? false, clock: Clock(viewer?.user.timeZone))
    }

    func render() -> HTML {
        let from: HTML =
            signedIn ? "<a href=\"\(SiteURL.organization(organizationID))\">\(organizationName)</a>" : "\(organizationName)"
        let empty = EmptyState(
            icon: .document, title: "Nothing to show yet.",
            text: "Guides, videos, whitepapers and articles \(organizationName) shares with you will be listed here.",
            action: manage ? ("Add the first one", SiteURL.newContentSection) : nil, id: "content-empty"
        ).render()
        let items = HTML.join(entries.map { Self.item($0, clock: clock) })
        let list: HTML = entries.isEmpty ? empty : "<ul class=\"content-items\">\(items)</ul>"
        let change: HTML =
            manage && !entries.isEmpty ? "<p class=\"small\"><a href=\"\(SiteURL.ownContent())\">Change this list</a></p>" : ""
        return """
            <h1>Guides and resources</h1>
            <p class="muted">From \(from): each shown to the audience \(organizationName) chose.</p>
            <section class="card" id="content-library">\(list)</section>\(change)
            """
    }

    /// One item in a list: what it is, its title (to its page), when, pinned or not, its description and where it leads.
    static func item(_ e: ProfileContent.Entry, clock: Clock) -> HTML {
        let pinned: HTML = e.pinned ? " <span class=\"small muted\">· Pinned</span>" : ""
        let summary: HTML = e.summary.isEmpty ? "" : "<div class=\"small\">\(e.summary)</div>"
        return """
            <li data-content="\(Access.key(e.id))"><span class="small muted">\(e.kind.label)</span> \
            <a href="\(SiteURL.contentItem(e.id))">\(e.title)</a> <span class="small muted">\(clock.format(e.publishedAt, "d MMM yyyy"))</span>\
            \(pinned)\(summary)\(ContentItemPage.access(e))</li>
            """
    }
}
