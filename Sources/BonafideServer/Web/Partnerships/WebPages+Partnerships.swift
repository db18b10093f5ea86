import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func partnershipOf(_ req: Request) async throws -> (Actor, Partnership) {
        let actor = try req.requireActor()
        return (actor, try await Policy.partnership(uuid(req, "pid"), for: actor, on: req.db))
    }

    static func newPartnership(_ req: Request) async throws -> HTML {
        try await page(req, "New partnership", NewPartnershipPage(csrf: req.csrfToken).render())
    }

    static func createPartnership(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: NewPartnershipPage.fields.map { ($0, field(req, $0)) })
        do {
            let (p, secret) = try await Partnerships.create(
                name: values["name"]!, partnerEmail: values["partnerEmail"]!, agreement: values["agreement"]!, by: actor,
                mailingFrom: req.application.bonafide.baseURL, on: req.db)
            req.setSessionValue("new_invite", "\(req.application.bonafide.baseURL)\(SiteURL.invitation(secret))")
            return req.safeRedirect(to: SiteURL.partnership(p.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let form = NewPartnershipPage(values: values, problem: problem, csrf: req.csrfToken)
            return try await page(req, "New partnership", form.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.newPartnership())
        }
    }

    static func partnership(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        return try await partnershipPage(req, p, for: actor)
    }

    /// The partnership page; a refused check-in form is shown again in its card, as typed.
    static func partnershipPage(_ req: Request, _ p: Partnership, for actor: Actor, checkIns refused: CheckInsCard.Refusal? = nil)
        async throws -> HTML
    {
        let link = req.sessionValue("new_invite")
        if link != nil { req.setSessionValue("new_invite", nil) }
        // Both sides' organizations, read once here for every part of the page that needs them (names, working
        // hours, settings) instead of once or twice by each. One database handle for every read: each `req.db` makes
        // a new one.
        let db = req.db
        let sides = try await Partnerships.sides(of: p, on: db)
        var checkIns = try await CheckInsCard.load(p, sides: sides, on: db)
        checkIns.refused = refused
        let model = try await PartnershipPage.load(
            p, for: actor, filter: CommitmentFilter(query: req.queryParameter), newInvitationLink: link,
            signer: req.application.ledgerSigner.name, witnessing: try await WitnessSummary.load(of: p, on: db), checkIns: checkIns,
            documents: try await DocumentsCard.load(p, for: actor, on: db), sides: sides, csrf: req.csrfToken, on: db)
        return try await page(req, model.name, model.render())
    }

    static func agreementHistory(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        return try await page(req, "Agreement of \(p.name)", try await AgreementPage.load(for: actor, of: p, on: req.db).render())
    }

    static func updateAgreement(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            let v = try await Partnerships.updateAgreement(p, text: field(req, "text"), by: actor, on: req.db)
            req.flash("Saved as version \(v.version).")
            return SiteURL.partnership(p.id)
        }
    }

    static func addMember(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            try await Partnerships.addMember(p, userID: UUID(uuidString: field(req, "userId")), by: actor, on: req.db)
            return SiteURL.partnership(p.id)
        }
    }

    static func renewInvitation(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            let secret = try await Partnerships.renewInvitation(p, by: actor, mailingFrom: req.application.bonafide.baseURL, on: req.db)
            req.setSessionValue("new_invite", "\(req.application.bonafide.baseURL)\(SiteURL.invitation(secret))")
            return SiteURL.partnership(p.id)
        }
    }

    static func endPartnership(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            try await Partnerships.end(p, reason: field(req, "reason"), by: actor, on: req.db)
            return SiteURL.partnership(p.id)
        }
    }

    // MARK: Invitations

    static func invitation(_ req: Request) async throws -> Response {
        let model = try await InvitationPage.load(
            secret: req.parameters.get("secret") ?? "", for: req.actor, csrf: req.csrfToken, on: req.db)
        return try await page(req, "Invitation", model.render()).encodeResponse(for: req)
    }

    static func acceptInvitation(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let p = try await Partnerships.accept(
            secret: req.parameters.get("secret") ?? "", by: actor,
            requireVerifiedEmail: req.application.bonafide.requiresEmailVerification, on: req.db)
        req.flash("You joined \(p.name).")
        return req.redirect(to: SiteURL.partnership(p.id))
    }

    static func declineInvitation(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try await Partnerships.decline(secret: req.parameters.get("secret") ?? "", by: actor, on: req.db)
        req.flash("You declined the invitation.")
        return req.redirect(to: SiteURL.dashboard())
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
