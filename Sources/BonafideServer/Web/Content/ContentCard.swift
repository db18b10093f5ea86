import BonafideCore
import Fluent
import Foundation

/// An organization's guides and resources that the viewer may read, on its profile and its public page: the pinned
/// and newest few, each with where it leads (for a whitepaper, how to get it), and the way to all of them. A pure
/// view of its model.
struct ContentCard: Sendable {
    static let shown = 6

    var organizationID: UUID
    var entries: [ProfileContent.Entry]
    /// How many the viewer may read in all.
    var total: Int
    /// The viewer runs the organization: a link to change the list.
    var manage: Bool

    /// `viewer` nil: what anyone sees, as on the public page (even to someone signed in).
    static func load(of organization: Organization, for viewer: Actor?, on db: any Database) async throws -> ContentCard {
        let all = try await ProfileContent.visible(of: organization, to: viewer, on: db)
        return ContentCard(
            organizationID: organization.id!, entries: Array(all.prefix(shown)), total: all.count,
            manage: viewer.map { $0.organizationID == organization.id && Policy.canManage($0) } ?? false)
    }

    func render(clock: Clock) -> HTML {
        let items = HTML.join(entries.map { ContentLibraryPage.item($0, clock: clock) })
        let more: HTML =
            total > entries.count
            ? "<p class=\"small\"><a href=\"\(SiteURL.profileContent(organizationID))\">All \(total) guides and resources</a></p>" : ""
        let change: HTML = manage ? "<p class=\"small\"><a href=\"\(SiteURL.ownContent())\">Add or change guides and resources</a></p>" : ""
        return """
            <section class="card" id="guides-and-resources"><h2>Guides and resources</h2>
            \(entries.isEmpty ? HTML("<p class=\"muted\">Nothing to show yet.</p>") : HTML("<ul class=\"content-items\">\(items)</ul>"))\(more)\(change)</section>
            """
    }
}
