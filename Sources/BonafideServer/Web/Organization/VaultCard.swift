import BonafideCore
import Foundation
import Vapor

/// The Vault card of the organization page: your passphrase-protected key, the organization's key versions and,
/// for owners, who can open documents and who still needs access. Keys are made, sealed and rotated in the browser
/// by `vault-ui.js`; the server only stores what it cannot open. A pure view of its model.
struct VaultCard: Sendable {
    var hasOwnKey: Bool
    var canManage: Bool
    var activeKeyID: String?
    var versions: Int
    var members: [Vault.MemberKey]

    static func load(_ req: Request, for actor: Actor) async throws -> VaultCard {
        let keys = try await Vault.organizationKeys(of: actor.organizationID, on: req.db)
        return VaultCard(
            hasOwnKey: try await Vault.userKey(of: actor.id, on: req.db) != nil, canManage: Policy.canManage(actor),
            activeKeyID: keys.first { $0.retiredAt == nil }?.keyID, versions: keys.count,
            members: Policy.canManage(actor) ? try await Vault.members(of: actor.organizationID, on: req.db) : [])
    }

    func render(csrf: String) -> HTML {
        let people = HTML.join(
            members.map { m in
                let state: HTML =
                    m.publicKey == nil
                    ? "<span class=\"status s-pending\">no passphrase yet</span>"
                    : m.granted
                        ? "<span class=\"status s-verified\">has access</span>" : "<span class=\"status s-pending\">needs access</span>"
                return HTML("<li data-user=\"\(m.user.id!.apiString)\">\(m.user.name) \(state)</li>")
            })
        let key: HTML =
            activeKeyID.map {
                HTML(
                    "Organization key <code>\($0)</code>\(versions > 1 ? " (\(String(versions - 1)) older version\(versions == 2 ? "" : "s") kept for older documents)" : "")."
                )
            }
            ?? "Your organization has no vault key yet: an owner makes one here."
        return """
            <section class="card" id="vault" data-csrf="\(csrf)">
            <h2>Vault</h2>
            <p class="muted small">Documents are encrypted for your organization's key. Its private half is sealed to each member's own key,
            which is locked by a passphrase only that person knows (PBKDF2-SHA256, 600,000 rounds, in the browser): Bonafide cannot open
            either. Forgotten passphrases cannot be recovered; an owner gives access again after you set a new one.</p>
            <p id="vault-key-summary">\(key) \(hasOwnKey ? "Your passphrase is set." : "You have not set a vault passphrase yet.")</p>
            \(canManage && !members.isEmpty ? HTML("<ul id=\"vault-members\">\(people)</ul>") : "")
            <div id="vault-status" aria-live="polite"></div>
            <div id="vault-app"></div>
            <noscript><p class="risk">Keys are made and unlocked in this page: turn on JavaScript.</p></noscript>
            <script src="\(SiteURL.asset("vault.js"))" defer></script><script src="\(SiteURL.asset("vault-ui.js"))" defer></script>
            </section>
            """
    }
}
