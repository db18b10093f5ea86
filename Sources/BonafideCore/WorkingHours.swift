import Foundation

/// A side's working week: local opening hours on ISO weekdays (1 = Monday) in an IANA time zone.
public struct WorkingHours: Sendable, Hashable, Codable {
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
    ///
    /// Calendar arithmetic in the side's zone was a twentieth of a partnership page (its overlap and its check-in
    /// suggestion each work out two sides' weeks), so a side's windows over the days around `from`'s UTC day are worked
    /// out once per day and kept (`windows`); [from, to) is cut from them. Cutting a wider span's windows to [from, to)
    /// gives exactly the windows working out [from, to) alone gives: both start from whole local days, and a working
    /// interval (under a day) that was cut short at the span's edges lies a day or more outside [from, to).
    public func intervals(from: Date, to: Date) -> [DateInterval] {
        let day = Int((from.timeIntervalSince1970 / 86_400).rounded(.down))
        let span = Self.keptSpan(around: day)
        guard to <= span.end,
            let windows = Self.windows.value(of: Kept(hours: self, day: day), { _ in workedOut(from: span.start, to: span.end) })
        else { return workedOut(from: from, to: to) }
        return windows.compactMap { w in
            let lower = max(w.start, from)
            let upper = min(w.end, to)
            return lower < upper ? DateInterval(start: lower, end: upper) : nil
        }
    }

    private struct Kept: Hashable, Sendable {
        var hours: WorkingHours
        var day: Int
    }

    /// A side's windows from the day before a UTC day to 17 days after it: what the page's overlap (8 days ahead) and
    /// the check-in suggestion (1 to 15 days ahead) ask for. Yesterday's keys stop coming, so when full it starts over.
    private static let windows = BoundedMemo<Kept, [DateInterval]>(maxEntries: 4096, maxBytes: 8 << 20, whenFull: .startOver) {
        _, windows in 64 + 32 * windows.count
    }

    static func keptSpan(around day: Int) -> DateInterval {
        DateInterval(
            start: Date(timeIntervalSince1970: Double(day - 1) * 86_400), end: Date(timeIntervalSince1970: Double(day + 17) * 86_400))
    }

    /// `intervals(from:to:)` worked out day by day in the side's zone, without the kept windows.
    func workedOut(from: Date, to: Date) -> [DateInterval] {
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
    /// Usually that day is among the next three, and three days' windows are far fewer pairs to compare than eight
    /// days': the eight are read only when the three cannot give the same answer. A working interval is shorter than a day, so when the first window starts
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
