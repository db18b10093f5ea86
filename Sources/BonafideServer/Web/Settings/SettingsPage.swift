import Fluent
import Foundation
import Vapor

/// A person's own settings: their time zone, how they sign in (security), what they are told and how
/// (notifications), and their API tokens, with a new token's secret shown once.
struct SettingsPage: Sendable {
    struct Token: Sendable {
        var id: UUID
        var name: String
        var prefix: String
        var created: String
        var lastUsed: String
        var lastUsedIP: String
        /// When it was revoked; nil while it works.
        var revoked: String?
    }

    var timeZone: String
    var security: SecuritySettingsPage
    var notifications: NotificationSettingsPage
    var tokens: [Token]
    /// A token made just now: its secret, shown this once.
    var newSecret: String?
    var clock: Clock
    var csrf: String

    static func load(_ req: Request, for actor: Actor, newSecret: String?) async throws -> Self {
        let clock = Clock(actor.user.timeZone)
        return SettingsPage(
            timeZone: actor.user.timeZone, security: try await SecuritySettingsPage.load(req, for: actor),
            notifications: try await NotificationSettingsPage.load(req, for: actor),
            tokens: try await Accounts.tokens(of: actor, on: req.db).map { t in
                Token(
                    id: t.id!, name: t.name, prefix: t.prefix, created: clock.format(t.createdAt, "d MMM yyyy"),
                    lastUsed: t.lastUsedAt.map { clock.format($0, "d MMM yyyy HH:mm") } ?? "never", lastUsedIP: t.lastUsedIP ?? "",
                    revoked: t.revokedAt.map { clock.format($0, "d MMM yyyy") })
            }, newSecret: newSecret, clock: clock, csrf: req.csrfToken)
    }

    func render() -> HTML {
        let secret: HTML =
            newSecret.map { s in
                "<div class=\"card\"><p><strong>Copy your new token now; it will not be shown again:</strong></p><p class=\"copy\" id=\"new-token\">\(s)</p></div>"
            } ?? ""
        let rows = tokens.map { t in
            let state: HTML =
                t.revoked.map { "<span class=\"muted\">revoked \($0)</span>" }
                ?? "<form method=\"post\" action=\"\(SiteURL.Settings.revokeToken(t.id))\">\(csrfField(csrf))<button class=\"danger\">Revoke</button></form>"
            return HTML(
                """
                <tr><td>\(t.name)</td><td><code>\(t.prefix)…</code></td><td class="hide-sm">\(t.created)</td>
                <td class="hide-sm">\(t.lastUsed)<div class="small muted">\(t.lastUsedIP)</div></td><td>\(state)</td></tr>
                """)
        }
        let tabs = PageTabs(parts: [
            .init(
                anchor: "you", title: "You",
                content: """
                    <section class="card" id="you"><h2>You</h2><form method="post" action="\(SiteURL.Settings.profile())">\(csrfField(csrf))
                    <label for="tz">Your time zone <span class="muted small">(dates are shown in it)</span></label>
                    <select id="tz" name="timeZone">\(WebPages.zoneOptions(selected: timeZone))</select><button>Save</button></form></section>
                    \(security.renderAccount(csrf: csrf))
                    """),
            .init(
                anchor: "sign-in", title: "Signing in",
                content: "<div id=\"sign-in\">\(security.renderSignIn(csrf: csrf, clock: clock))</div>"),
            .init(anchor: "notifications", title: "Notifications", content: notifications.render(csrf: csrf)),
            .init(
                anchor: "api-tokens", title: "API tokens",
                content: """
                    \(secret)
                    <section class="card" id="api-tokens"><h2>API tokens</h2><p class="muted small">For the API and the <code>bonafide</code> command line. Tokens are stored hashed.</p>
                    <table><thead><tr><th>Name</th><th>Starts with</th><th class="hide-sm">Created</th><th class="hide-sm">Last used</th><th></th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>
                    <form method="post" action="\(SiteURL.Settings.tokens())">\(csrfField(csrf))<label for="token-name">New token name</label>
                    <input id="token-name" name="name" required maxlength="80" placeholder="laptop CLI"><button class="secondary">Create token</button></form></section>
                    """),
        ])
        return """
            <h1>Settings</h1>
            \(tabs.nav)
            \(tabs.panels)
            """
    }
}
