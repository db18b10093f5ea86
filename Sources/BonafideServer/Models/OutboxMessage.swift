import Fluent
import Foundation

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
