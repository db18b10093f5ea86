import BonafideCore
import Fluent
import Foundation

/// What the invited organization sees at an invitation link: who invites it to what, the proposed agreement, and how
/// to answer (signed in) or how to get an account first. A pure view of its model.
struct InvitationPage: Sendable {
    var secret: String
    var inviter: String
    var inviterOrganization: String
    var partnershipName: String
    var agreement: String?
    var invitedEmail: String
    /// Signed in: the answer buttons; otherwise the ways to sign in or up.
    var signedIn: Bool
    var csrf: String

    static func load(secret: String, for actor: Actor?, csrf: String, on db: any Database) async throws -> Self {
        let p = try await Partnerships.invitation(secret: secret, for: actor, on: db)
        return InvitationPage(
            secret: secret, inviter: p.createdBy.name, inviterOrganization: p.organization.name, partnershipName: p.name,
            agreement: try await Partnerships.latestAgreement(of: p, on: db)?.text, invitedEmail: p.invitedEmail ?? "",
            signedIn: actor != nil, csrf: csrf)
    }

    func render() -> HTML {
        let respond: HTML =
            signedIn
            ? """
            <div class="actions"><form method="post" action="\(SiteURL.invitationAccept(secret))">\(csrfField(csrf))<button>Accept</button></form>
            <form method="post" action="\(SiteURL.invitationDecline(secret))">\(csrfField(csrf))<button class="secondary">Decline</button></form></div>
            """
            : """
            <p>Sign in or create an account for your organization to answer.</p>
            <p><a class="button" href="\(SiteURL.signup(email: invitedEmail))">Sign up</a> <a class="button" href="\(SiteURL.login(next: SiteURL.invitation(secret)))">Sign in</a></p>
            """
        return """
            <div class="card"><h1>\(inviter) of \(inviterOrganization) invites you to “\(partnershipName)”</h1>
            \(agreement.map { HTML("<h2>Proposed agreement</h2><pre class=\"agreement\">\($0)</pre>") } ?? "")
            \(respond)</div>
            """
    }
}
