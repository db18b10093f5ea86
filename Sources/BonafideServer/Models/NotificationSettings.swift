import BonafideCore
import Fluent
import Foundation

/// What a person wants mailed, and when: one row per person, made on first change; absent means the defaults
/// (every kind at once, no quiet hours, every day, digest at 08:00).
final class NotificationSettings: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "notification_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "digest_hour") var digestHour: Int
    @OptionalField(key: "quiet_start") var quietStart: Int?
    @OptionalField(key: "quiet_end") var quietEnd: Int?
    /// ISO weekdays as "1,2,3,4,5".
    @Field(key: "work_days") var workDaysText: String
    /// `{kind: mode}` for the kinds changed from the default (immediately).
    @Field(key: "modes") var modesJSON: String
    /// Bumped to reset the calendar address: the old one stops working.
    @Field(key: "calendar_version") var calendarVersion: Int
    @OptionalField(key: "last_digest_at") var lastDigestAt: Date?

    init() {}

    init(userID: UUID) {
        self.$user.id = userID
        digestHour = 8
        workDaysText = "1,2,3,4,5,6,7"
        modesJSON = "{}"
        calendarVersion = 0
    }

    var workDays: Set<Int> { Set(workDaysText.split(separator: ",").compactMap { Int($0) }.filter { (1...7).contains($0) }) }

    var modes: [NotificationKind: NotificationMode] {
        get {
            let raw = (try? JSONDecoder().decode([String: String].self, from: Data(modesJSON.utf8))) ?? [:]
            var modes: [NotificationKind: NotificationMode] = [:]
            for (k, v) in raw {
                if let kind = NotificationKind(rawValue: k), let mode = NotificationMode(rawValue: v) { modes[kind] = mode }
            }
            return modes
        }
        set {
            let raw = Dictionary(
                uniqueKeysWithValues: newValue.filter { $0.value != .immediately }.map { ($0.key.rawValue, $0.value.rawValue) })
            modesJSON = String(decoding: (try? JSONEncoder().encode(raw)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }

    func mode(for kind: NotificationKind) -> NotificationMode { modes[kind] ?? .immediately }

    func schedule(timeZone: String) -> MailSchedule {
        MailSchedule(
            quietStart: quietStart, quietEnd: quietEnd, workDays: workDays,
            timeZone: TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!, digestHour: digestHour)
    }
}

/// How a person wants one kind of notification by mail.
enum NotificationMode: String, Codable, Sendable, CaseIterable {
    case immediately, digest, off

    var label: String {
        switch self {
        case .immediately: "Immediately"
        case .digest: "In the daily digest"
        case .off: "Not by mail"
        }
    }
}

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

/// An inbound mail already taken (or refused), by its Message-ID: the same mail delivered twice posts once.
final class InboundMail: Model, @unchecked Sendable {
    // @unchecked: see NotificationSettings.
    static let schema = "inbound_mails"

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: String
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "outcome") var outcome: String

    init() {}
}
