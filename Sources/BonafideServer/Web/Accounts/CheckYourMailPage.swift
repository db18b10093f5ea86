/// After signing up when the address must be confirmed: where the link went and what to do when it does not arrive.
/// The page is the same whether or not the address already had an account.
struct CheckYourMailPage: Sendable {
    var email: String

    func render() -> HTML {
        """
        <div class="card" style="max-width:520px"><h1>Check your mail</h1>
        <p id="check-mail">We sent a message to <strong>\(email)</strong>. Open the link in it to confirm your address, then sign in.</p>
        <p class="small muted">Nothing arrived after a few minutes? Look in the spam folder, or <a href="\(SiteURL.signup())">try again</a>.</p></div>
        """
    }
}
