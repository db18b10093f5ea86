import Foundation

/// The front page for someone not signed in: what Bonafide is, and the two ways in. A pure view.
struct WelcomePage: Sendable {
    func render() -> HTML {
        """
        <section class="card"><h1>Trust you can verify, with partners you may never meet.</h1>
        <p>Bonafide gives a partnership one place to set clear expectations, talk, and keep promises, \
        and turns that record into trust both sides can check.</p>
        <p><a class="button" href="\(SiteURL.signup())">Create an account</a> <a class="button secondary" href="\(SiteURL.login())" style="background:#e7ebf3;color:#1d2433">Sign in</a></p></section>
        """
    }
}
