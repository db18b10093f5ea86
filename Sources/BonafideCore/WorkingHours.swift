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

    /// The working intervals of this side that intersect [from, to), worked out day by day in the side's zone.
    public func intervals(from: Date, to: Date) -> [DateInterval] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var result: [DateInterval] = []
        // Start a day early: a local working day can begin before `from` in UTC terms.
        var day = calendar.startOfDay(for: from.addingTimeInterval(-86_400))
        while day < to {
            // The next day's own start: where a change of clocks skips midnight (Havana, Beirut, Santiago), that day
            // starts at 01:00, and a day added to it would start every later day at 01:00 too.
            guard let next = calendar.date(byAdding: .day, value: 1, to: day).map(calendar.startOfDay(for:)), next > day else { break }
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday
            let isoWeekday = weekday == 1 ? 7 : weekday - 1
            if days.contains(isoWeekday), endMinute > startMinute, let (start, end) = window(of: day, before: next, in: calendar) {
                let lower = max(start, from)
                let upper = min(end, to)
                if lower < upper { result.append(DateInterval(start: lower, end: upper)) }
            }
            day = next
        }
        return result
    }

    /// The working hours of the local day that starts at `day`, read off the local clock: on a day the clocks change,
    /// 09:00 is not nine hours after its start. A day of 24 hours with one offset throughout starts at midnight and
    /// has no change, so there its hours are its start plus minutes, without the calendar's search for a clock time
    /// (which costs several times more, and Consistency walks 90 days of questions).
    private func window(of day: Date, before next: Date, in calendar: Calendar) -> (Date, Date)? {
        if next.timeIntervalSince(day) == 86_400, timeZone.secondsFromGMT(for: day) == timeZone.secondsFromGMT(for: next) {
            return (day.addingTimeInterval(Double(startMinute) * 60), day.addingTimeInterval(Double(endMinute) * 60))
        }
        guard let start = calendar.date(bySettingHour: startMinute / 60, minute: startMinute % 60, second: 0, of: day),
            let end = calendar.date(bySettingHour: endMinute / 60, minute: endMinute % 60, second: 0, of: day)
        else { return nil }
        return (start, end)
    }

    /// `intervals(from:to:)` for what the overlap of two sides asks: the days ahead of now (the partnership page's
    /// overlap, check-in suggestions, search). Calendar arithmetic in the side's zone was a twentieth of a partnership
    /// page, so a side's windows from the day before `from`'s UTC day to 17 days after it are worked out once and kept
    /// (`windows`), and [from, to) is cut from them. That gives exactly the windows of [from, to) worked out alone:
    /// each day starts at its own local start, wherever the working out began; a window cut short at the span's start
    /// ended before `from` (its day began before the span did, and `from` is a day or more after the span's start);
    /// and one cut at the span's end is cut at `to` alike.
    func keptIntervals(from: Date, to: Date) -> [DateInterval] {
        let day = Int((from.timeIntervalSince1970 / 86_400).rounded(.down))
        let span = DateInterval(
            start: Date(timeIntervalSince1970: Double(day - 1) * 86_400), end: Date(timeIntervalSince1970: Double(day + 17) * 86_400))
        guard to <= span.end,
            let windows = Self.windows.value(of: Kept(hours: self, day: day), { _ in intervals(from: span.start, to: span.end) })
        else { return intervals(from: from, to: to) }
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

    /// Yesterday's keys stop coming, so when full it starts over.
    private static let windows = BoundedMemo<Kept, [DateInterval]>(maxEntries: 4096, maxBytes: 8 << 20, whenFull: .startOver) {
        _, windows in 64 + 32 * windows.count
    }

    /// Windows in [from, to) when both sides are at work.
    public static func overlap(_ a: WorkingHours, _ b: WorkingHours, from: Date, to: Date) -> [DateInterval] {
        let left = a.keptIntervals(from: from, to: to)
        let right = b.keptIntervals(from: from, to: to)
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
    /// days': the eight are read only when the three cannot give the same answer. A working interval lasts at most a
    /// day and an hour (a day the clocks go back), so when the first window starts at least that long plus a day
    /// before the end of the three, every window of its day ends before that end, unclipped, as in the eight.
    public static func nextOverlap(_ a: WorkingHours, _ b: WorkingHours, after now: Date) -> [DateInterval] {
        let near = now.addingTimeInterval(3 * 86_400)
        let soon = overlap(a, b, from: now, to: near)
        if let first = soon.first, first.start.addingTimeInterval(2 * 86_400 + 3_600) <= near {
            return soon.filter { $0.start < first.start.addingTimeInterval(86_400) }
        }
        let windows = overlap(a, b, from: now, to: now.addingTimeInterval(8 * 86_400))
        guard let first = windows.first else { return [] }
        return windows.filter { $0.start < first.start.addingTimeInterval(86_400) }
    }
}
