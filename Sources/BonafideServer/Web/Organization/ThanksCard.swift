import BonafideCore
import Fluent
import Foundation

/// Your organization's thank-yous: those waiting for its consent (owners and admins show or decline each), those it
/// shows on its profile, and those it gave, with where each stands. Owners and admins withdraw any that waits or is
/// shown; everyone else reads. Loaded through the service and the policy layer; `render` is a pure view.
struct ThanksCard: Sendable {
    var organizationID: UUID
    var entries: [Thanks.Entry]
    var mayManage: Bool

    static func load(for actor: Actor, on db: any Database) async throws -> ThanksCard {
        ThanksCard(
            organizationID: actor.organizationID, entries: try await Thanks.involving(actor, on: db), mayManage: Policy.canManage(actor))
    }

    func render(clock: Clock, csrf: String) -> HTML {
        let received = entries.filter { $0.toID == organizationID }
        let waiting = received.filter { $0.status == .awaitingConsent }
        let shown = received.filter { $0.status == .shown }
        let given = entries.filter { $0.fromID == organizationID }
        let waitingList = HTML.join(
            waiting.map { t in
                let decide: HTML =
                    mayManage
                    ? """
                    <form method="post" action="\(SiteURL.thanksDecision(t.id))" class="inline">\(csrfField(csrf))<input type="hidden" name="decision" value="show"><button>Show it on our profile</button></form>
                    <form method="post" action="\(SiteURL.thanksDecision(t.id))" class="inline">\(csrfField(csrf))<input type="hidden" name="decision" value="decline"><button class="secondary">Decline</button></form>
                    """ : ""
                return HTML("<li data-thanks=\"\(Access.key(t.id))\">\(Self.quote(t, by: t.fromName, clock: clock))\(decide)</li>")
            })
        let shownList = HTML.join(
            shown.map { t in
                let takeOff = withdrawal(t, csrf: csrf, label: "Take it off our profile")
                return HTML("<li data-thanks=\"\(Access.key(t.id))\">\(Self.quote(t, by: t.fromName, clock: clock))\(takeOff)</li>")
            })
        let givenList = HTML.join(
            given.map { t in
                let active = [ThanksStatus.awaitingConsent, .shown].contains(t.status)
                return HTML(
                    """
                    <li data-thanks="\(Access.key(t.id))">To <a href="\(SiteURL.organization(t.toID))">\(t.toName)</a>: “\(t.text)” \
                    \(Self.badge(t.status)) <span class="small muted">\(clock.format(t.createdAt, "d MMM yyyy"))</span>\
                    \(active ? withdrawal(t, csrf: csrf, label: "Withdraw it") : "")</li>
                    """)
            })
        let consent: HTML =
            waiting.isEmpty
            ? "<p class=\"muted\">Nothing is waiting for your consent.</p>"
            : """
            <p class="muted small">Shown ones appear under your badges on your profile, to anyone who can see it.\(mayManage ? "" : " Owners and admins decide.")</p>
            <ul>\(waitingList)</ul>
            """
        return """
            <section class="card" id="thanks"><h2>Thank-yous</h2>
            <p class="muted">Organizations you work with can thank yours publicly; nobody else sees a thank-you until you agree to show
            it. To thank one, open its profile (Recognition and news).</p>
            <h3 id="thanks-waiting-for-you">Waiting for your consent</h3>\(consent)
            <h3>On your profile</h3>\(shown.isEmpty ? HTML("<p class=\"muted\">None shown yet.</p>") : HTML("<ul>\(shownList)</ul>"))
            <h3>Given</h3>\(given.isEmpty ? HTML("<p class=\"muted\">You have not thanked anyone yet.</p>") : HTML("<ul>\(givenList)</ul>"))
            </section>
            """
    }

    /// Either side's owners and admins take a thank-you back while it waits or is shown.
    private func withdrawal(_ t: Thanks.Entry, csrf: String, label: String) -> HTML {
        guard mayManage else { return "" }
        return """
            <form method="post" action="\(SiteURL.thanksWithdrawal(t.id))" class="inline">\(csrfField(csrf))<button class="secondary">\(label)</button></form>
            """
    }

    /// "From Northwind: “Thank you for …” 3 Mar 2026".
    private static func quote(_ t: Thanks.Entry, by name: String, clock: Clock) -> HTML {
        "From <strong>\(name)</strong>: “\(t.text)” <span class=\"small muted\">\(clock.format(t.createdAt, "d MMM yyyy"))</span>"
    }

    /// The state as a pill, coloured like the case study states it resembles.
    static func badge(_ status: ThanksStatus) -> HTML {
        let tone =
            switch status {
            case .awaitingConsent: "proposed"
            case .shown: "completed"
            case .declined: "declined"
            case .withdrawn: "withdrawn"
            }
        return statusBadge(status.label, tone: tone)
    }
}
