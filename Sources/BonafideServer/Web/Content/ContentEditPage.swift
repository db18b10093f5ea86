import BonafideCore
import Foundation
import Vapor

/// Changing or removing one of the organization's guides and resources (owners and admins): the form filled with it
/// as it stands, or as typed when refused. Loaded through `ProfileContent` and the policy layer; a pure view.
struct ContentEditPage: Sendable {
    var entry: ProfileContent.Entry
    var form: ContentForm
    var csrf: String

    static func load(_ req: Request, for actor: Actor, values: [String: String]? = nil, problem: Problem? = nil) async throws -> Self {
        let entry = try await ProfileContent.find(WebPages.uuid(req, "ctid"), for: actor, on: req.db)
        // Another organization's item has no form here.
        guard entry.own else { throw Problem.notFound("guide or resource") }
        try Policy.manageOrganization(actor)
        var filled = values ?? Self.values(of: entry, clock: Clock(actor.user.timeZone))
        filled["kind"] = entry.kind.rawValue
        let form = ContentForm(
            editing: entry.id, values: filled, problem: problem, documents: try await ContentForm.documents(of: actor, on: req.db),
            csrf: req.csrfToken)
        return ContentEditPage(entry: entry, form: form, csrf: req.csrfToken)
    }

    /// The form's fields as the item stands; the day it was published in the person's own time zone.
    static func values(of e: ProfileContent.Entry, clock: Clock) -> [String: String] {
        [
            "title": e.title, "description": e.summary, "body": e.body, "url": e.url ?? "",
            "documentId": e.whitepaper?.documentID.map(Access.key) ?? "", "visibility": e.audience.rawValue,
            "publishedAt": clock.format(e.publishedAt, "yyyy-MM-dd"), "pinned": e.pinned ? "1" : "",
        ]
    }

    func render() -> HTML {
        """
        <p class="small"><a href="\(SiteURL.ownContent())">← Guides and resources</a></p>
        <h1>\(entry.title)</h1>
        \(form.render())
        <section class="card" id="remove-content"><h2>Remove it</h2>
        <p class="muted small">It leaves your profile at once\(entry.kind == .whitepaper ? "; its document stays in your vault" : "").</p>
        <form method="post" action="\(SiteURL.contentRemove(entry.id))">\(csrfField(csrf))<button class="secondary">Remove “\(entry.title)”</button></form></section>
        """
    }
}
