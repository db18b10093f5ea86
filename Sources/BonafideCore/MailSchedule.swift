import Foundation

/// When a person may be mailed: their working days and quiet hours, in their own time zone.
///
/// Mail that comes up outside those times is held until the next moment inside them, so nobody is mailed at
/// 3 a.m. or on a Sunday they keep free; the daily digest goes out at the hour they chose.
public struct MailSchedule: Sendable, Equatable {
    /// Local minute of the day at which quiet hours begin and end; both nil for none. Start after end wraps
    /// midnight (22:00 to 07:00).
    public var quietStart: Int?
    public var quietEnd: Int?
    /// ISO weekdays (1 = Monday) on which mail is welcome.
    public var workDays: Set<Int>
    public var timeZone: TimeZone
    /// Local hour (0-23) of the daily digest.
    public var digestHour: Int

    public init(quietStart: Int? = nil, quietEnd: Int? = nil, workDays: Set<Int> = Set(1...7), timeZone: TimeZone, digestHour: Int = 8) {
        self.quietStart = quietStart
        self.quietEnd = quietEnd
        self.workDays = workDays.isEmpty ? Set(1...7) : workDays
        self.timeZone = timeZone
        self.digestHour = digestHour
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func isoWeekday(_ date: Date) -> Int {
        let weekday = calendar.component(.weekday, from: date)  // 1 = Sunday
        return weekday == 1 ? 7 : weekday - 1
    }

    private func localMinute(_ date: Date) -> Int {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    public func isQuiet(minute: Int) -> Bool {
        guard let start = quietStart, let end = quietEnd, start != end else { return false }
        return start < end ? (start..<end).contains(minute) : (minute >= start || minute < end)
    }

    /// Whether mail may go out at this moment.
    public func allows(_ date: Date) -> Bool {
        workDays.contains(isoWeekday(date)) && !isQuiet(minute: localMinute(date))
    }

    /// The first moment at or after `date` when mail may go out. Such moments start either at a local
    /// midnight (a working day begins) or where quiet hours end, so only those are tried after `date` itself.
    public func nextAllowed(from date: Date) -> Date {
        if allows(date) { return date }
        let calendar = calendar
        let today = calendar.startOfDay(for: date)
        var candidates: [Date] = []
        for offset in 0...8 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: today) else { continue }
            candidates.append(day)
            if let end = quietEnd, let t = calendar.date(bySettingHour: end / 60, minute: end % 60, second: 0, of: day) {
                candidates.append(t)
            }
        }
        return candidates.filter { $0 > date }.sorted().first(where: allows) ?? date
    }

    /// The moment `workingDays` of this person's working days have passed since `date`: the same local time,
    /// that many working days later (a question asked on Friday afternoon has waited two working days on Tuesday
    /// afternoon with a Monday-to-Friday week).
    public func adding(workingDays: Int, to date: Date) -> Date {
        var t = date
        var counted = 0
        var steps = 0
        while counted < workingDays, steps < 7 * (workingDays + 1) {
            t = calendar.date(byAdding: .day, value: 1, to: t) ?? t.addingTimeInterval(86_400)
            if workDays.contains(isoWeekday(t)) { counted += 1 }
            steps += 1
        }
        return t
    }

    /// Today's digest time (local `digestHour`:00) if it has passed at `date`, else yesterday's: the latest digest
    /// moment not after `date`. A digest is due when the last one went out before this moment.
    public func latestDigestMoment(atOrBefore date: Date) -> Date {
        let calendar = calendar
        let moment = calendar.date(bySettingHour: digestHour, minute: 0, second: 0, of: date) ?? calendar.startOfDay(for: date)
        if moment <= date { return moment }
        return calendar.date(byAdding: .day, value: -1, to: moment) ?? moment.addingTimeInterval(-86_400)
    }
}
