import BonafideCore
import Fluent
import Foundation

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
