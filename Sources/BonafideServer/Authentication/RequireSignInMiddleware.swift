import BonafideCore
import Fluent
import Foundation
import Vapor

/// Sends visitors who are not signed in to the sign-in page, then back.
struct RequireSignInMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.actor != nil else {
            return request.redirect(to: SiteURL.login(next: request.url.path))
        }
        // The organization requires a second factor and this person has none yet: only Settings until they do.
        if request.sessionValue(WebPages.setUpSecondFactorKey) != nil, !request.url.path.hasPrefix(SiteURL.Settings.page()) {
            request.flash("Your organization requires two-factor sign-in: set up an authenticator app below to continue.", error: true)
            return request.redirect(to: SiteURL.Settings.section("two-factor"))
        }
        return try await next.respond(to: request)
    }
}
