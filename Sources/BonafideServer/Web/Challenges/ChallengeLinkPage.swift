import BonafideCore
import Foundation
import Vapor

/// The page behind a personal challenge link, for someone invited without an account: the prompt, the time box in the
/// organizer's zone, their entry form while the challenge is open, and the entries they may see. The link is the
/// credential, so the page says to keep it. A refused entry comes back as typed. A pure view of its model.
struct ChallengeLinkPage: Sendable {
    var token: String
    var view: Challenges.View
    var csrf: String
    var typed: ChallengePage.Typed?
    var problem: Problem?

    static func load(_ req: Request, token: String, typed: ChallengePage.Typed? = nil, problem: Problem? = nil) async throws -> Self {
        ChallengeLinkPage(
            token: token, view: try await Challenges.view(link: token, on: req.db), csrf: req.csrfToken, typed: typed, problem: problem)
    }

    func render() -> HTML {
        let actions = ChallengePage.Actions(submit: SiteURL.challengeLinkEntries(token), highlight: nil)
        // Without an account there is no zone of their own: times are given in the organizer's, named.
        let clock = Clock(view.summary.timeZone)
        return """
            <div style="max-width:720px"><p class="small muted" id="link-note">This page is your personal link to the challenge: bookmark it, and keep it to yourself.</p>
            \(ChallengePage.body(view, actions: actions, clock: clock, csrf: csrf, typed: typed, problem: problem))</div>
            """
    }
}
