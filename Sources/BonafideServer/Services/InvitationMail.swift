import Fluent
import Foundation

/// Invitations go to the invited address by mail, with the link; the page still shows the link to copy.
/// The link is a secret, so the mail's text is blanked once the mail server took it, and a newer link
/// replaces a mail that has not gone out yet.
enum InvitationMail {
    static let partnershipKind = "partnership-invitation"
    static let colleagueKind = "colleague-invitation"

    static func partnership(
        _ p: Partnership, to email: String, secret: String, by actor: Actor, baseURL: String, now: Date = Date(), on db: any Database
    ) async throws {
        let organization = try await Organization.find(actor.organizationID, on: db)?.name ?? "A Bonafide organization"
        let about = "invitation:\(p.id!.uuidString.lowercased())"
        try await OutboxMessage.query(on: db).filter(\.$threadKey == about).filter(\.$status == .queued)
            .set(\.$status, to: .failed).set(\.$lastError, to: "Not sent: replaced by a newer invitation link.").set(\.$body, to: "")
            .update()
        let mail = OutboxMessage()
        mail.$organization.id = actor.organizationID
        mail.toEmail = email
        mail.kind = partnershipKind
        mail.createdAt = now
        mail.threadKey = about
        mail.subject = "\(actor.user.name) of \(organization) invites you to “\(p.name)” on Bonafide"
        mail.body = """
            \(actor.user.name) of \(organization) invites your organization to a partnership on Bonafide: “\(p.name)”.

            Open the invitation to read the agreement and accept or decline it (sign up first if you have no account):

            \(baseURL)\(SiteURL.invitation(secret))

            The link works until it is used or replaced by a newer one. If you did not expect this, you can ignore this mail.
            """
        try await mail.save(on: db)
    }

    static func colleague(
        _ invitation: ColleagueInvitation, secret: String, by actor: Actor, baseURL: String, now: Date = Date(), on db: any Database
    ) async throws {
        let organization = try await Organization.find(actor.organizationID, on: db)?.name ?? "a Bonafide organization"
        let mail = OutboxMessage()
        mail.$organization.id = actor.organizationID
        mail.toEmail = invitation.email
        mail.kind = colleagueKind
        mail.createdAt = now
        mail.threadKey = "colleague-invitation:\(invitation.id!.uuidString.lowercased())"
        mail.subject = "\(actor.user.name) invites you to join \(organization) on Bonafide"
        mail.body = """
            \(actor.user.name) invites you to join \(organization) on Bonafide as \(invitation.role.rawValue).

            Create your account with this link (it works once):

            \(baseURL)\(SiteURL.join(secret))

            If you did not expect this, you can ignore this mail.
            """
        try await mail.save(on: db)
    }

    /// Kinds whose text holds a secret link: not kept once delivered.
    static let secretKinds: Set<String> = [
        AccountLinks.mailKind, partnershipKind, colleagueKind, Events.confirmationKind, FeedbackPanels.invitationKind,
        Challenges.invitationKind,
    ]
}
