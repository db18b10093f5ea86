import Fluent
import Foundation

/// A webinar or live Q&A an organization holds for an audience it chooses (`Audience`, checked through `Access` like
/// an update). Named `LiveEvent` because `Event` already names a partnership's timeline entry in the API.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class LiveEvent: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    /// Markdown, rendered with `Markdown.html`. Not called `description`: that is every model's
    /// `CustomStringConvertible` text.
    @Field(key: "description") var details: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "duration_minutes") var durationMinutes: Int
    /// The organizer's IANA zone: the time is also shown as the organizer speaks of it, and calendars keep it.
    @Field(key: "time_zone") var timeZone: String
    /// Seats; nil for no limit.
    @OptionalField(key: "capacity") var capacity: Int?
    @Field(key: "video_link") var videoLink: String
    @OptionalField(key: "recording_link") var recordingLink: String?
    @Enum(key: "audience") var audience: Audience
    @Enum(key: "status") var status: EventStatus
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date
    /// Set by the one server that claimed the reminder mails, so they go out once.
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    /// The iCalendar SEQUENCE: raised by a cancellation, so calendars take the newest version.
    @Field(key: "sequence") var sequence: Int

    init() {}

    var endsAt: Date { startsAt.addingTimeInterval(Double(durationMinutes) * 60) }
}
