import Foundation

/// What a person sees after unsubscribing from a mail's link: which mail stops, and where to change it later.
/// A pure view.
struct UnsubscribedPage: Sendable {
    /// The kinds of mail stopped, by their labels; empty when nothing was left to stop.
    var stopped: [String]

    func render() -> HTML {
        """
        <div class="card" style="max-width:560px"><h1 id="unsubscribed">Unsubscribed</h1>
        <p>No more mail for: \(stopped.isEmpty ? "nothing was left to stop" : stopped.joined(separator: "; ")).</p>
        <p class="small muted">Signed in, you can change this any time under <a href="\(SiteURL.Settings.section("notifications"))">Settings</a>.</p></div>
        """
    }
}
