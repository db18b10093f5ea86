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
