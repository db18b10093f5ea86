import BonafideCore
import Fluent
import Foundation
import Vapor

/// Sign-in's second step and the account's security settings: name and password, two-factor sign-in by
/// authenticator app with recovery codes, and the browsers signed in.
extension WebPages {
    // MARK: Second factor at sign-in

    static func secondFactorForm(_ req: Request) async throws -> Response {
        guard req.webState.session?.pendingSecondFactor == true else { return req.redirect(to: "/login") }
        return try await secondFactorPage(req, error: nil).encodeResponse(for: req)
    }

    static func secondFactorPage(_ req: Request, error: String?) async throws -> HTML {
        let next = SafeRedirect.target((try? req.query.get(String.self, at: "next")) ?? "")
        guard let user = req.webState.session?.user else { throw Problem(.notFound, "Sign in with your password first.") }
        let hasPasskey = try await Passkey.query(on: req.db).filter(\.$user.$id == user.id!).count() > 0
        let codeForm: HTML =
            TwoFactor.isOn(user)
            ? """
            <form method="post" action="/login/second-factor?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")">\(csrf(req))
            <label for="code">The 6-digit code from your authenticator app, or a recovery code</label>
            <input id="code" name="code" required autocomplete="one-time-code" inputmode="text" maxlength="40" autofocus>
            <button type="submit">Sign in</button></form>
            <p class="small muted">Lost your phone? Use one of the recovery codes you saved when you set it up; each works once.</p>
            """ : "<p>Confirm with your passkey.</p>"
        return try await page(
            req, "Two-factor sign-in",
            """
            <div class="card" style="max-width:460px"><h1>One more step</h1>
            \(error.map { HTML("<p class=\"error-text\" role=\"alert\">\($0)</p>") } ?? "")
            \(codeForm)
            \(hasPasskey ? passkeyButton(req, "signin", label: "Use your passkey", status: "passkey-status") : "")</div>
            """)
    }

    static func verifySecondFactor(_ req: Request) async throws -> Response {
        guard let pending = req.webState.session, pending.pendingSecondFactor else { return req.redirect(to: "/login") }
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

    static func securitySections(_ req: Request, _ actor: Actor, clock: Clock) async throws -> HTML {
        let user = actor.user
        let key = req.application.secretBoxKey
        let newCodes = req.sessionValue("new_recovery_codes")
        req.setSessionValue("new_recovery_codes", nil)
        let codesHTML: HTML =
            newCodes.map { codes in
                """
                <div class="card" id="recovery-codes"><p><strong>Save these recovery codes now; they will not be shown again.</strong> \
                Each signs you in once if you lose your phone.</p>
                <pre class="copy">\(codes.split(separator: " ").joined(separator: "\n"))</pre></div>
                """
            } ?? ""
        let twoFactor: HTML
        if TwoFactor.isOn(user) {
            let left = try await TwoFactor.recoveryCodesLeft(of: user, on: req.db)
            twoFactor = """
                <p><span class="status s-verified" id="totp-state">on</span> Signing in asks for a code from your authenticator app. \
                \(left) recovery code\(left == 1 ? "" : "s") left.</p>
                <div class="actions">
                <form method="post" action="/settings/recovery-codes">\(csrf(req))<button class="secondary">New recovery codes</button></form></div>
                <form method="post" action="/settings/totp/disable">\(csrf(req))
                <label for="disable-code">To turn it off, give a current code or a recovery code</label>
                <input id="disable-code" name="code" required autocomplete="one-time-code" maxlength="40">
                <button class="danger">Turn off two-factor sign-in</button></form>
                """
        } else if let secret = TwoFactor.pendingSecret(of: user, key: key) {
            let url = TOTP(secret: Base32.decode(secret) ?? []).otpauthURL(issuer: TwoFactor.issuer, account: user.email)
            let qr: HTML = (try? QRCode(url)).map { HTML(raw: $0.svg(label: "QR code for your authenticator app")) } ?? ""
            twoFactor = """
                <p>Scan this code with an authenticator app (any TOTP app: 1Password, Google Authenticator, Authy, Aegis…), \
                or type the secret into it by hand.</p>
                <div class="qr">\(qr)</div>
                <p>Secret: <code id="totp-secret">\(secret)</code></p>
                <p class="small muted"><a href="\(url)">Open in an authenticator app on this device</a></p>
                <form method="post" action="/settings/totp/confirm">\(csrf(req))
                <label for="totp-code">Then type the 6-digit code the app shows</label>
                <input id="totp-code" name="code" required autocomplete="one-time-code" inputmode="numeric" maxlength="10">
                <button>Turn on two-factor sign-in</button></form>
                """
        } else {
            twoFactor = """
                <p><span class="status s-pending" id="totp-state">off</span> Signing in needs only your password.</p>
                <form method="post" action="/settings/totp">\(csrf(req))<button>Set up an authenticator app</button></form>
                """
        }
        let emailState: HTML
        if user.emailVerifiedAt != nil {
            emailState = "<span class=\"status s-verified\" id=\"email-state\">confirmed</span>"
        } else if req.application.bonafide.smtp == nil {
            emailState =
                "<span class=\"status s-pending\" id=\"email-state\">not confirmed</span> <span class=\"small muted\">This server sends no mail (no BONAFIDE_SMTP_URL), so addresses cannot be confirmed or required to be.</span>"
        } else {
            emailState = """
                <span class="status s-pending" id="email-state">not confirmed</span>
                <form method="post" action="/settings/email/verify" class="inline">\(csrf(req))<button class="link">Send the link again</button></form>
                """
        }
        let current = req.webState.session?.id
        let sessions = try await WebSessions.list(of: actor.id, on: req.db)
        let sessionRows = HTML.join(
            sessions.map { s in
                let this: HTML = s.id == current ? " <span class=\"status s-active\">this browser</span>" : ""
                return """
                    <tr><td>\(Self.browserName(s.userAgent))\(this)<div class="small muted">\(s.ip)</div></td>
                    <td class="hide-sm">\(clock.format(s.createdAt, "d MMM yyyy HH:mm"))</td><td>\(clock.format(s.lastSeenAt, "d MMM yyyy HH:mm"))</td>
                    <td><form method="post" action="/settings/sessions/\(s.id)/end">\(csrf(req))<button class="secondary">Sign out</button></form></td></tr>
                    """
            })
        return """
            <section class="card"><h2>Your account</h2>
            <form method="post" action="/settings/name">\(csrf(req))<label for="account-name">Name</label>
            <input id="account-name" name="name" required maxlength="100" autocomplete="name" value="\(user.name)"><button>Save name</button></form>
            <p>Email: <strong>\(user.email)</strong> \(emailState)</p>
            <form method="post" action="/settings/email">\(csrf(req))<label for="new-email">New email address</label>
            <input id="new-email" name="email" type="email" required autocomplete="email">
            <label for="email-password">Your password</label><input id="email-password" name="password" type="password" required autocomplete="current-password">
            <button>Change email</button></form>
            <form method="post" action="/settings/password">\(csrf(req))
            <label for="current-password">Current password</label><input id="current-password" name="currentPassword" type="password" required autocomplete="current-password">
            <label for="new-password">New password <span class="muted small">(at least 10 characters, not a common one)</span></label>
            <input id="new-password" name="newPassword" type="password" required minlength="10" autocomplete="new-password">
            <button>Change password</button> <span class="small muted">Other browsers are signed out.</span></form></section>
            \(codesHTML)
            <section class="card" id="two-factor"><h2>Two-factor sign-in</h2>\(twoFactor)</section>
            \(try await passkeySection(req, actor, clock: clock))
            <section class="card" id="sessions"><h2>Signed-in browsers</h2>
            <p class="small muted">A browser stays signed in for 14 days without use and 90 days at most.</p>
            <table><thead><tr><th>Browser</th><th class="hide-sm">Signed in</th><th>Last active</th><th></th></tr></thead><tbody>\(sessionRows)</tbody></table>
            <form method="post" action="/settings/sessions/end-all">\(csrf(req))<button class="danger">Sign out everywhere</button></form></section>
            """
    }

    /// "Firefox on Linux": enough to recognise a browser in the list.
    static func browserName(_ agent: String) -> String {
        let browser =
            ["Edg/": "Edge", "Firefox/": "Firefox", "Chrome/": "Chrome", "Safari/": "Safari", "curl/": "curl", "python": "a script"]
            .first { agent.contains($0.key) }?.value ?? "A browser"
        let system =
            ["Android": "Android", "iPhone": "iPhone", "iPad": "iPad", "Mac OS X": "macOS", "Windows": "Windows", "Linux": "Linux"]
            .first { agent.contains($0.key) }?.value
        return system.map { "\(browser) on \($0)" } ?? browser
    }

    static func rename(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/settings") {
            try await Accounts.rename(actor.user, to: field(req, "name"), on: req.db)
            req.flash("Name saved.")
            return "/settings"
        }
    }

    static func changePassword(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/settings") {
            try await req.limitAttempts("password-change", key: actor.id.uuidString, limit: 10, perClient: false)
            try await Accounts.changePassword(
                actor.user, current: field(req, "currentPassword"), new: field(req, "newPassword"),
                keepingSession: req.webState.session?.id, hasher: req.password.async, on: req.db)
            req.flash("Password changed; every other browser is signed out.")
            return "/settings"
        }
    }

    static func startTOTP(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/settings#two-factor") {
            _ = try await TwoFactor.start(for: actor.user, key: req.application.secretBoxKey, on: req.db)
            return "/settings#two-factor"
        }
    }

    static func confirmTOTP(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/settings#two-factor") {
            try await req.limitAttempts("second-factor", key: actor.id.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
            let codes = try await TwoFactor.confirm(actor.user, code: field(req, "code"), key: req.application.secretBoxKey, on: req.db)
            req.setSessionValue("new_recovery_codes", codes.joined(separator: " "))
            req.setSessionValue(setUpSecondFactorKey, nil)
            req.flash("Two-factor sign-in is on.")
            return "/settings#recovery-codes"
        }
    }

    static func disableTOTP(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/settings#two-factor") {
            try await req.limitAttempts("second-factor", key: actor.id.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
            try await TwoFactor.disable(actor.user, code: field(req, "code"), key: req.application.secretBoxKey, on: req.db)
            if try await Accounts.mustSetUpSecondFactor(actor.user, on: req.db) { req.setSessionValue(setUpSecondFactorKey, "1") }
            req.flash("Two-factor sign-in is off; your recovery codes no longer work.")
            return "/settings#two-factor"
        }
    }

    static func regenerateRecoveryCodes(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/settings#two-factor") {
            let codes = try await TwoFactor.regenerateRecoveryCodes(of: actor.user, on: req.db)
            req.setSessionValue("new_recovery_codes", codes.joined(separator: " "))
            return "/settings#recovery-codes"
        }
    }

    static func endSession(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        guard let id = uuid(req, "sessionID"),
            let s = try await WebSession.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == actor.id).first()
        else { throw Problem.notFound("session") }
        if s.id == req.webState.session?.id {
            try await WebSessions.end(req)
            return req.redirect(to: "/login")
        }
        try await s.delete(on: req.db)
        req.flash("That browser is signed out.")
        return req.redirect(to: "/settings#sessions")
    }

    static func endAllSessions(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try await WebSessions.endAll(of: actor.id, on: req.db)
        try await WebSessions.end(req)
        req.flash("Signed out everywhere.")
        return req.redirect(to: "/login")
    }

    /// Owners require (or stop requiring) a second factor for everyone in the organization. Members without one
    /// are signed out, so their next sign-in sends them to set it up.
    static func requireTwoFactor(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: "/organization") {
            try Policy.requireOwner(actor)
            let on = field(req, "required") == "1"
            try await Accounts.requireTwoFactor(on, by: actor, keepingSession: req.webState.session?.id, on: req.db)
            req.flash(on ? "Everyone in your organization now signs in with a second factor." : "A second factor is now optional.")
            return "/organization"
        }
    }
}
