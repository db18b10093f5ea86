import BonafideCore
import Foundation
import Vapor

/// One of an organization's guides and resources: a guide in full, a video or an article with the address it leads
/// to, or a whitepaper with how to get its document (a link only for those who can open it: the vault is encrypted
/// end to end). Open without signing in when its audience is everyone; otherwise only to those `ProfileContent` lets
/// read it. A pure view of its model.
struct ContentItemPage: Sendable {
    var entry: ProfileContent.Entry
    /// Someone signed in: the organization's name leads to its profile.
    var signedIn: Bool
    /// The viewer runs the organization that lists it.
    var manage: Bool
    var clock: Clock

    static func load(_ req: Request, for viewer: Actor?) async throws -> Self {
        let entry = try await ProfileContent.find(WebPages.uuid(req, "ctid"), for: viewer, on: req.db)
        return ContentItemPage(
            entry: entry, signedIn: viewer != nil, manage: entry.own && (viewer.map { Policy.canManage($0) } ?? false),
            clock: Clock(viewer?.user.timeZone))
    }

    func render() -> HTML {
        let e = entry
        let from: HTML =
            signedIn && !e.own ? "<a href=\"\(SiteURL.organization(e.organizationID))\">\(e.organizationName)</a>" : "\(e.organizationName)"
        let audience: HTML = e.own ? "<p class=\"small muted\" id=\"content-audience\">Who sees it: \(e.audience.label)</p>" : ""
        let summary: HTML = e.summary.isEmpty ? "" : "<p>\(e.summary)</p>"
        let main: HTML = e.kind == .guide ? "<div class=\"markdown\">\(Markdown.html(e.body))</div>" : Self.access(e, full: true)
        let edit: HTML = manage ? "<p class=\"small\"><a href=\"\(SiteURL.contentEdit(e.id))\">Change or remove it</a></p>" : ""
        return """
            <p class="small"><a href="\(SiteURL.profileContent(e.organizationID))">← All guides and resources of \(e.organizationName)</a></p>
            <article class="card content-item" data-content="\(Access.key(e.id))">
            <p class="small muted">\(e.kind.label) · \(from) · \(clock.format(e.publishedAt, "d MMM yyyy"))</p>
            <h1>\(e.title)</h1>\(audience)\(summary)
            \(main)</article>\(edit)
            """
    }

    /// Where an item leads, for lists and its page: a video's or an article's address (named by its site, since the
    /// reader leaves Bonafide), or how to get a whitepaper. Nothing for a guide, which is read here.
    static func access(_ e: ProfileContent.Entry, full: Bool = false) -> HTML {
        switch e.kind {
        case .guide:
            return ""
        case .video, .link:
            guard let url = e.url else { return "" }
            let site = URL(string: url)?.host ?? url
            let action = e.kind == .video ? "Watch the video" : "Read the article"
            let style = full ? "" : "small"
            return "<p class=\"\(style)\"><a href=\"\(url)\" rel=\"nofollow noopener noreferrer ugc\">\(action) on \(site)</a></p>"
        case .whitepaper:
            guard let paper = e.whitepaper else { return "" }
            var open: HTML = ""
            if paper.readable, let link = paper.link { open = " <a href=\"\(link)\">Open the document</a>" }
            var source: HTML = ""
            if full, let text = paper.source { source = "<p class=\"small muted\" id=\"content-source\">\(text)</p>" }
            let style = full ? "whitepaper-access" : "small whitepaper-access"
            return "<p class=\"\(style)\">\(paper.note)\(open)</p>\(source)"
        }
    }
}
