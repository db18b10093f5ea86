import BonafideCore
import Fluent
import Foundation
import Vapor

/// Thank-yous: given from the thanked organization's profile, shown or declined by it and withdrawn by either side on
/// their own organization page.
extension WebPages {
    static func giveThanks(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "oid")
        let text = typedText(req, "text")
        do {
            let entry = try await Thanks.give(to: id, text: text, by: actor, on: req.db)
            req.flash("Sent to \(entry.toName): it shows on their profile once they agree, and nobody else sees it before.")
            return req.safeRedirect(to: SiteURL.sayThanks(id))
        } catch let problem as Problem where problem.status != .notFound && Policy.canManage(actor) && id != actor.organizationID {
            // Shown again as typed, with the refusal next to the text, in the card the form came from.
            let refused = SayThanksCard.Refusal(text: text, problem: problem)
            let model = try await OrganizationProfilePage.load(req, for: actor, organization: id, thanks: refused)
            return try await page(req, model.name, model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem where problem.status != .notFound {
            // No form to show it in (people who do not manage their organization, or their own profile): a message.
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.organization(id))
        }
    }

    static func decideThanks(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.thanksSection) {
            guard let show = ["show": true, "decline": false][field(req, "decision")] else {
                throw Problem.invalid("decision", "Choose whether to show the thank-you or decline it.")
            }
            let decided = try await Thanks.decide(uuid(req, "thid"), show: show, by: actor, on: req.db)
            req.flash(
                show
                    ? "Shown under your badges on your profile; \(decided.fromName) has been told."
                    : "Declined: nobody else will see it, and \(decided.fromName) has been told.")
            return SiteURL.thanksSection
        }
    }

    static func withdrawThanks(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.thanksSection) {
            let withdrawn = try await Thanks.withdraw(uuid(req, "thid"), by: actor, on: req.db)
            req.flash(
                withdrawn.fromID == actor.organizationID
                    ? "Withdrawn: your thank-you to \(withdrawn.toName) is gone for good, and they have been told."
                    : "Taken off your profile for good; \(withdrawn.fromName) has been told.")
            return SiteURL.thanksSection
        }
    }
}
