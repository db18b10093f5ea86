import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    /// An organization's profile, with the viewer's trust in it and a form to rate it.
    static func organizationProfile(_ req: Request) async throws -> HTML {
        let model = try await OrganizationProfilePage.load(req, for: try req.requireActor(), organization: uuid(req, "oid"))
        return try await page(req, model.name, model.render())
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
