import BonafideCore
import Foundation
import Vapor

/// The page behind a personal panel link, for a member without an account: what was done with the feedback, the
/// ideas to vote for and comment on, and the form to propose one. The link is the credential, so the page says to
/// keep it. A refused idea comes back as typed. A pure view of its model.
struct PanelLinkPage: Sendable {
    var token: String
    var view: FeedbackPanels.View
    var csrf: String
    var typed: String = ""
    var problem: Problem?

    static func load(_ req: Request, token: String, typed: String = "", problem: Problem? = nil) async throws -> Self {
        PanelLinkPage(
            token: token, view: try await FeedbackPanels.view(link: token, on: req.db), csrf: req.csrfToken, typed: typed,
            problem: problem)
    }

    func render() -> HTML {
        let link = token
        let actions = PanelPage.Actions(
            propose: SiteURL.panelLinkIdeas(link), vote: { SiteURL.panelLinkVote(link, $0) },
            comment: { SiteURL.panelLinkComment(link, $0) }, decide: nil)
        return """
            <div style="max-width:720px"><p class="small muted" id="link-note">This page is your personal link to the panel: bookmark it, and keep it to yourself.</p>
            \(PanelPage.body(view, actions: actions, clock: Clock(nil), csrf: csrf, typed: typed, problem: problem))
            \(PanelPage.leaving(action: SiteURL.panelLinkLeave(link), csrf: csrf))</div>
            """
    }
}
