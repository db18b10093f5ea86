import BonafideCore
import Foundation
import Vapor

/// One offer: what it is and from whom, the viewer's own relationship line, and the answer form (recipients'
/// owners and admins) or the answers and the withdrawal (the offering organization's). A pure view.
struct OfferPage: Sendable {
    var entry: Offers.Entry
    var manager: Bool
    var csrf: String
    var clock: Clock

    static func load(_ req: Request, for actor: Actor) async throws -> Self {
        OfferPage(
            entry: try await Offers.find(WebPages.uuid(req, "ofid"), for: actor, on: req.db), manager: Policy.canManage(actor),
            csrf: req.csrfToken, clock: Clock(actor.user.timeZone))
    }

    func render() -> HTML {
        let e = entry
        var side: HTML = ""
        if e.own {
            let withdraw: HTML =
                manager && e.status == .open
                ? "<form method=\"post\" action=\"\(SiteURL.offerWithdrawal(e.id))\">\(csrfField(csrf))<button class=\"secondary\">Withdraw the offer</button></form>"
                : ""
            side = """
                <p>For: \(e.audience.label)\(e.minRelationshipDays > 0 ? ", known for at least \(String(e.minRelationshipDays)) days" : "").
                \(String(e.accepted ?? 0)) accepted, \(String(e.declined ?? 0)) declined.</p>\(withdraw)
                """
        }
        return """
            <h1>\(e.title)</h1>
            \(Self.card(e, manager: manager, csrf: csrf, clock: clock, heading: false))\(side)
            """
    }

    /// An offer as a card, for the list and the offer's page: who offers it, the line about the relationship, the
    /// note, the details, and the answer or the form to give it.
    static func card(_ e: Offers.Entry, manager: Bool, csrf: String, clock: Clock, heading: Bool = true) -> HTML {
        let title: HTML = heading ? "<h3><a href=\"\(SiteURL.offer(e.id))\">\(e.title)</a></h3>" : ""
        let state: HTML =
            e.status == .withdrawn
            ? "<p class=\"muted\">Withdrawn.</p>" : "<p class=\"muted small\">Open until \(clock.format(e.validUntil, "d MMM yyyy")).</p>"
        var answer: HTML = ""
        if let a = e.answer {
            let commitment: HTML =
                a.commitmentID.map { (cid: UUID) -> HTML in
                    "<p>It is now a commitment proposed to you: <a href=\"\(SiteURL.commitment(a.partnershipID, cid))\">open it</a>.</p>"
                } ?? ""
            let link: HTML =
                e.link.map { (href: String) -> HTML in "<p><a href=\"\(href)\">Open what this gives you early access to</a></p>" } ?? ""
            answer =
                "<p><strong>\(a.decision == .accepted ? "Accepted" : "Declined")</strong> \(clock.format(a.decidedAt, "d MMM yyyy"))</p>\(commitment)\(link)"
        } else if !e.own, manager, e.status == .open {
            answer = """
                <form method="post" action="\(SiteURL.offerResponse(e.id))">\(csrfField(csrf))
                <label for="offer-note-\(Access.key(e.id))">A note <span class="muted small">(optional)</span></label>
                <input id="offer-note-\(Access.key(e.id))" name="note" maxlength="\(String(Offers.maxNote))">
                <button name="decision" value="accept">Accept</button> <button name="decision" value="decline" class="secondary">Decline</button></form>
                """
        }
        let line: HTML = e.personalLine.map { (text: String) -> HTML in "<p>\(text)</p>" } ?? ""
        let note: HTML = e.personalNote.isEmpty ? "" : "<blockquote>\(e.personalNote)</blockquote>"
        return """
            <article class="card" data-offer="\(Access.key(e.id))">\(title)
            <p class="small muted">\(e.kind.label) from <a href="\(SiteURL.organization(e.organizationID))">\(e.organizationName)</a></p>
            \(line)\(note)\(Markdown.html(e.details))\(state)\(answer)</article>
            """
    }
}
