import BonafideCore
import Foundation
import Vapor

/// On the Circles page: links to the organization's trusted-referral list, to create, follow and revoke (owners
/// and admins). A pure view of its model.
struct ReferralLinksCard: Sendable {
    var links: [ReferralLink]
    var canManage: Bool

    static func load(_ req: Request, for actor: Actor) async throws -> ReferralLinksCard {
        guard Policy.canManage(actor) else { return ReferralLinksCard(links: [], canManage: false) }
        return ReferralLinksCard(links: try await Referrals.links(of: actor, on: req.db), canManage: true)
    }

    func render(csrf: String, clock: Clock, now: Date = Date()) -> HTML {
        guard canManage else { return "" }
        let token = csrfField(csrf)
        let rows = HTML.join(
            links.map { l in
                let state: HTML =
                    l.revokedAt != nil
                    ? "revoked \(clock.format(l.revokedAt, "d MMM"))"
                    : l.expiresAt <= now
                        ? "expired \(clock.format(l.expiresAt, "d MMM"))"
                        : "until \(clock.format(l.expiresAt, "d MMM yyyy")) <form method=\"post\" action=\"\(SiteURL.referralLinkRevoke(l.id))\" class=\"inline\">\(token)<button class=\"secondary\">Revoke</button></form>"
                return HTML(
                    "<tr><td>\(l.note.isEmpty ? "—" : l.note)</td><td>\(l.createdBy.name), \(clock.format(l.createdAt, "d MMM"))</td><td>\(String(l.views))</td><td>\(state)</td></tr>"
                )
            })
        return """
            <section class="card" id="referral-links"><h2>Referral lists</h2>
            <p class="muted small">Send a client your trusted referrals: the link opens without an account and shows each organization
            in your Trusted referrals circle with the note you wrote when you placed them there, and their public profile. It stays
            current as your circle changes and stops when it expires or you revoke it.</p>
            <form method="post" action="\(SiteURL.referralLinks())">\(token)
            <label for="referral-note-input">For whom, and what to tell them</label><input id="referral-note-input" name="note" maxlength="500" placeholder="For Bakery Ltd: people we trust for your relaunch">
            <label for="referral-days">Expires after (days)</label><input id="referral-days" name="days" type="number" min="1" max="\(String(Referrals.maxDays))" value="30">
            <button class="secondary">Create link</button></form>
            \(links.isEmpty ? "" : HTML("<table id=\"referral-link-table\"><thead><tr><th>For</th><th>Created</th><th>Views</th><th>State</th></tr></thead><tbody>\(rows)</tbody></table>"))
            </section>
            """
    }
}
