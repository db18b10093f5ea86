import BonafideCore
import Fluent
import Foundation
import Vapor

/// Sign-in's second step and the account's security settings: name and password, two-factor sign-in by
/// authenticator app with recovery codes, and the browsers signed in.
extension WebPages {
    // MARK: Second factor at sign-in

    static func secondFactorForm(_ req: Request) async throws -> Response {
        guard req.webState.session?.pendingSecondFactor == true else { return req.redirect(to: SiteURL.login()) }
        return try await secondFactorPage(req, error: nil).encodeResponse(for: req)
    }

    static func secondFactorPage(_ req: Request, error: String?) async throws -> HTML {
        try await page(req, "Two-factor sign-in", try await SecondFactorPage.load(req, error: error).render(csrf: req.csrfToken))
    }

    static func verifySecondFactor(_ req: Request) async throws -> Response {
        guard let pending = req.webState.session, pending.pendingSecondFactor else { return req.redirect(to: SiteURL.login()) }
        let user = pending.user
        do {
            try await req.limitAttempts("second-factor", key: user.id!.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
            guard try await TwoFactor.verify(user, code: field(req, "code"), key: req.application.secretBoxKey, on: req.db) else {
                throw Problem.invalid("code", "That code is wrong or was already used. Try the code the app shows now.")
            }
        } catch let problem as Problem {
            return try await secondFactorPage(req, error: problem.detail).encodeResponse(status: problem.status, for: req)
        }
        try await signIn(req, user)
        return req.safeRedirect(to: (try? req.query.get(String.self, at: "next")) ?? "")
    }

    // MARK: Settings

    /// Session key of the recovery codes just made, shown once on the next Settings page.
    static let newRecoveryCodesKey = "new_recovery_codes"

    static func rename(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            try await Accounts.rename(actor.user, to: field(req, "name"), on: req.db)
            req.flash("Name saved.")
            return SiteURL.Settings.page()
        }
    }

    static func changePassword(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            try await req.limitAttempts("password-change", key: actor.id.uuidString, limit: 10, perClient: false)
            try await Accounts.changePassword(
                actor.user, current: field(req, "currentPassword"), new: field(req, "newPassword"),
                keepingSession: req.webState.session?.id, hasher: req.password.async, on: req.db)
            req.flash("Password changed; every other browser is signed out.")
            return SiteURL.Settings.page()
        }
    }

    static func startTOTP(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("two-factor")) {
            _ = try await TwoFactor.start(for: actor.user, key: req.application.secretBoxKey, on: req.db)
            return SiteURL.Settings.section("two-factor")
        }
    }

    static func confirmTOTP(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("two-factor")) {
            try await req.limitAttempts("second-factor", key: actor.id.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
            let codes = try await TwoFactor.confirm(actor.user, code: field(req, "code"), key: req.application.secretBoxKey, on: req.db)
            req.setSessionValue(newRecoveryCodesKey, codes.joined(separator: " "))
            req.setSessionValue(setUpSecondFactorKey, nil)
            req.flash("Two-factor sign-in is on.")
            return SiteURL.Settings.section("recovery-codes")
        }
    }

    static func disableTOTP(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("two-factor")) {
            try await req.limitAttempts("second-factor", key: actor.id.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
            try await TwoFactor.disable(actor.user, code: field(req, "code"), key: req.application.secretBoxKey, on: req.db)
            if try await Accounts.mustSetUpSecondFactor(actor.user, on: req.db) { req.setSessionValue(setUpSecondFactorKey, "1") }
            req.flash("Two-factor sign-in is off; your recovery codes no longer work.")
            return SiteURL.Settings.section("two-factor")
        }
    }

    static func regenerateRecoveryCodes(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("two-factor")) {
            let codes = try await TwoFactor.regenerateRecoveryCodes(of: actor.user, on: req.db)
            req.setSessionValue(newRecoveryCodesKey, codes.joined(separator: " "))
            return SiteURL.Settings.section("recovery-codes")
        }
    }

    static func endSession(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        guard let id = uuid(req, "sessionID"),
            let s = try await WebSession.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == actor.id).first()
        else { throw Problem.notFound("session") }
        if s.id == req.webState.session?.id {
            try await WebSessions.end(req)
            return req.redirect(to: SiteURL.login())
        }
        try await s.delete(on: req.db)
        req.flash("That browser is signed out.")
        return req.redirect(to: SiteURL.Settings.section("sessions"))
    }

    static func endAllSessions(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try await WebSessions.endAll(of: actor.id, on: req.db)
        try await WebSessions.end(req)
        req.flash("Signed out everywhere.")
        return req.redirect(to: SiteURL.login())
    }

    /// Owners require (or stop requiring) a second factor for everyone in the organization. Members without one
    /// are signed out, so their next sign-in sends them to set it up.
    static func requireTwoFactor(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.ownOrganization()) {
            try Policy.requireOwner(actor)
            let on = field(req, "required") == "1"
            try await Accounts.requireTwoFactor(on, by: actor, keepingSession: req.webState.session?.id, on: req.db)
            req.flash(on ? "Everyone in your organization now signs in with a second factor." : "A second factor is now optional.")
            return SiteURL.ownOrganization()
        }
    }
}
