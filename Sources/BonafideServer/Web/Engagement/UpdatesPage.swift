import BonafideCore
import Foundation
import Vapor

/// The updates the person may read, newest first: their partners', their circles', anyone's public ones and their own
/// organization's, with the form to write one for those who run the organization. Who reads what is `Updates`'
/// question (the same one as for profile sections); `render` is a pure view.
struct UpdatesPage: Sendable {
    var organizationID: UUID
    var entries: [Updates.Entry]
    /// For owners and admins: empty, or refused as typed. Nil for everyone else.
    var form: UpdateForm?
    var clock: Clock

    static func load(_ req: Request, for actor: Actor, form: UpdateForm? = nil) async throws -> Self {
        var writing: UpdateForm?
        if Policy.canManage(actor) {
            var shown = form ?? UpdateForm(csrf: req.csrfToken)
            shown.knownOrganizations = try await Updates.addressable(by: actor, on: req.db)
            writing = shown
        }
        return UpdatesPage(
            organizationID: actor.organizationID, entries: try await Updates.visible(to: .person(actor), on: req.db), form: writing,
            clock: Clock(actor.user.timeZone))
    }

    func render() -> HTML {
        let list = HTML.join(entries.map { Self.item($0, own: $0.organizationID == organizationID, clock: clock) }, separator: "\n")
        let empty = EmptyState(
            icon: .conversation, title: "No updates yet.",
            text:
                "Your partners and the organizations that count you in their circles share their news here, and your own updates are listed too.",
            action: form == nil ? nil : ("Write the first one", "#new-update"), id: "updates-empty"
        ).render()
        return """
            <h1>Updates</h1>
            <p class="muted">News from the organizations you work with, each shown to the audience its writer chose.</p>
            <div id="updates-list">\(entries.isEmpty ? HTML("<section class=\"card\">\(empty)</section>") : list)</div>
            \(form?.render() ?? "")
            """
    }

    /// One update in a list: who wrote it (their profile a link away unless it is one's own), when, and its text;
    /// one's own says who reads it.
    static func item(_ e: Updates.Entry, own: Bool, clock: Clock) -> HTML {
        let from: HTML = own ? "\(e.organizationName)" : "<a href=\"\(SiteURL.organization(e.organizationID))\">\(e.organizationName)</a>"
        let audience: HTML = own ? " · <span title=\"Who reads it\">\(e.audienceLabel)</span>" : ""
        return """
            <article class="card update" data-update="\(Access.key(e.id))"><p class="small muted">\(from) · \(clock.format(e.publishedAt))\(audience)</p>
            <h2><a href="\(SiteURL.update(e.id))">\(e.title)</a></h2>
            <div class="markdown">\(Markdown.html(e.body))</div></article>
            """
    }
}
