import BonafideCore
import Foundation
import Vapor

/// One update in full. Open without signing in when its audience is everyone, since the Atom feed and shared links
/// point here; otherwise only to those `Updates` lets read it. A pure view of its model.
struct UpdatePage: Sendable {
    var entry: Updates.Entry
    /// The viewer's organization wrote it: the page says who reads it.
    var own: Bool
    /// Someone signed in: the writer's name leads to its profile and the page back to the list.
    var signedIn: Bool
    var clock: Clock

    static func load(_ req: Request, for actor: Actor?) async throws -> Self {
        let subject = actor.map { Access.Subject.person($0) } ?? .anyone
        let entry = try await Updates.find(WebPages.uuid(req, "uid"), for: subject, on: req.db)
        return UpdatePage(
            entry: entry, own: actor?.organizationID == entry.organizationID, signedIn: actor != nil, clock: Clock(actor?.user.timeZone))
    }

    func render() -> HTML {
        let organization: HTML =
            signedIn && !own
            ? "<a href=\"\(SiteURL.organization(entry.organizationID))\">\(entry.organizationName)</a>" : "\(entry.organizationName)"
        let author: HTML = entry.writtenBy.map { HTML(" · by \($0)") } ?? ""
        let audience: HTML = own ? HTML("<p class=\"small muted\" id=\"update-audience\">Who reads it: \(entry.audience.label)</p>") : ""
        let back: HTML = signedIn ? "<p class=\"small\"><a href=\"\(SiteURL.updates())\">← All updates</a></p>" : ""
        return """
            \(back)<article class="card update" data-update="\(Access.key(entry.id))">
            <h1>\(entry.title)</h1>
            <p class="muted">\(organization)\(author) · \(clock.format(entry.publishedAt))</p>\(audience)
            <div class="markdown">\(Markdown.html(entry.body))</div></article>
            """
    }
}
