import Foundation

/// A side's working week: local opening hours on ISO weekdays (1 = Monday) in an IANA time zone.
public struct WorkingHours: Sendable, Equatable, Codable {
    public var startMinute: Int
    public var endMinute: Int
    public var days: Set<Int>
    public var timeZone: TimeZone

    public init(startMinute: Int, endMinute: Int, days: Set<Int>, timeZone: TimeZone) {
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.days = days
        self.timeZone = timeZone
    }

    /// Parses "HH:MM"; nil for anything else.
    public static func minute(of text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    public static func text(ofMinute minute: Int) -> String {
        String(format: "%02d:%02d", minute / 60, minute % 60)
    }

    /// The working intervals of this side that intersect [from, to).
    public func intervals(from: Date, to: Date) -> [DateInterval] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var result: [DateInterval] = []
        // Start a day early: a local working day can begin before `from` in UTC terms.
        var day = calendar.startOfDay(for: from.addingTimeInterval(-86_400))
        while day < to {
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday
            let isoWeekday = weekday == 1 ? 7 : weekday - 1
            if days.contains(isoWeekday), endMinute > startMinute,
                let start = calendar.date(byAdding: .minute, value: startMinute, to: day),
                let end = calendar.date(byAdding: .minute, value: endMinute, to: day)
            {
                let lower = max(start, from)
                let upper = min(end, to)
                if lower < upper { result.append(DateInterval(start: lower, end: upper)) }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return result
    }

    /// Windows in [from, to) when both sides are at work.
    public static func overlap(_ a: WorkingHours, _ b: WorkingHours, from: Date, to: Date) -> [DateInterval] {
        let left = a.intervals(from: from, to: to)
        let right = b.intervals(from: from, to: to)
        var result: [DateInterval] = []
        for l in left {
            for r in right {
                let lower = max(l.start, r.start)
                let upper = min(l.end, r.end)
                if lower < upper { result.append(DateInterval(start: lower, end: upper)) }
            }
        }
        return result.sorted { $0.start < $1.start }
    }

    /// The overlap on the first day after `now` (within a week) where both sides work together.
    ///
    /// Usually that day is among the next three, and working out three days' hours costs a third of working out
    /// eight (calendar arithmetic, which was a twentieth of a partnership page): the eight are read only when the
    /// three cannot give the same answer. A working interval is shorter than a day, so when the first window starts
    /// at least two days before the end of the three, every window of its day ends before that end, unclipped, as in
    /// the eight.
    public static func nextOverlap(_ a: WorkingHours, _ b: WorkingHours, after now: Date) -> [DateInterval] {
        let near = now.addingTimeInterval(3 * 86_400)
        let soon = overlap(a, b, from: now, to: near)
        if let first = soon.first, first.start.addingTimeInterval(2 * 86_400) <= near {
            return soon.filter { $0.start < first.start.addingTimeInterval(86_400) }
        }
        let windows = overlap(a, b, from: now, to: now.addingTimeInterval(8 * 86_400))
        guard let first = windows.first else { return [] }
        return windows.filter { $0.start < first.start.addingTimeInterval(86_400) }
    }
}
