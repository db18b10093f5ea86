/// Where the password link in a mail leads: the new password, posted back with the link's token, which is checked
/// only then.
struct PasswordResetPage: Sendable {
    /// The token from the link as it may appear in a path (`WebPages.linkToken`).
    var token: String
    var csrf: String

    func render() -> HTML {
        """
        <div class="card" style="max-width:460px"><h1>Set a new password</h1>
        <form method="post" action="\(SiteURL.passwordResetLink(token))">\(csrfField(csrf))
        <label for="password">New password <span class="muted small">(at least 10 characters, not a common one)</span></label>
        <input id="password" name="password" type="password" required minlength="10" autocomplete="new-password">
        <button type="submit">Set password</button></form>
        <p class="small muted">Every browser signed in to your account is signed out.</p></div>
        """
    }
}
