import Fluent
import Foundation

// Fluent models are reference types with property wrappers; @unchecked Sendable because each instance is
// used by one request or job at a time and never shared while mutable.

enum SurveyKind: String, Codable, Sendable, CaseIterable {
    case nps, csat

    var scale: ClosedRange<Int> { self == .nps ? 0...10 : 1...5 }

    var defaultQuestion: String {
        switch self {
        case .nps: "How likely are you to recommend us to a friend or colleague?"
        case .csat: "How satisfied are you with our work together?"
        }
    }
}

enum SurveyStatus: String, Codable, Sendable { case open, closed }

/// An extra question after the main score: a scale, a choice or free text. Skipping is always allowed.
struct SurveyQuestion: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable { case scale, choice, text }
    var id: String
    var kind: Kind
    var prompt: String
    var options: [String]?
    var min: Int?
    var max: Int?
}

/// One answer to an extra question: a number for scales, the option for choices, text otherwise.
enum SurveyAnswer: Codable, Sendable, Equatable {
    case number(Int)
    case text(String)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .text(let t): try c.encode(t)
        }
    }

    var display: String {
        switch self {
        case .number(let n): String(n)
        case .text(let t): t
        }
    }
}

final class Survey: Model, @unchecked Sendable {
    static let schema = "surveys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    @Enum(key: "kind") var kind: SurveyKind
    @Field(key: "question") var question: String
    @Field(key: "campaign") var campaign: String
    /// The extra questions as JSON (`[SurveyQuestion]`).
    @Field(key: "questions") var questionsJSON: String
    @Enum(key: "status") var status: SurveyStatus
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}

    var questions: [SurveyQuestion] {
        get { (try? JSONDecoder().decode([SurveyQuestion].self, from: Data(questionsJSON.utf8))) ?? [] }
        set { questionsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}

final class SurveyRecipient: Model, @unchecked Sendable {
    static let schema = "survey_recipients"

    @ID(key: .id) var id: UUID?
    @Parent(key: "survey_id") var survey: Survey
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// Where the answer is compared: the partner's name, a CSV segment, or empty.
    @Field(key: "segment") var segment: String
    /// Set when the recipient works for a partner organization: their answer is also trust evidence.
    @OptionalParent(key: "partner_organization_id") var partner: Organization?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "invited_at") var invitedAt: Date?
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    @Field(key: "reminders") var reminders: Int
    @OptionalField(key: "responded_at") var respondedAt: Date?

    init() {}
}

final class SurveyResponse: Model, @unchecked Sendable {
    static let schema = "survey_responses"

    @ID(key: .id) var id: UUID?
    @Parent(key: "survey_id") var survey: Survey
    @Parent(key: "recipient_id") var recipient: SurveyRecipient
    /// The main score; nil when skipped (then it counts toward the response rate, not the score).
    @OptionalField(key: "score") var score: Int?
    @Field(key: "reason") var reason: String
    /// Extra answers as JSON (`[String: SurveyAnswer]` by question id).
    @Field(key: "answers") var answersJSON: String
    @OptionalField(key: "sentiment") var sentiment: Double?
    /// The phrases that drove the sentiment of the reason, as JSON (`[Sentiment.Driver]`).
    @Field(key: "drivers") var driversJSON: String
    @Field(key: "submitted_at") var submittedAt: Date

    init() {}

    var answers: [String: SurveyAnswer] {
        (try? JSONDecoder().decode([String: SurveyAnswer].self, from: Data(answersJSON.utf8))) ?? [:]
    }
}

final class SurveyOptOut: Model, @unchecked Sendable {
    static let schema = "survey_opt_outs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "email") var email: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "to_email") var toEmail: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "kind") var kind: String
    @Field(key: "created_at") var createdAt: Date
    @Enum(key: "status") var status: OutboxStatus
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    /// Set while one server is sending it, so two never send the same message at once.
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    /// The person a notification mail is for; its text, links and headers are made when it is sent.
    @OptionalField(key: "user_id") var userID: UUID?
    /// The `NotificationKind` (or "digest") of a notification mail.
    @OptionalField(key: "event_kind") var eventKind: String?
    /// The page to act on, as a path of the web app.
    @OptionalField(key: "link") var link: String?
    /// What the mail is about ("commitment:ID"), so one thing's mails group into one thread.
    @OptionalField(key: "thread_key") var threadKey: String?
    /// One event for one person: unique, so a retried job never mails it twice.
    @OptionalField(key: "dedupe_key") var dedupeKey: String?
    /// An iCalendar invitation (METHOD:REQUEST) sent along as an attachment.
    @OptionalField(key: "calendar") var calendar: String?

    init() {
        status = .queued
        attempts = 0
    }
}

enum OutboxStatus: String, Codable, Sendable {
    /// Waiting for the SMTP sender (or for a mail server to be configured).
    case queued
    /// Accepted by the mail server.
    case sent
    /// Refused for good by the mail server, or still failing after every retry.
    case failed
    /// A notification the person wants in their daily digest, not yet in one.
    case digest
    /// Went out as part of a digest mail.
    case digested
}

final class ServerKey: Model, @unchecked Sendable {
    static let schema = "server_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "secret") var secret: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
