import Foundation

/// The sign-in form, with the address typed so far and why the last attempt was refused. A pure view.
struct SignInPage: Sendable {
    var email: String
    var error: String?
    /// Where to go after signing in (checked again when used).
    var next: String
    var csrf: String

    func render() -> HTML {
        """
        <div class="card" style="max-width:460px"><h1>Sign in</h1>
        \(error.map { HTML("<p class=\"error-text\" role=\"alert\">\($0)</p>") } ?? "")
        <form method="post" action="\(SiteURL.login(next: next))">\(csrfField(csrf))
        <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required value="\(email)">
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button></form>
        <p>or</p>\(PasskeyScript.button("signin", label: "Sign in with a passkey", csrf: csrf, status: "passkey-status"))
        <p class="small">No account yet? <a href="\(SiteURL.signup())">Sign up</a>. Forgot your password? <a href="\(SiteURL.passwordReset())">Set a new one</a>.</p></div>
        """
    }
}
