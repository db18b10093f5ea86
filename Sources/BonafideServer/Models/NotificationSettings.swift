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
