import Foundation

/// When a recurring check-in meets: from a first meeting, every week, every two weeks or every month, at the same
/// local time in the organizer's time zone (so a 10:00 meeting stays at 10:00 across daylight-saving changes).
public struct CheckInSchedule: Sendable, Equatable {
    public enum Frequency: String, Sendable, CaseIterable, Codable {
        case weekly, biweekly, monthly

        /// The RFC 5545 recurrence rule.
        public var rule: String {
            switch self {
            case .weekly: "FREQ=WEEKLY"
            case .biweekly: "FREQ=WEEKLY;INTERVAL=2"
            case .monthly: "FREQ=MONTHLY"
            }
        }

        public var label: String {
            switch self {
            case .weekly: "every week"
            case .biweekly: "every two weeks"
            case .monthly: "every month"
            }
        }
    }

    public var frequency: Frequency
    public var first: Date
    public var timeZone: TimeZone

    public init(frequency: Frequency, first: Date, timeZone: TimeZone) {
        self.frequency = frequency
        self.first = first
        self.timeZone = timeZone
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The n-th meeting (0 = the first). Monthly meetings on the 31st fall on the month's last day.
    public func meeting(_ n: Int) -> Date {
        switch frequency {
        case .weekly: calendar.date(byAdding: .weekOfYear, value: n, to: first) ?? first
        case .biweekly: calendar.date(byAdding: .weekOfYear, value: 2 * n, to: first) ?? first
        case .monthly: calendar.date(byAdding: .month, value: n, to: first) ?? first
        }
    }

    /// Meetings in [from, to), at most `limit`.
    public func meetings(from: Date, to: Date, limit: Int = 500) -> [Date] {
        guard to > first else { return [] }
        // The longest period, so the estimate never starts past a meeting in the window (months vary in length).
        let period: TimeInterval = frequency == .monthly ? 31 * 86_400 : (frequency == .weekly ? 7 : 14) * 86_400
        // Start a little before the first meeting that can fall in the window, then walk.
        var n = max(0, Int(from.timeIntervalSince(first) / period) - 2)
        var result: [Date] = []
        while result.count < limit {
            let t = meeting(n)
            if t >= to { break }
            if t >= from { result.append(t) }
            n += 1
        }
        return result
    }

    /// Whether `date` is one of the meetings.
    public func isMeeting(_ date: Date) -> Bool {
        meetings(from: date, to: date.addingTimeInterval(1), limit: 1).first == date
    }

    /// The next meeting at or after `date`.
    public func next(after date: Date) -> Date? {
        meetings(from: date, to: date.addingTimeInterval(62 * 86_400), limit: 1).first
    }

    /// A suggested first meeting: the start of the next window, at least a day ahead, in which both sides are at
    /// work for `minutes`, on a quarter hour.
    public static func suggestion(_ a: WorkingHours, _ b: WorkingHours, after now: Date, minutes: Int) -> Date? {
        let windows = WorkingHours.overlap(a, b, from: now.addingTimeInterval(86_400), to: now.addingTimeInterval(15 * 86_400))
        for w in windows {
            let quarter = (w.start.timeIntervalSince1970 / 900).rounded(.up) * 900
            let start = Date(timeIntervalSince1970: quarter)
            if start.addingTimeInterval(Double(minutes) * 60) <= w.end { return start }
        }
        return nil
    }
}
