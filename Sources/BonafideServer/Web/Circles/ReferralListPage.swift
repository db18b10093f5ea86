import BonafideCore
import Foundation
import Vapor

/// A referral list a client opens from a link, without an account: whom the referrer trusts enough to refer,
/// with what they say of each and each one's public profile. A pure view of its model.
struct ReferralListPage: Sendable {
    var list: Referrals.List

    static func load(_ req: Request) async throws -> ReferralListPage {
        ReferralListPage(list: try await Referrals.open(token: req.parameters.get("token") ?? "", on: req.db))
    }

    func render(clock: Clock) -> HTML {
        let entries = HTML.join(
            list.entries.map { e in
                let said: HTML =
                    e.note.isEmpty
                    ? ""
                    : "<blockquote class=\"testimonial\"><p>\(e.note)</p><footer class=\"small muted\">\(list.referrer)</footer></blockquote>"
                let profile: HTML =
                    e.sections.isEmpty
                    ? "<p class=\"muted small\">No public profile yet.</p>"
                    : """
                    \(ProfileCard(sections: e.sections).render())
                    <p class="small"><a href="\(SiteURL.publicProfile(e.organizationID))">Their public profile, credentials and record</a></p>
                    """
                return HTML(
                    "<section class=\"card referral\" data-organization=\"\(Access.key(e.organizationID))\"><h2>\(e.name)</h2>\(said)\(profile)</section>"
                )
            })
        return """
            <h1>Recommended by \(list.referrer)</h1>
            \(list.note.isEmpty ? "" : HTML("<p id=\"referral-note\">\(list.note)</p>"))
            <p class="muted small">Organizations \(list.referrer) trusts enough to refer, from its record with them on Bonafide. This list is
            kept current and works until \(clock.format(list.expiresAt, "d MMM yyyy")).</p>
            \(list.entries.isEmpty ? HTML("<p class=\"muted\" id=\"referral-empty\">No one is on this list right now.</p>") : entries)
            """
    }
}
