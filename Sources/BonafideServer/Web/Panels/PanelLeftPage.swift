import Foundation

/// What a member without an account sees after leaving a panel through their personal link, which no longer opens
/// it. A pure view.
struct PanelLeftPage: Sendable {
    var title: String
    var organizationName: String

    func render() -> HTML {
        """
        <section class="card" id="left-panel" style="max-width:720px"><h1>You left “\(title)”</h1>
        <p>\(organizationName) keeps your ideas, votes and comments on the panel, as a former member's. This link no longer opens it.</p></section>
        """
    }
}
