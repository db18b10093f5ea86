import BonafideCore
import Fluent
import Foundation

/// An organization's latest updates that the viewer may read, on its profile and public page, with its feed on the
/// public one. A pure view of its model.
struct UpdatesCard: Sendable {
    static let shown = 5

    var entries: [Updates.Entry]
    /// The address of the organization's public feed, where it is offered.
    var feed: String?

    static func load(of organization: UUID, for subject: Access.Subject, feed: String? = nil, on db: any Database) async throws
        -> UpdatesCard
    {
        UpdatesCard(entries: try await Updates.visible(to: subject, from: organization, limit: shown, on: db), feed: feed)
    }

    func render(clock: Clock) -> HTML {
        let items = HTML.join(
            entries.map { e in
                let text = Markdown.plainText(e.body)
                let excerpt = text.count > 280 ? String(text.prefix(279)) + "…" : text
                return HTML(
                    """
                    <li data-update="\(Access.key(e.id))"><a href="\(SiteURL.update(e.id))">\(e.title)</a> \
                    <span class="small muted">\(clock.format(e.publishedAt, "d MMM yyyy"))</span><div class="small">\(excerpt)</div></li>
                    """)
            })
        let follow: HTML =
            feed.map { link in
                HTML(
                    "<p class=\"small\"><a href=\"\(link)\" type=\"application/atom+xml\">Follow these updates in a feed reader (Atom)</a></p>"
                )
            } ?? ""
        return """
            <section class="card" id="updates"><h2>Updates</h2>
            \(entries.isEmpty ? HTML("<p class=\"muted\">No updates to show yet.</p>") : HTML("<ul>\(items)</ul>"))\(follow)</section>
            """
    }
}
