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
    ///
    /// The first two days are looked at first, and the whole fortnight only when they hold no answer: far fewer
    /// windows to pair in the usual case. Windows are in order
    /// of their start, and the two days' windows that end before the two days do were not cut short, so they are the
    /// fortnight's too: when the first that fits and every one before it ends in time, it is the fortnight's answer.
    public static func suggestion(_ a: WorkingHours, _ b: WorkingHours, after now: Date, minutes: Int) -> Date? {
        let from = now.addingTimeInterval(86_400)
        let near = now.addingTimeInterval(3 * 86_400)
        let soon = WorkingHours.overlap(a, b, from: from, to: near)
        if let fit = soon.firstIndex(where: { fits($0, minutes) }), soon[...fit].allSatisfy({ $0.end < near }) {
            return quarterHour(atOrAfter: soon[fit].start)
        }
        let windows = WorkingHours.overlap(a, b, from: from, to: now.addingTimeInterval(15 * 86_400))
        return windows.first { fits($0, minutes) }.map { quarterHour(atOrAfter: $0.start) }
    }

    private static func quarterHour(atOrAfter date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 900).rounded(.up) * 900)
    }

    /// Whether `minutes` from the window's first quarter hour end within it.
    private static func fits(_ window: DateInterval, _ minutes: Int) -> Bool {
        quarterHour(atOrAfter: window.start).addingTimeInterval(Double(minutes) * 60) <= window.end
    }
}
