import BonafideCore
import Fluent
import Foundation
import Vapor

/// The security part of Settings: the account, two-factor sign-in, passkeys and the browsers signed in. Loaded
/// through the services; `render` is a pure view of it.
struct SecuritySettingsPage: Sendable {
    enum EmailState: Sendable { case confirmed, unconfirmed, cannotConfirm }
    enum TwoFactorState: Sendable {
        case off
        /// Set up but not confirmed yet: the secret to scan or type.
        case pending(secret: String, otpauthURL: String)
        case on(recoveryCodesLeft: Int)
    }
    struct Browser: Sendable {
        var id: UUID
        var name: String
        var ip: String
        var signedInAt: Date
        var lastSeenAt: Date
        var isThisOne: Bool
    }
    struct Key: Sendable {
        var id: UUID
        var name: String
        var addedAt: Date
        var lastUsedAt: Date?
    }

    var name: String
    var email: String
    var emailState: EmailState
    var twoFactor: TwoFactorState
    /// Shown once, right after they were made.
    var newRecoveryCodes: [String]?
    var passkeys: [Key]
    var browsers: [Browser]

    static func load(_ req: Request, for actor: Actor) async throws -> SecuritySettingsPage {
        let user = actor.user
        let twoFactor: TwoFactorState
        if TwoFactor.isOn(user) {
            twoFactor = .on(recoveryCodesLeft: try await TwoFactor.recoveryCodesLeft(of: user, on: req.db))
        } else if let secret = TwoFactor.pendingSecret(of: user, key: req.application.secretBoxKey) {
            let url = TOTP(secret: Base32.decode(secret) ?? []).otpauthURL(issuer: TwoFactor.issuer, account: user.email)
            twoFactor = .pending(secret: secret, otpauthURL: url)
        } else {
            twoFactor = .off
        }
        let codes = req.sessionValue(WebPages.newRecoveryCodesKey)
        req.setSessionValue(WebPages.newRecoveryCodesKey, nil)
        let current = req.webState.session?.id
        return SecuritySettingsPage(
            name: user.name, email: user.email,
            emailState: user.emailVerifiedAt != nil ? .confirmed : req.application.bonafide.smtp == nil ? .cannotConfirm : .unconfirmed,
            twoFactor: twoFactor, newRecoveryCodes: codes.map { $0.split(separator: " ").map(String.init) },
            passkeys: try await Passkeys.list(of: actor.id, on: req.db).map {
                Key(id: $0.id!, name: $0.name, addedAt: $0.createdAt, lastUsedAt: $0.lastUsedAt)
            },
            browsers: try await WebSessions.list(of: actor.id, on: req.db).map {
                Browser(
                    id: $0.id!, name: Self.browserName($0.userAgent), ip: $0.ip, signedInAt: $0.createdAt, lastSeenAt: $0.lastSeenAt,
                    isThisOne: $0.id == current)
            })
    }

    /// "Firefox on Linux": enough to recognise a browser in the list. Checked in order: Edge's and Chrome's names
    /// also carry "Chrome/" and "Safari/".
    static func browserName(_ agent: String) -> String {
        let browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl")]
        let systems = [
            ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Mac OS X", "macOS"), ("Windows", "Windows"),
            ("Linux", "Linux"),
        ]
        let browser = browsers.first { agent.contains($0.0) }?.1 ?? "A browser"
        return systems.first { agent.contains($0.0) }.map { "\(browser) on \($0.1)" } ?? browser
    }

    func render(csrf token: String, clock: Clock) -> HTML {
        "\(renderAccount(csrf: token))\n\(renderSignIn(csrf: token, clock: clock))"
    }

    /// Name, email and password.
    func renderAccount(csrf token: String) -> HTML {
        let csrf = csrfField(token)
        return """
            <section class="card" id="account"><h2>Your account</h2>
            <form method="post" action="\(SiteURL.Settings.name())">\(csrf)<label for="account-name">Name</label>
            <input id="account-name" name="name" required maxlength="100" autocomplete="name" value="\(name)"><button class="secondary">Save name</button></form>
            <p>Email: <strong>\(email)</strong> \(emailStateHTML(csrf))</p>
            <form method="post" action="\(SiteURL.Settings.email())">\(csrf)<label for="new-email">New email address</label>
            <input id="new-email" name="email" type="email" required autocomplete="email">
            <label for="email-password">Your password</label><input id="email-password" name="password" type="password" required autocomplete="current-password">
            <button class="secondary">Change email</button></form>
            <form method="post" action="\(SiteURL.Settings.password())">\(csrf)
            <label for="current-password">Current password</label><input id="current-password" name="currentPassword" type="password" required autocomplete="current-password">
            <label for="new-password">New password <span class="muted small">(at least 10 characters, not a common one)</span></label>
            <input id="new-password" name="newPassword" type="password" required minlength="10" autocomplete="new-password">
            <button class="secondary">Change password</button> <span class="small muted">Other browsers are signed out.</span></form></section>
            """
    }

    /// How one signs in: recovery codes, the second factor, passkeys and the browsers signed in.
    func renderSignIn(csrf token: String, clock: Clock) -> HTML {
        let csrf = csrfField(token)
        return """
            \(recoveryCodesHTML)
            <section class="card" id="two-factor"><h2>Two-factor sign-in</h2>\(twoFactorHTML(csrf))</section>
            \(passkeysHTML(csrf, token: token, clock: clock))
            \(browsersHTML(csrf, clock: clock))
            """
    }

    private func emailStateHTML(_ csrf: HTML) -> HTML {
        switch emailState {
        case .confirmed:
            return "<span class=\"status s-verified\" id=\"email-state\">confirmed</span>"
        case .cannotConfirm:
            return """
                <span class="status s-pending" id="email-state">not confirmed</span> <span class="small muted">This Bonafide does not send \
                mail yet, so addresses cannot be confirmed or required to be.</span>
                """
        case .unconfirmed:
            return """
                <span class="status s-pending" id="email-state">not confirmed</span>
                <form method="post" action="\(SiteURL.Settings.resendVerification())" class="inline">\(csrf)<button class="link">Send the link again</button></form>
                """
        }
    }

    private var recoveryCodesHTML: HTML {
        guard let codes = newRecoveryCodes else { return "" }
        return """
            <div class="card" id="recovery-codes"><p><strong>Save these recovery codes now; they will not be shown again.</strong> \
            Each signs you in once if you lose your phone.</p>
            <pre class="copy">\(codes.joined(separator: "\n"))</pre></div>
            """
    }

    private func twoFactorHTML(_ csrf: HTML) -> HTML {
        switch twoFactor {
        case .on(let left):
            return """
                <p><span class="status s-verified" id="totp-state">on</span> Signing in asks for a code from your authenticator app. \
                \(left) recovery code\(left == 1 ? "" : "s") left.</p>
                <div class="actions">
                <form method="post" action="\(SiteURL.Settings.recoveryCodes())">\(csrf)<button class="secondary">New recovery codes</button></form></div>
                <form method="post" action="\(SiteURL.Settings.disableTOTP())">\(csrf)
                <label for="disable-code">To turn it off, give a current code or a recovery code</label>
                <input id="disable-code" name="code" required autocomplete="one-time-code" maxlength="40">
                <button class="danger">Turn off two-factor sign-in</button></form>
                """
        case .pending(let secret, let url):
            let qr: HTML = (try? QRCode(url)).map { HTML(raw: $0.svg(label: "QR code for your authenticator app")) } ?? ""
            return """
                <p>Scan this code with an authenticator app (any TOTP app: 1Password, Google Authenticator, Authy, Aegis…), \
                or type the secret into it by hand.</p>
                <div class="qr">\(qr)</div>
                <p>Secret: <code id="totp-secret">\(secret)</code></p>
                <p class="small muted"><a href="\(url)">Open in an authenticator app on this device</a></p>
                <form method="post" action="\(SiteURL.Settings.confirmTOTP())">\(csrf)
                <label for="totp-code">Then type the 6-digit code the app shows</label>
                <input id="totp-code" name="code" required autocomplete="one-time-code" inputmode="numeric" maxlength="10">
                <button>Turn on two-factor sign-in</button></form>
                """
        case .off:
            return """
                <p><span class="status s-pending" id="totp-state">off</span> Signing in needs only your password.</p>
                <form method="post" action="\(SiteURL.Settings.totp())">\(csrf)<button class="secondary">Set up an authenticator app</button></form>
                """
        }
    }

    private func passkeysHTML(_ csrf: HTML, token: String, clock: Clock) -> HTML {
        let rows = HTML.join(
            passkeys.map { p in
                """
                <tr><td>\(p.name)</td><td class="hide-sm">\(clock.format(p.addedAt, "d MMM yyyy"))</td>
                <td>\(p.lastUsedAt.map { clock.format($0, "d MMM yyyy HH:mm") } ?? "never")</td>
                <td><form method="post" action="\(SiteURL.Settings.removePasskey(p.id))">\(csrf)<button class="danger">Remove</button></form></td></tr>
                """
            })
        let list: HTML =
            passkeys.isEmpty
            ? "<p class=\"muted\" id=\"passkey-count\">No passkeys yet.</p>"
            : """
            <table id="passkeys-table"><thead><tr><th>Name</th><th class="hide-sm">Added</th><th>Last used</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return """
            <section class="card" id="passkeys"><h2>Passkeys</h2>
            <p class="small muted">A passkey (your phone, laptop or security key) signs you in without a password when it checks \
            it is you, and stands as the second step after your password otherwise.</p>
            \(list)
            <label for="passkey-name">Name of the new passkey <span class="muted small">(optional)</span></label>
            <input id="passkey-name" maxlength="60" placeholder="work laptop">
            \(PasskeyScript.button("register", label: "Add a passkey", csrf: token, status: "passkey-status"))</section>
            """
    }

    private func browsersHTML(_ csrf: HTML, clock: Clock) -> HTML {
        let rows = HTML.join(
            browsers.map { b in
                let this: HTML = b.isThisOne ? " <span class=\"status s-active\">this browser</span>" : ""
                return """
                    <tr><td>\(b.name)\(this)<div class="small muted">\(b.ip)</div></td>
                    <td class="hide-sm">\(clock.format(b.signedInAt, "d MMM yyyy HH:mm"))</td><td>\(clock.format(b.lastSeenAt, "d MMM yyyy HH:mm"))</td>
                    <td><form method="post" action="\(SiteURL.Settings.endSession(b.id))">\(csrf)<button class="secondary">Sign out</button></form></td></tr>
                    """
            })
        return """
            <section class="card" id="sessions"><h2>Signed-in browsers</h2>
            <p class="small muted">A browser stays signed in for 14 days without use and 90 days at most.</p>
            <table><thead><tr><th>Browser</th><th class="hide-sm">Signed in</th><th>Last active</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            <form method="post" action="\(SiteURL.Settings.endAllSessions())">\(csrf)<button class="danger">Sign out everywhere</button></form></section>
            """
    }
}
