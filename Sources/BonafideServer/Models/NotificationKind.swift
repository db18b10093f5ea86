import BonafideCore
import Fluent
import Foundation

/// Every kind of notification a person can receive; each can be mailed at once, in the digest, or not at all.
enum NotificationKind: String, Codable, Sendable, CaseIterable {
    case partnershipInvitation = "partnership.invitation"
    case partnershipChanged = "partnership.changed"
    case commitmentProposed = "commitment.proposed"
    case commitmentAccepted = "commitment.accepted"
    case commitmentAtRisk = "commitment.atRisk"
    case commitmentNewDate = "commitment.newDate"
    case commitmentDelivered = "commitment.delivered"
    case commitmentSentBack = "commitment.sentBack"
    case commitmentDueSoon = "commitment.dueSoon"
    case commitmentMissed = "commitment.missed"
    case commitmentChanged = "commitment.changed"
    case messageReceived = "message.received"
    case messageNeedsAnswer = "message.needsAnswer"
    case messageReminder = "message.reminder"
    case incidentRaised = "incident.raised"
    case incidentUpdated = "incident.updated"
    case surveyResults = "survey.results"
    case mentionAlert = "mention.alert"
    case credentialRequest = "credential.request"
    case webhookDisabled = "webhook.disabled"
    case checkIn = "checkIn.changed"
    case statusUpdate = "status.update"
    case documentShared = "document.shared"
    case introduction = "introduction"
    case partnerUpdate = "update.published"
    case caseStudy = "caseStudy.changed"
    case updateReply = "update.reply"
    case thanks = "thanks.changed"
    // Support requests (migration 031).
    case support = "support.changed"
    case event = "event.changed"
    // Feedback panels (migration 032).
    case panel = "panel.changed"
    // Offers and early access (migration 033).
    case offer = "offer.published"
    // Challenges (migration 034).
    case challenge = "challenge.highlighted"
    case challengeStarted = "challenge.started"

    /// What the settings page calls it.
    var label: String {
        switch self {
        case .partnershipInvitation: "Invitations to a partnership"
        case .partnershipChanged: "A partnership accepted, ended or its agreement changed"
        case .commitmentProposed: "A commitment proposed to you"
        case .commitmentAccepted: "A commitment accepted"
        case .commitmentAtRisk: "A commitment flagged at risk"
        case .commitmentNewDate: "A new date proposed, accepted or refused"
        case .commitmentDelivered: "A delivery waiting for your acceptance"
        case .commitmentSentBack: "A delivery sent back"
        case .commitmentDueSoon: "A commitment due within 48 hours"
        case .commitmentMissed: "A missed commitment"
        case .commitmentChanged: "Other commitment changes (reworded, declined, withdrawn, risk cleared, delivery accepted)"
        case .messageReceived: "A message from a partner"
        case .messageNeedsAnswer: "A message that asks your side for an answer"
        case .messageReminder: "A question still unanswered after 2 working days"
        case .incidentRaised: "An incident raised against your side or disclosed to you"
        case .incidentUpdated: "Every update to an incident"
        case .surveyResults: "Survey results ready"
        case .mentionAlert: "A drop in what people say about you"
        case .credentialRequest: "A credential to confirm, confirmed or declined"
        case .webhookDisabled: "A webhook turned off after failing (owners and admins)"
        case .checkIn: "Check-ins scheduled, cancelled, held or skipped (with the calendar invitation)"
        case .statusUpdate: "Updates on the status pages you follow"
        case .documentShared: "A document shared with you, or one of yours revoked"
        case .introduction: "Introductions asked of you, made to you, or answered"
        case .partnerUpdate: "Updates from organizations you work with"
        case .caseStudy: "A case study about your work to confirm, or one confirmed, declined or withdrawn"
        case .updateReply: "Replies to your updates, and answers to your replies"
        case .thanks: "A thank-you to your organization to accept, or one accepted or declined"
        case .support: "Support requests to your organization, answers to yours, and ones left unanswered past your promise"
        case .event: "Events you registered for: confirmation, reminder, cancellation, recording, answers to your questions"
        case .panel: "Feedback panels: an invitation, and what was done with the ideas you proposed, voted for or commented on"
        case .offer: "Offers and early access from organizations you work with"
        case .challenge: "Challenges: your entry highlighted by the organization that runs the challenge"
        case .challengeStarted: "Challenges: a new one from an organization you work with, or one you are invited to"
        }
    }

    /// The kind of a commitment's notification, from the action taken.
    static func commitment(_ action: CommitmentAction) -> NotificationKind {
        switch action {
        case .accept: .commitmentAccepted
        case .flagAtRisk: .commitmentAtRisk
        case .proposeNewDate, .acceptNewDate, .refuseNewDate: .commitmentNewDate
        case .deliver: .commitmentDelivered
        case .sendBack: .commitmentSentBack
        case .decline, .withdraw, .approveDelivery, .clearRisk: .commitmentChanged
        }
    }
}
