import BonafideCore
import Foundation
import Vapor

/// On another organization's page: ask a contact you both know to introduce you. A pure view of its model.
struct IntroductionRequestCard: Sendable {
    var target: UUID
    var targetName: String
    var contacts: [(id: UUID, name: String)]
    var alreadyKnown: Bool

    static func load(_ req: Request, for actor: Actor, target: Organization) async throws -> IntroductionRequestCard {
        let known = try await Introductions.knows(actor.organizationID, target.id!, on: req.db)
        let contacts: [(id: UUID, name: String)] =
            known ? [] : try await Introductions.sharedContacts(of: actor, and: target.id!, on: req.db)
        return IntroductionRequestCard(target: target.id!, targetName: target.name, contacts: contacts, alreadyKnown: known)
    }

    func render(csrf: String) -> HTML {
        if alreadyKnown { return "" }
        guard !contacts.isEmpty else {
            return """
                <section class="card" id="ask-introduction"><h2>Ask for an introduction</h2>
                <p class="muted">No organization you work with or keep in your circles knows \(targetName) yet.</p></section>
                """
        }
        let options = HTML.join(contacts.map { c in HTML("<option value=\"\(Access.key(c.id))\">\(c.name)</option>") })
        return """
            <section class="card" id="ask-introduction"><h2>Ask for an introduction</h2>
            <form method="post" action="\(SiteURL.introductions())">\(csrfField(csrf))
            <input type="hidden" name="target" value="\(Access.key(target))">
            <label for="intro-via">Through</label><select id="intro-via" name="via">\(options)</select>
            <label for="intro-message">Why you want to meet \(targetName) <span class="muted small">(to your contact; write it for them, not for everyone)</span></label>
            <textarea id="intro-message" name="message" minlength="\(String(Introductions.messageLength.lowerBound))" maxlength="\(String(Introductions.messageLength.upperBound))" rows="3" required></textarea>
            <button>Ask</button></form></section>
            """
    }
}
