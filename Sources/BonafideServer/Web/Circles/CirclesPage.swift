import BonafideCore
import Fluent
import Foundation
import Vapor

/// The organization's circles, closest first, a search to find organizations to add, and its referral links. Only
/// the organization itself sees its circles. A pure view of its model.
struct CirclesPage: Sendable {
    var members: [Circles.Member]
    var query: String
    /// Organizations whose name is like the query; nil when nothing was searched.
    var found: [(id: UUID, name: String)]?
    var referralLinks: ReferralLinksCard
    var clock: Clock
    var csrf: String
    var now: Date

    static func load(_ req: Request, for actor: Actor, query raw: String) async throws -> CirclesPage {
        let query = raw.trimmingCharacters(in: .whitespaces)
        return CirclesPage(
            members: try await Circles.members(of: actor.organizationID, on: req.db), query: query,
            found: query.isEmpty
                ? nil : try await Circles.findOrganizations(named: query, except: actor.organizationID, on: req.db),
            referralLinks: try await ReferralLinksCard.load(req, for: actor), clock: Clock(actor.user.timeZone),
            csrf: req.csrfToken, now: Date())
    }

    func render() -> HTML {
        let results: HTML =
            found.map { orgs in
                orgs.isEmpty
                    ? "<p class=\"muted\" id=\"circle-search-results\">No organization is called anything like “\(query)”.</p>"
                    : "<ul id=\"circle-search-results\">\(HTML.join(orgs.map { o in HTML("<li><a href=\"\(SiteURL.organization(o.id))\">\(o.name)</a></li>") }))</ul>"
            } ?? ""
        let groups = HTML.join(
            Circle.allCases.reversed().map { circle in
                let here = members.filter { $0.circle == circle }
                let items =
                    here.isEmpty
                    ? HTML("<p class=\"muted small\">No one.</p>")
                    : HTML(
                        "<ul>\(HTML.join(here.map { m in HTML("<li><a href=\"\(SiteURL.organization(m.organizationID))\">\(m.name)</a>\(m.note.isEmpty ? "" : HTML(" — <span class=\"muted\">\(m.note)</span>"))<span class=\"small muted\"> · \(m.placedBy), \(clock.format(m.placedAt, "d MMM yyyy"))</span></li>") }))</ul>"
                    )
                return
                    "<section class=\"card\" id=\"circle-\(circle.rawValue)\"><h2>\(circle.title) <span class=\"muted small\">\(here.count)</span></h2>\(items)</section>"
            })
        return """
            <h1>Circles</h1>
            <p class="muted">Where you keep the organizations you know, from following to trusted referral. Only your organization sees its circles; placing someone closer counts as evidence of your trust in them, and a trusted referral is a vouch. Survey recipients can be taken from a circle.</p>
            <p><a href="\(SiteURL.introductions())">Introductions</a> · <a href="\(SiteURL.find())">Find an organization</a></p>
            <form method="get" action="\(SiteURL.circles())" role="search"><label for="circle-q">Find an organization</label><input id="circle-q" name="q" value="\(query)" maxlength="120"><button>Search</button></form>
            \(results)
            \(groups)
            \(referralLinks.render(csrf: csrf, clock: clock, now: now))
            """
    }
}
