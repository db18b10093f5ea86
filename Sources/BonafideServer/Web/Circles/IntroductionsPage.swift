import BonafideCore
import Foundation
import Vapor

/// Introductions: those the organization is asked to make (to decide), those it asked for, and those made to it.
/// A pure view of its model.
struct IntroductionsPage: Sendable {
    var organizationID: UUID
    var canDecide: Bool
    var entries: [Introductions.Entry]

    static func load(_ req: Request, for actor: Actor) async throws -> IntroductionsPage {
        IntroductionsPage(
            organizationID: actor.organizationID, canDecide: Policy.canManage(actor),
            entries: try await Introductions.involving(actor, on: req.db))
    }

    func render(csrf: String, clock: Clock) -> HTML {
        let token = csrfField(csrf)
        let toDecide = entries.filter { $0.viaID == organizationID }
        let asked = entries.filter { $0.requesterID == organizationID }
        let madeToUs = entries.filter { $0.targetID == organizationID }
        func when(_ e: Introductions.Entry) -> String { clock.format(e.createdAt, "EEE d MMM, HH:mm") }
        let decide = HTML.join(
            toDecide.map { e in
                let action: HTML =
                    e.status == .requested && canDecide
                    ? """
                    <form method="post" action="\(SiteURL.introductionDecision(e.id))">\(token)<input type="hidden" name="decision" value="accept">
                    <label for="intro-note-\(Access.key(e.id))">Your note to \(e.target): why should they meet?</label>
                    <textarea id="intro-note-\(Access.key(e.id))" name="note" maxlength="1000" rows="2" required></textarea>
                    <button>Introduce them</button></form>
                    <form method="post" action="\(SiteURL.introductionDecision(e.id))" class="inline">\(token)<input type="hidden" name="decision" value="decline"><button class="secondary">Decline</button></form>
                    """
                    : e.status == .requested
                        ? "<p class=\"muted small\">Waiting for an owner or admin of yours to decide.</p>" : Self.state(e)
                return HTML(
                    """
                    <article class="card introduction" data-introduction="\(Access.key(e.id))"><h3>\(e.requester) asks to meet \(e.target)</h3>
                    <p class="small muted">\(e.requestedBy), \(when(e))</p><blockquote><p>\(e.message)</p></blockquote>\(action)</article>
                    """)
            })
        let mine = HTML.join(
            asked.map { e in
                HTML(
                    "<tr data-introduction=\"\(Access.key(e.id))\"><td>\(e.target)</td><td>\(e.via)</td><td>\(when(e))</td><td>\(Self.state(e))</td></tr>"
                )
            })
        let made = HTML.join(
            madeToUs.map { e in
                HTML(
                    """
                    <article class="card introduction" data-introduction="\(Access.key(e.id))"><h3>\(e.via) introduces <a href="\(SiteURL.organization(e.requesterID))">\(e.requester)</a></h3>
                    <blockquote><p>\(e.introducerNote ?? "")</p><footer class="small muted">\(e.via)</footer></blockquote>
                    <p class="small">\(e.requester) wrote: “\(e.message)”</p></article>
                    """)
            })
        return """
            <h1>Introductions</h1>
            <p class="muted">To reach an organization you do not know, ask one that knows you both: open their profile and choose
            “Ask for an introduction”. Sending the same text to many organizations is refused and counts against your trust.</p>
            <section id="introductions-to-decide"><h2>Asked of you</h2>\(toDecide.isEmpty ? HTML("<p class=\"muted\">No one asked you for an introduction.</p>") : decide)</section>
            <section id="introductions-made"><h2>Introduced to you</h2>\(madeToUs.isEmpty ? HTML("<p class=\"muted\">No introductions yet.</p>") : made)</section>
            <section class="card" id="introductions-asked"><h2>You asked</h2>\(asked.isEmpty ? HTML("<p class=\"muted\">Nothing yet.</p>") : HTML("<table><thead><tr><th>To meet</th><th>Through</th><th>When</th><th>State</th></tr></thead><tbody>\(mine)</tbody></table>"))</section>
            """
    }

    static func state(_ e: Introductions.Entry) -> HTML {
        switch e.status {
        case .requested: "waiting for \(e.via)"
        case .accepted: "<strong>introduced</strong>\(e.introducerNote.map { HTML(": “\($0)”") } ?? "")"
        case .declined: "declined by \(e.via)"
        case .refused: "<span class=\"risk\">not sent: the same text went to many organizations</span>"
        }
    }
}
