import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func credentialBadge(_ c: Credential, at now: Date) -> HTML {
        if c.status == .verified, c.isExpired(at: now) { return "<span class=\"status s-expired\">expired</span>" }
        switch c.status {
        case .verified: return "<span class=\"status s-verified\">verified</span>"
        case .claimed: return "<span class=\"status s-claimed\">not verified</span>"
        case .pending: return "<span class=\"status s-pending\">awaiting the issuer</span>"
        case .declined: return "<span class=\"status s-declined\">declined by the issuer</span>"
        case .revoked: return "<span class=\"status s-revoked\">revoked by the issuer</span>"
        }
    }

    static func credentialLine(_ c: Credential, clock: Clock, now: Date) -> HTML {
        let number: HTML = c.identifier.isEmpty ? "" : " · no. \(c.identifier)"
        let until: HTML = c.validUntil.map { HTML(" · valid until \(clock.format($0, "d MMM yyyy"))") } ?? ""
        let decided: HTML =
            switch c.status {
            case .verified: c.decidedAt.map { HTML(" · confirmed \(clock.format($0, "d MMM yyyy"))") } ?? ""
            case .declined, .revoked: c.decisionNote.map { HTML(": “\($0)”") } ?? ""
            default: ""
            }
        return """
            <strong>\(c.title)</strong> \(credentialBadge(c, at: now))<div class="small muted">\(c.kind.title) issued by \(c.issuerName)\(number)\(until)\(decided)</div>
            """
    }

    /// Credentials on a profile, as anyone sees them.
    static func credentialsCard(_ req: Request, holder: UUID, actor: Actor, clock: Clock) async throws -> HTML {
        let items = try await Credentials.of(holder, seenBy: actor.organizationID, on: req.db)
        let now = Date()
        return """
            <section class="card" id="profile-credentials"><h2>Credentials</h2>\(items.isEmpty ? HTML("<p class=\"muted\">None listed.</p>") : HTML("<ul>\(items.map { HTML("<li>\(credentialLine($0, clock: clock, now: now))</li>") })</ul>"))
            <p class="small muted">Verified means the issuing organization confirmed it on Bonafide.</p></section>
            """
    }

    /// The organization page's credentials (what it holds, and what others ask it to confirm).
    static func credentialsSettings(_ req: Request, actor: Actor, clock: Clock) async throws -> HTML {
        let db = req.db
        let own = try await Credentials.of(actor.organizationID, seenBy: actor.organizationID, on: db)
        let requests = try await Credentials.requests(to: actor.organizationID, on: db)
        let now = Date()
        let canEdit = Policy.canManage(actor)
        let ownList = HTML.join(
            own.map { c in
                let remove: HTML =
                    canEdit
                    ? "<form method=\"post\" action=\"\(SiteURL.credentialRemove(c.id))\" class=\"inline\">\(csrf(req))<button class=\"secondary small\">Remove</button></form>"
                    : ""
                return "<li>\(credentialLine(c, clock: clock, now: now)) \(remove)</li>"
            })
        // Issuers to pick: organizations one works or worked with, and those in one's circles.
        var issuers: [(UUID, String)] = []
        let partnerIDs = try await Partnerships.partnerIDs(of: actor.organizationID, statuses: [.active, .ended], on: db)
        for o in try await Organization.query(on: db).filter(\.$id ~~ partnerIDs).all() { issuers.append((o.id!, o.name)) }
        for m in try await Circles.members(of: actor.organizationID, on: db) where !issuers.contains(where: { $0.0 == m.organizationID }) {
            issuers.append((m.organizationID, m.name))
        }
        let kinds = HTML.join(CredentialKind.allCases.map { HTML("<option value=\"\($0.rawValue)\">\($0.title)</option>") })
        let issuerOptions = HTML.join(issuers.sorted { $0.1 < $1.1 }.map { HTML("<option value=\"\($0.0.uuidString)\">\($0.1)</option>") })
        let form: HTML =
            canEdit
            ? """
            <details><summary>Add a credential</summary><form method="post" action="\(SiteURL.credentialsAdd())">\(csrf(req))
            <div class="grid"><div><label for="cred-kind">Kind</label><select id="cred-kind" name="kind">\(kinds)</select></div>
            <div><label for="cred-title">Name</label><input id="cred-title" name="title" required maxlength="200" placeholder="ISO/IEC 27001:2022"></div></div>
            <div class="grid"><div><label for="cred-issuer">Issued by (on Bonafide)</label><select id="cred-issuer" name="issuerOrganizationId"><option value="">Not on Bonafide: name it →</option>\(issuerOptions)</select></div>
            <div><label for="cred-issuer-name">Issuer not on Bonafide</label><input id="cred-issuer-name" name="issuerName" maxlength="200" placeholder="e.g. TÜV SÜD"></div></div>
            <div class="grid"><div><label for="cred-number">Certificate or licence number</label><input id="cred-number" name="identifier" maxlength="100"></div>
            <div><label for="cred-until">Valid until</label><input id="cred-until" name="validUntil" type="date"></div></div>
            <p class="small muted">An issuer on Bonafide is asked to confirm it; until then, and for issuers elsewhere, it shows as not verified and does not count as trust evidence.</p>
            <button>Add credential</button></form></details>
            """ : ""
        let requestList = HTML.join(
            requests.map { c in
                let action = SiteURL.credentialDecision(c.id)
                let buttons: HTML =
                    c.status == .pending
                    ? """
                    <form method="post" action="\(action)" class="inline">\(csrf(req))<input type="hidden" name="decision" value="confirm"><button>Confirm</button></form>
                    <form method="post" action="\(action)" class="inline">\(csrf(req))<input type="hidden" name="decision" value="decline"><input name="note" aria-label="Why you decline" placeholder="Why (required)" required maxlength="1000"><button class="danger">Decline</button></form>
                    """
                    : """
                    <form method="post" action="\(action)" class="inline">\(csrf(req))<input type="hidden" name="decision" value="revoke"><input name="note" aria-label="Why you revoke" placeholder="Why (required; shown publicly)" required maxlength="1000"><button class="danger">Revoke</button></form>
                    """
                return
                    "<li><a href=\"\(SiteURL.organization(c.$holder.id))\">\(c.holder.name)</a>: \(credentialLine(c, clock: clock, now: now)) \(canEdit ? buttons : "")</li>"
            })
        return """
            <section class="card" id="credentials"><h2>Credentials</h2>\(own.isEmpty ? HTML("<p class=\"muted\">No credentials listed yet.</p>") : HTML("<ul>\(ownList)</ul>"))\(form)</section>
            \(requests.isEmpty ? "" : HTML("<section class=\"card\" id=\"credential-requests\"><h2>Credentials you issued</h2><p class=\"muted small\">Others say your organization issued these. Confirm only what you really issued; revoke what no longer holds.</p><ul>\(requestList)</ul></section>"))
            """
    }

    static func addCredential(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.organizationSettings) {
            guard let kind = CredentialKind(rawValue: field(req, "kind")) else {
                throw Problem.invalid("kind", "Choose what kind of credential it is.")
            }
            let issuerText = field(req, "issuerOrganizationId")
            guard issuerText.isEmpty || UUID(uuidString: issuerText) != nil else {
                throw Problem.invalid("issuerOrganizationId", "Pick the issuer from the list, or name one that is not on Bonafide.")
            }
            guard issuerText.isEmpty || field(req, "issuerName").trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Problem.invalid("issuerName", "Pick the issuer on Bonafide or name one elsewhere, not both.")
            }
            var until: Date?
            let untilText = field(req, "validUntil")
            if !untilText.isEmpty {
                // The end of that day where the organization's people are.
                guard let day = Clock.parseLocal(untilText + "T23:59", zone: actor.user.timeZone) else {
                    throw Problem.invalid("validUntil", "Enter the date it is valid until.")
                }
                until = day
            }
            try await Credentials.add(
                .init(
                    kind: kind, title: field(req, "title"), issuerName: field(req, "issuerName"),
                    issuerID: issuerText.isEmpty ? nil : UUID(uuidString: issuerText), identifier: field(req, "identifier"),
                    validUntil: until),
                by: actor, on: req.db)
            req.flash(issuerText.isEmpty ? "Added, shown as not verified." : "Added. The issuer has been asked to confirm it.")
            return SiteURL.organizationSettings
        }
    }

    static func removeCredential(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.organizationSettings) {
            guard let id = uuid(req, "crid"), try await Credentials.remove(id, by: actor, on: req.db) else {
                throw Problem.notFound("credential")
            }
            req.flash("Removed.")
            return SiteURL.organizationSettings
        }
    }

    static func decideCredential(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.credentialRequests) {
            guard let id = uuid(req, "crid") else { throw Problem.notFound("credential") }
            guard let decision = Credentials.Decision(rawValue: field(req, "decision")) else {
                throw Problem.invalid("decision", "Confirm, decline or revoke.")
            }
            let c = try await Credentials.decide(id, decision, note: field(req, "note"), by: actor, on: req.db)
            req.flash("“\(c.title)” is now \(c.status == .verified ? "verified" : c.status.rawValue).")
            return SiteURL.credentialRequests
        }
    }
}
