import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    /// An organization's profile, with the viewer's trust in it and a form to rate it.
    static func organizationProfile(_ req: Request) async throws -> HTML {
        let actor = try req.requireActor()
        guard let id = uuid(req, "oid"), let org = try await Organization.find(id, on: req.db) else {
            throw Problem.notFound("organization")
        }
        let clock = Clock(actor.user.timeZone)
        let profile = try await ProfileCard.load(req, of: org, for: .person(actor)).render()
        let panel: HTML =
            id == actor.organizationID
            ? "<p class=\"muted\">This is your organization: your people see every part; <a href=\"\(SiteURL.profileSettings)\">choose who else sees each</a>.</p>"
            : """
            \(try await TrustPanel.load(for: actor, subject: id, csrf: req.csrfToken, on: req.db).render())\(try await circleCard(req, subject: id, actor: actor))
            \(try await IntroductionRequestCard.load(req, for: actor, target: org).render(csrf: req.csrfToken))
            \(try await ProfileAudienceCard.load(req, for: actor, other: org).render())
            """
        let testimonials = try await testimonialsCard(req, subject: id, actor: actor, clock: clock)
        let incidents = try await incidentRecordCard(req, subject: id, clock: clock)
        let credentials = try await credentialsCard(req, holder: id, actor: actor, clock: clock)
        return try await page(
            req, org.name,
            """
            <h1>\(org.name)</h1>
            \(profile)
            \(credentials)
            \(testimonials)
            \(incidents)
            \(panel)
            """)
    }

    static func rateOrganization(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "oid")
        let back = SiteURL.organization(id)
        return try await act(req, back: back) {
            guard let id else { throw Problem.notFound("organization") }
            guard let rating = Int(field(req, "rating").trimmingCharacters(in: .whitespaces)) else {
                throw Problem.invalid("rating", "Choose a rating from -10 to 10.")
            }
            _ = try await TrustService.rate(subject: id, rating: rating, comment: field(req, "comment"), by: actor, on: req.db)
            req.flash("Rating recorded; trust is recomputed with it.")
            let from = field(req, "back")
            return from.hasPrefix("/partnerships/") ? from : back
        }
    }

}
