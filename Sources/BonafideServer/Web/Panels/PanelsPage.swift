import BonafideCore
import Foundation
import Vapor

/// The feedback panels the person sees (their organization's and those they are a member of), with the form to
/// open one for owners and admins. Who sees what is `FeedbackPanels`' question; `render` is a pure view.
struct PanelsPage: Sendable {
    var organizationID: UUID
    var entries: [FeedbackPanels.Entry]
    /// Owners and admins may open a panel; the CSRF token is only needed then.
    var canCreate: Bool
    var csrf: String

    static func load(_ req: Request, for actor: Actor) async throws -> Self {
        PanelsPage(
            organizationID: actor.organizationID, entries: try await FeedbackPanels.visible(to: actor, on: req.db),
            canCreate: Policy.canManage(actor), csrf: req.csrfToken)
    }

    func render() -> HTML {
        let items = entries.map { e -> HTML in
            let from: HTML = e.organizationID == organizationID ? "Your organization" : "\(e.organizationName)"
            let closed: HTML = e.status == .closed ? " · <strong>Closed</strong>" : ""
            return """
                <article class="card" data-panel="\(Access.key(e.id))"><p class="small muted">\(from) · \(e.members) member\(e.members == 1 ? "" : "s")\(closed)</p>
                <h2><a href="\(SiteURL.panel(e.id))">\(e.title)</a></h2></article>
                """
        }
        let list: HTML =
            items.isEmpty
            ? "<section class=\"card\"><p class=\"muted\" id=\"panels-empty\">No feedback panels yet.</p></section>" : HTML.join(items)
        let form: HTML =
            canCreate
            ? """
            <section class="card" id="new-panel"><h2>Open a feedback panel</h2>
            <p class="muted small">A standing panel of customers or partners: they propose ideas, vote and comment, and see what you did with them.</p>
            <form method="post" action="\(SiteURL.panels())">\(csrfField(csrf))
            <label for="panel-title">Title</label><input id="panel-title" name="title" required maxlength="\(FeedbackPanels.maxTitle)">
            <label for="panel-purpose">What you want to hear about</label><textarea id="panel-purpose" name="purpose" rows="3" maxlength="\(FeedbackPanels.maxPurpose)"></textarea>
            <button>Open the panel</button></form></section>
            """ : ""
        return """
            <h1>Feedback panels</h1>
            <p class="muted">Customers and partners propose ideas and vote; what was done with their feedback is shown to them.</p>
            <div id="panels-list">\(list)</div>
            \(form)
            """
    }
}
