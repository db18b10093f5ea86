import BonafideCore
import Foundation
import Vapor

/// Offers made to the person's organization, with the answer forms for owners and admins; the organization's own
/// offers with how many accepted and declined; and for owners and admins the form to make one. Loaded through the
/// `Offers` service; `render` is a pure view.
struct OffersPage: Sendable {
    static let fields = ["title", "details", "kind", "audience", "minRelationshipMonths", "personalNote", "validUntil"]

    var forYou: [Offers.Entry]
    var own: [Offers.Entry]
    var manager: Bool
    var values: [String: String]
    var problem: Problem?
    var csrf: String
    var clock: Clock

    static func load(_ req: Request, for actor: Actor, values: [String: String] = [:], problem: Problem? = nil) async throws -> Self {
        OffersPage(
            forYou: try await Offers.forViewer(actor, on: req.db), own: try await Offers.own(actor, on: req.db),
            manager: Policy.canManage(actor), values: values, problem: problem, csrf: req.csrfToken, clock: Clock(actor.user.timeZone))
    }

    func render() -> HTML {
        let offered = HTML.join(forYou.map { OfferPage.card($0, manager: manager, csrf: csrf, clock: clock) })
        let ownRows = HTML.join(
            own.map { e in
                HTML(
                    """
                    <tr data-offer="\(Access.key(e.id))"><td><a href="\(SiteURL.offer(e.id))">\(e.title)</a></td><td>\(e.kind.label)</td>
                    <td>\(e.audience.label)</td><td>\(String(e.accepted ?? 0)) accepted, \(String(e.declined ?? 0)) declined</td>
                    <td>\(e.status == .withdrawn ? "Withdrawn" : "Open until \(clock.format(e.validUntil, "d MMM yyyy"))")</td></tr>
                    """)
            })
        return """
            <h1>Offers</h1>
            <p class="muted">Offers and early access from the organizations you work with, each meant for your relationship with them.</p>
            <section class="card" id="offers-for-you"><h2>For you</h2>
            \(forYou.isEmpty ? HTML("<p class=\"muted\">No offers for you right now.</p>") : offered)</section>
            <section class="card" id="own-offers"><h2>Your offers</h2>
            \(own.isEmpty ? HTML("<p class=\"muted\">Your organization has made no offers yet.</p>") : HTML("<table><thead><tr><th>Title</th><th>Kind</th><th>For</th><th>Answers</th><th>State</th></tr></thead><tbody>\(ownRows)</tbody></table>"))</section>
            \(manager ? form() : "")
            """
    }

    private func form() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let audience = values["audience"].flatMap(Audience.init(rawValue:)) ?? .partners
        let audiences = HTML.options(Offers.audiences, selected: audience)
        let kind = values["kind"].flatMap(OfferKind.init(rawValue:)) ?? .offer
        let kinds = HTML.join(
            OfferKind.allCases.map { k in
                HTML("<option value=\"\(k.rawValue)\"\(HTML(raw: k == kind ? " selected" : ""))>\(k.label)</option>")
            })
        return """
            <section class="card" id="new-offer"><h2>Make an offer</h2>
            <p class="muted small">For your partners or a circle, and if you like only those you have known for a while. Each organization reads how long
            you have worked together, then your note. Accepted, an offer becomes a commitment proposed in your partnership.</p>
            <form method="post" action="\(SiteURL.offers())">\(csrfField(csrf))\(errors.general)
            <label for="offer-title">Title</label><input id="offer-title" name="title" required maxlength="\(String(Offers.maxTitle))" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="offer-details">Details <span class="muted small">(Markdown)</span></label>
            <textarea id="offer-details" name="details" rows="5" required maxlength="\(String(Offers.maxDetails))"\(errors.invalid("details"))>\(values["details"] ?? "")</textarea>\(errors.message("details"))
            <label for="offer-kind">Kind</label><select id="offer-kind" name="kind"\(errors.invalid("kind"))>\(kinds)</select>\(errors.message("kind"))
            <label for="offer-audience">For</label><select id="offer-audience" name="audience"\(errors.invalid("audience"))>\(audiences)</select>\(errors.message("audience"))
            <label for="offer-months">Minimum relationship, in months</label><input id="offer-months" name="minRelationshipMonths" type="number" min="0" max="120" value="\(values["minRelationshipMonths"] ?? "0")"\(errors.invalid("minRelationshipMonths"))>\(errors.message("minRelationshipMonths"))
            <label for="offer-note">Your note</label><textarea id="offer-note" name="personalNote" rows="2" maxlength="\(String(Offers.maxNote))"\(errors.invalid("personalNote"))>\(values["personalNote"] ?? "")</textarea>\(errors.message("personalNote"))
            <label for="offer-until">Open until</label><input id="offer-until" name="validUntil" type="date" required value="\(values["validUntil"] ?? "")"\(errors.invalid("validUntil"))>\(errors.message("validUntil"))
            <button>Make the offer</button></form></section>
            """
    }
}
