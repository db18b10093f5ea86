import BonafideCore
import Fluent
import Foundation
import Vapor

/// Signing up, in and out, and the welcome page for those who are not signed in.
extension WebPages {
    static func home(_ req: Request) async throws -> Response {
        if req.actor != nil { return req.redirect(to: SiteURL.dashboard()) }
        return try await page(req, "Welcome", WelcomePage().render()).encodeResponse(for: req)
    }

    static func loginForm(_ req: Request) async throws -> HTML {
        try await loginPage(req, email: "", error: nil)
    }

    static func loginPage(_ req: Request, email: String, error: String?) async throws -> HTML {
        let model = SignInPage(
            email: email, error: error, next: (try? req.query.get(String.self, at: "next")) ?? "", csrf: req.csrfToken)
        return try await page(req, "Sign in", model.render())
    }

    static func login(_ req: Request) async throws -> Response {
        let email = field(req, "email")
        do {
            try await req.limitSignIn(email: email)
            let user = try await Accounts.authenticate(
                email: email, password: field(req, "password"), hasher: req.password.async, on: req.db)
            let next = SafeRedirect.target((try? req.query.get(String.self, at: "next")) ?? "")
            if try await TwoFactor.hasSecondFactor(user, on: req.db) {
                try await WebSessions.start(req, user, pendingSecondFactor: true)
                return req.redirect(to: SiteURL.secondFactor(next: next))
            }
            try await signIn(req, user)
            // A crafted link must not send people elsewhere, or write headers, after sign-in.
            return req.safeRedirect(to: next)
        } catch let problem as Problem {
            return try await loginPage(req, email: email, error: problem.detail).encodeResponse(status: problem.status, for: req)
        }
    }

    static func signIn(_ req: Request, _ user: User) async throws {
        try await WebSessions.start(req, user)
        if try await Accounts.mustSetUpSecondFactor(user, on: req.db) { req.setSessionValue(setUpSecondFactorKey, "1") }
    }

    /// Session flag: this person must set up a second factor before using anything else.
    static let setUpSecondFactorKey = "setup_second_factor"

    static func logout(_ req: Request) async throws -> Response {
        try await WebSessions.end(req)
        return req.redirect(to: SiteURL.login())
    }

    static func signupForm(_ req: Request) async throws -> HTML {
        var v = SignUpPage.Values()
        v.email = (try? req.query.get(String.self, at: "email")) ?? ""
        return try await signupPage(req, v, error: nil)
    }

    static func joinForm(_ req: Request) async throws -> HTML {
        let secret = req.parameters.get("secret") ?? ""
        guard let invitation = try await Accounts.colleagueInvitation(secret: secret, on: req.db) else {
            throw Problem(.notFound, "This invitation link is not valid or was already used.")
        }
        var v = SignUpPage.Values()
        v.email = invitation.email
        v.invitation = secret
        v.invitedOrganization = invitation.organization.name
        v.timeZone = invitation.organization.timeZone
        return try await signupPage(req, v, error: nil)
    }

    static func signupPage(_ req: Request, _ v: SignUpPage.Values, error: Problem?) async throws -> HTML {
        try await page(req, "Sign up", SignUpPage(values: v, error: error, csrf: req.csrfToken).render())
    }

    static func signup(_ req: Request) async throws -> Response {
        var v = SignUpPage.Values()
        v.name = field(req, "name")
        v.email = field(req, "email")
        v.organization = field(req, "organization")
        v.timeZone = field(req, "timeZone")
        v.invitation = field(req, "invitation")
        do {
            try await req.limitAttempts("signup", key: "", limit: req.application.bonafide.signupsPerClient, window: 600)
            let config = req.application.bonafide
            // With mail, the page never says whether an address has an account: both answers are "check your mail".
            if config.requiresEmailVerification, v.invitation.isEmpty,
                let existing = try await User.query(on: req.db).filter(\.$email == BonafideCore.Validation.normalizedEmail(v.email)).first()
            {
                try await AccountLinks.warnExistingAccount(existing, baseURL: config.baseURL, on: req.db)
                return try await checkYourMail(req, email: existing.email).encodeResponse(for: req)
            }
            let (user, _) = try await Accounts.register(
                .init(
                    email: v.email, password: field(req, "password"), name: v.name, organization: v.organization,
                    timeZone: v.timeZone.isEmpty ? nil : v.timeZone, invitation: v.invitation.isEmpty ? nil : v.invitation),
                hasher: req.password.async, on: req.db)
            if !v.invitation.isEmpty {
                // The colleague invitation was mailed to this address and the link came back: the address is proven.
                user.emailVerifiedAt = Date()
                try await user.save(on: req.db)
            } else if config.requiresEmailVerification {
                try await AccountLinks.send(.verifyEmail, to: user, baseURL: config.baseURL, on: req.db)
                return try await checkYourMail(req, email: user.email).encodeResponse(for: req)
            }
            try await signIn(req, user)
            req.flash("Welcome to Bonafide, \(user.name).")
            return req.redirect(to: SiteURL.dashboard())
        } catch let problem as Problem {
            if !v.invitation.isEmpty, let inv = try await Accounts.colleagueInvitation(secret: v.invitation, on: req.db) {
                v.invitedOrganization = inv.organization.name
            }
            return try await signupPage(req, v, error: problem).encodeResponse(status: problem.status, for: req)
        }
    }
}
