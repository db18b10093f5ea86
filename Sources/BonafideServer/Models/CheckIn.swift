import BonafideCore
import Fluent
import Foundation

/// A partnership's recurring meeting: when, how often, where (a video link), in whose time zone.
final class CheckIn: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "check_ins"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "title") var title: String
    @Field(key: "frequency") var frequencyText: String
    @Field(key: "first_at") var firstAt: Date
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Field(key: "video_link") var videoLink: String
    @Field(key: "time_zone") var timeZone: String
    @Parent(key: "created_by_id") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?
    /// Bumped on every change, for calendars (SEQUENCE).
    @Field(key: "sequence") var sequence: Int

    init() {}

    var frequency: CheckInSchedule.Frequency { .init(rawValue: frequencyText) ?? .weekly }
    var schedule: CheckInSchedule {
        CheckInSchedule(frequency: frequency, first: firstAt, timeZone: TimeZone(identifier: timeZone) ?? .gmt)
    }
}

/// An agenda point for a meeting (before) or its notes (after), by either side.
final class CheckInItem: Model, @unchecked Sendable {
    // @unchecked: see CheckIn.
    static let schema = "check_in_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "check_in_id") var checkIn: CheckIn
    @Field(key: "occurs_at") var occursAt: Date
    @Field(key: "kind") var kind: String
    @Parent(key: "author_id") var author: User
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// What became of one meeting: held (with notes) or skipped. One per meeting.
final class CheckInMeeting: Model, @unchecked Sendable {
    // @unchecked: see CheckIn.
    static let schema = "check_in_meetings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "check_in_id") var checkIn: CheckIn
    @Field(key: "occurs_at") var occursAt: Date
    @Field(key: "status") var status: String
    @Parent(key: "recorded_by_id") var recordedBy: User
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}
