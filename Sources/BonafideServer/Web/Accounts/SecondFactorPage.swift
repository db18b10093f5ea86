import Fluent
import Vapor

/// Sign-in's second step, between the password and the dashboard: a code from the app (or a recovery code), or a
/// passkey. Loaded from the pending session; `render` is a pure view.
struct SecondFactorPage: Sendable {
    var next: String
    var hasApp: Bool
    var hasPasskey: Bool
    var error: String?

    static func load(_ req: Request, error: String?) async throws -> SecondFactorPage {
        guard let session = req.webState.session, session.pendingSecondFactor else {
            throw Problem(.notFound, "Sign in with your password first.")
        }
        return SecondFactorPage(
            next: SafeRedirect.target((try? req.query.get(String.self, at: "next")) ?? ""), hasApp: TwoFactor.isOn(session.user),
            hasPasskey: try await Passkey.query(on: req.db).filter(\.$user.$id == session.$user.id).count() > 0, error: error)
    }

    func render(csrf token: String) -> HTML {
        let codeForm: HTML =
            hasApp
            ? """
            <form method="post" action="\(SiteURL.secondFactor(next: next))">\(csrfField(token))
            <label for="code">The 6-digit code from your authenticator app, or a recovery code</label>
            <input id="code" name="code" required autocomplete="one-time-code" inputmode="text" maxlength="40" autofocus>
            <button type="submit">Sign in</button></form>
            <p class="small muted">Lost your phone? Use one of the recovery codes you saved when you set it up; each works once.</p>
            """ : "<p>Confirm with your passkey.</p>"
        return """
            <div class="card" style="max-width:460px"><h1>One more step</h1>
            \(error.map { HTML("<p class=\"error-text\" role=\"alert\">\($0)</p>") } ?? "")
            \(codeForm)
            \(hasPasskey ? PasskeyScript.button("signin", label: "Use your passkey", csrf: token, status: "passkey-status") : "")</div>
            """
    }
}
