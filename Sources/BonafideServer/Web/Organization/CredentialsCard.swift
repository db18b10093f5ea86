import BonafideCore
import Fluent
import Foundation

/// The organization page's credentials: what it holds, a form to add one naming an issuer it knows, and the claims
/// others made of credentials it issued, to confirm or revoke. A pure view of its model.
struct CredentialsCard: Sendable {
    var own: [CredentialEntry]
    var issuedByUs: [CredentialEntry]
    /// Organizations one works or worked with, and those in one's circles, by name: the issuers one can pick.
    var issuers: [(id: UUID, name: String)]
    var mayEdit: Bool

    static func load(for actor: Actor, at now: Date, on db: any Database) async throws -> CredentialsCard {
        let own = try await Credentials.of(actor.organizationID, seenBy: actor.organizationID, on: db)
        let requests = try await Credentials.requests(to: actor.organizationID, on: db)
        var issuers: [(id: UUID, name: String)] = []
        let partnerIDs = try await Partnerships.partnerIDs(of: actor.organizationID, statuses: [.active, .ended], on: db)
        for o in try await Organization.query(on: db).filter(\.$id ~~ partnerIDs).all() { issuers.append((o.id!, o.name)) }
        for m in try await Circles.members(of: actor.organizationID, on: db) where !issuers.contains(where: { $0.id == m.organizationID }) {
            issuers.append((m.organizationID, m.name))
        }
        return CredentialsCard(
            own: own.map { CredentialEntry($0, at: now) }, issuedByUs: requests.map { CredentialEntry($0, at: now) },
            issuers: issuers.sorted { $0.name < $1.name }, mayEdit: Policy.canManage(actor))
    }

    func render(clock: Clock, csrf: String) -> HTML {
        let token = csrfField(csrf)
        let ownList = HTML.join(
            own.map { c in
                let remove: HTML =
                    mayEdit
                    ? "<form method=\"post\" action=\"\(SiteURL.credentialRemove(c.id))\" class=\"inline\">\(token)<button class=\"secondary small\">Remove</button></form>"
                    : ""
                return "<li>\(c.render(clock: clock)) \(remove)</li>"
            })
        let kinds = HTML.join(CredentialKind.allCases.map { HTML("<option value=\"\($0.rawValue)\">\($0.title)</option>") })
        let issuerOptions = HTML.join(issuers.map { HTML("<option value=\"\($0.id.apiString)\">\($0.name)</option>") })
        let form: HTML =
            mayEdit
            ? """
            <details><summary>Add a credential</summary><form method="post" action="\(SiteURL.credentialsAdd())">\(token)
            <div class="grid"><div><label for="cred-kind">Kind</label><select id="cred-kind" name="kind">\(kinds)</select></div>
            <div><label for="cred-title">Name</label><input id="cred-title" name="title" required maxlength="200" placeholder="ISO/IEC 27001:2022"></div></div>
            <div class="grid"><div><label for="cred-issuer">Issued by (on Bonafide)</label><select id="cred-issuer" name="issuerOrganizationId"><option value="">Not on Bonafide: name it →</option>\(issuerOptions)</select></div>
            <div><label for="cred-issuer-name">Issuer not on Bonafide</label><input id="cred-issuer-name" name="issuerName" maxlength="200" placeholder="e.g. TÜV SÜD"></div></div>
            <div class="grid"><div><label for="cred-number">Certificate or licence number</label><input id="cred-number" name="identifier" maxlength="100"></div>
            <div><label for="cred-until">Valid until</label><input id="cred-until" name="validUntil" type="date"></div></div>
            <p class="small muted">An issuer on Bonafide is asked to confirm it; until then, and for issuers elsewhere, it shows as not verified and does not count as trust evidence.</p>
            <button class="secondary">Add credential</button></form></details>
            """ : ""
        let requestList = HTML.join(
            issuedByUs.map { c in
                let action = SiteURL.credentialDecision(c.id)
                let buttons: HTML =
                    c.state == .pending
                    ? """
                    <form method="post" action="\(action)" class="inline">\(token)<input type="hidden" name="decision" value="confirm"><button>Confirm</button></form>
                    <form method="post" action="\(action)" class="inline">\(token)<input type="hidden" name="decision" value="decline"><input name="note" aria-label="Why you decline" placeholder="Why (required)" required maxlength="1000"><button class="danger">Decline</button></form>
                    """
                    : """
                    <form method="post" action="\(action)" class="inline">\(token)<input type="hidden" name="decision" value="revoke"><input name="note" aria-label="Why you revoke" placeholder="Why (required; shown publicly)" required maxlength="1000"><button class="danger">Revoke</button></form>
                    """
                return
                    "<li><a href=\"\(SiteURL.organization(c.holderID))\">\(c.holderName)</a>: \(c.render(clock: clock)) \(mayEdit ? buttons : "")</li>"
            })
        return """
            <section class="card" id="credentials"><h2>Credentials</h2>\(own.isEmpty ? HTML("<p class=\"muted\">No credentials listed yet.</p>") : HTML("<ul>\(ownList)</ul>"))\(form)</section>
            \(issuedByUs.isEmpty ? "" : HTML("<section class=\"card\" id=\"credential-requests\"><h2>Credentials you issued</h2><p class=\"muted small\">Others say your organization issued these. Confirm only what you really issued; revoke what no longer holds.</p><ul>\(requestList)</ul></section>"))
            """
    }
}
