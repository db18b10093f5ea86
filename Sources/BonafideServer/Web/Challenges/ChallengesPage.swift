import BonafideCore
import Foundation
import Vapor

/// The challenges the person may read (their organization's own and those whose audience includes them), newest
/// first, with the way to a new one for owners and admins. Who sees what is `Challenges`' question; `render` is a
/// pure view.
struct ChallengesPage: Sendable {
    var organizationID: UUID
    var summaries: [Challenges.Summary]
    var canCreate: Bool
    var clock: Clock
    var now: Date

    static func load(_ req: Request, for actor: Actor, now: Date = Date()) async throws -> Self {
        ChallengesPage(
            organizationID: actor.organizationID, summaries: try await Challenges.visible(to: actor, on: req.db),
            canCreate: Policy.canManage(actor), clock: Clock(actor.user.timeZone), now: now)
    }

    func render() -> HTML {
        let items = summaries.map { s -> HTML in
            let own = s.organizationID == organizationID
            let from: HTML = own ? "Your organization" : "\(s.organizationName)"
            let phase = s.phase(at: now)
            let when: HTML
            switch phase {
            case .upcoming: when = "opens \(clock.format(s.opensAt))"
            case .open: when = "open until \(clock.format(s.closesAt))"
            case .closed: when = "closed \(clock.format(s.endsAt))"
            }
            let highlights: HTML = own || phase == .closed ? " · \(s.highlights) highlighted" : ""
            return """
                <article class="card" data-challenge="\(Access.key(s.id))"><p class="small muted">\(from) · <strong>\(phase.label)</strong>, \(when)</p>
                <h2><a href="\(SiteURL.challenge(s.id))">\(s.title)</a></h2>
                <p class="small muted">\(s.entries) entr\(s.entries == 1 ? "y" : "ies")\(highlights)</p></article>
                """
        }
        let list: HTML =
            items.isEmpty
            ? "<section class=\"card\"><p class=\"muted\" id=\"challenges-empty\">No challenges yet.</p></section>" : HTML.join(items)
        let create: HTML =
            canCreate ? "<p><a class=\"button\" href=\"\(SiteURL.newChallenge())\" id=\"new-challenge-link\">Start a challenge</a></p>" : ""
        return """
            <h1>Challenges</h1>
            <p class="muted">A prompt to a community for a limited time: everyone sends one entry, and the organization highlights the ones that stand out.</p>
            \(create)
            <div id="challenges-list">\(list)</div>
            """
    }
}
