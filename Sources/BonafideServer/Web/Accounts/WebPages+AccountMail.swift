import BonafideCore
import Fluent
import Foundation
import Vapor

/// What arrives by mail: confirming an address (at sign-up and after a change) and setting a new password.
extension WebPages {
    static func checkYourMail(_ req: Request, email: String) async throws -> HTML {
        try await page(req, "Check your mail", CheckYourMailPage(email: email).render())
    }

    static func verifyEmail(_ req: Request) async throws -> Response {
        let user = try await AccountLinks.verifyEmail(req.parameters.get("token") ?? "", on: req.db)
        req.flash("\(user.email) is confirmed.")
        return req.redirect(to: req.actor?.id == user.id ? SiteURL.Settings.page() : SiteURL.login())
    }

    static func changeEmail(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            try await req.limitAttempts("email-change", key: actor.id.uuidString, limit: 10, perClient: false)
            let config = req.application.bonafide
            let email = try await Accounts.changeEmail(
                actor.user, to: field(req, "email"), password: field(req, "password"), confirmByMail: config.requiresEmailVerification,
                hasher: req.password.async, on: req.db)
            if config.requiresEmailVerification {
                try await AccountLinks.send(.verifyEmail, to: actor.user, email: email, baseURL: config.baseURL, on: req.db)
                req.flash("We sent a link to \(email); your address changes when you open it.")
            } else {
                req.flash("Your address is now \(email).")
            }
            return SiteURL.Settings.page()
        }
    }

    static func resendVerification(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            try await req.limitAttempts("verification-mail", key: actor.id.uuidString, limit: 5, window: 3600, perClient: false)
            guard actor.user.emailVerifiedAt == nil else { throw Problem(.conflict, "Your address is already confirmed.") }
            guard req.application.bonafide.smtp != nil else {
                throw Problem(.conflict, "This Bonafide does not send mail yet, so addresses cannot be confirmed here.")
            }
            try await AccountLinks.send(.verifyEmail, to: actor.user, baseURL: req.application.bonafide.baseURL, on: req.db)
            req.flash("We sent a new link to \(actor.user.email).")
            return SiteURL.Settings.page()
        }
    }

    /// A link's secret as it may appear in a path: base64url, else nothing.
    static func linkToken(_ token: String) -> String {
        token.utf8.count < 100 && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } ? token : ""
    }

    static func passwordResetRequestForm(_ req: Request) async throws -> HTML {
        try await page(req, "Forgot your password", PasswordResetRequestPage(csrf: req.csrfToken).render())
    }

    static func requestPasswordReset(_ req: Request) async throws -> Response {
        let email = BonafideCore.Validation.normalizedEmail(field(req, "email"))
        return try await act(req, back: SiteURL.passwordReset()) {
            try await req.limitAttempts("password-reset", key: email, limit: 5, window: 3600)
            try await req.limitAttempts("password-reset-client", key: "", limit: 30, window: 3600)
            if let user = try await User.query(on: req.db).filter(\.$email == email).first() {
                try await AccountLinks.send(.resetPassword, to: user, baseURL: req.application.bonafide.baseURL, on: req.db)
            }
            // The same answer whether or not the address has an account.
            req.flash("If \(email) has an account, a link to set a new password is on its way; it works for 30 minutes.")
            return SiteURL.login()
        }
    }

    static func passwordResetForm(_ req: Request) async throws -> HTML {
        let model = PasswordResetPage(token: linkToken(req.parameters.get("token") ?? ""), csrf: req.csrfToken)
        return try await page(req, "Set a new password", model.render())
    }

    static func resetPassword(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let back = SiteURL.passwordResetLink(linkToken(token))
        return try await act(req, back: back) {
            try await req.limitAttempts("password-reset-use", key: "", limit: 30, window: 900)
            let password = field(req, "password")
            let hash = try await req.password.async.hash(password)
            _ = try await AccountLinks.redeem(token, as: .resetPassword, on: req.db) { user, _, tx in
                try Accounts.validatePassword(password, email: user.email, name: user.name)
                // Reading the mail proves the address too.
                if user.emailVerifiedAt == nil { user.emailVerifiedAt = Date() }
                try await Accounts.setPassword(user, hash: hash, keepingSession: nil, on: tx)
            }
            req.flash("Your new password is set; sign in with it.")
            return SiteURL.login()
        }
    }
}
