/// Asking for a link to set a new password. It never says whether an address has an account.
struct PasswordResetRequestPage: Sendable {
    var csrf: String

    func render() -> HTML {
        """
        <div class="card" style="max-width:460px"><h1>Set a new password</h1>
        <p>Give the address you sign in with; if it has an account, we mail it a link that works once, for 30 minutes.</p>
        <form method="post" action="\(SiteURL.passwordReset())">\(csrfField(csrf))
        <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
        <button type="submit">Send the link</button></form></div>
        """
    }
}
