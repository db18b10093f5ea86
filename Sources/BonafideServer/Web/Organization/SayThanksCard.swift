import BonafideCore
import Fluent
import Foundation

/// On another organization's profile, for owners and admins: the form to thank it publicly, what is already waiting
/// for its consent, or why it cannot be thanked. Whether one may is decided in `load` through the services and the
/// policy layer; a refused form comes back as typed with the reason. A pure view of its model.
struct SayThanksCard: Sendable {
    enum Standing: Sendable {
        /// A partner, present or past, or in the viewer's circles from connected up.
        case may
        /// A thank-you of the viewer's organization already waits for their consent.
        case waiting(text: String)
        /// No relation to thank them for.
        case noRelation
    }

    /// A refused form, with what was typed in it.
    struct Refusal: Sendable {
        var text: String
        var problem: Problem
    }

    var organizationID: UUID
    var name: String
    var standing: Standing
    var refused: Refusal?

    /// Nil for one's own organization and for people who do not manage theirs: they have nothing to do here.
    static func load(for actor: Actor, organization id: UUID, name: String, refused: Refusal?, on db: any Database) async throws
        -> SayThanksCard?
    {
        guard id != actor.organizationID, Policy.canManage(actor) else { return nil }
        var standing = Standing.noRelation
        if let waiting = try await Thanks.waiting(from: actor.organizationID, to: id, on: db) {
            standing = .waiting(text: waiting.text)
        } else if try await Thanks.mayThank(id, from: actor.organizationID, on: db) {
            standing = .may
        }
        return SayThanksCard(organizationID: id, name: name, standing: standing, refused: refused)
    }

    func render(csrf: String) -> HTML {
        let intro: HTML = """
            <p class="muted small">Thank \(name) publicly for working with you: it shows under their badges once they agree to it, and
            nobody but your two organizations sees it before.</p>
            """
        let body: HTML =
            switch (standing, refused) {
            case (_, .some):
                // Refused: the form again, as typed, whatever the standing, so the reason sits next to the text.
                form(csrf: csrf)
            case (.may, .none):
                form(csrf: csrf)
            case (.waiting(let text), .none):
                """
                <p id="thanks-waiting">Your thank-you waits for \(name)'s consent: “\(text)”</p>
                <p class="small"><a href="\(SiteURL.thanksSection)">Your thank-yous</a>, where you can withdraw it.</p>
                """
            case (.noRelation, .none):
                """
                <p class="muted small" id="thanks-why-not">You can thank an organization you work or worked with (a partnership,
                present or past) or one you keep in your circles from connected up.</p>
                """
            }
        return """
            <section class="card" id="say-thanks"><h2>Say thank you</h2>
            \(intro)\(body)</section>
            """
    }

    private func form(csrf: String) -> HTML {
        let errors = FieldErrors(problem: refused?.problem, fields: ["text"])
        return """
            <form method="post" action="\(SiteURL.thankOrganization(organizationID))#say-thanks">\(csrfField(csrf))\(errors.general)
            <label for="thanks-text">Your thank-you <span class="muted small">(plain text, up to \(Thanks.maxText) characters)</span></label>
            <textarea id="thanks-text" name="text" rows="3" maxlength="\(Thanks.maxText)" required\(errors.invalid("text"))>\(refused?.text ?? "")</textarea>\(errors.message("text"))
            <button class="secondary">Send it for their consent</button></form>
            """
    }
}
