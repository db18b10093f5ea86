import Foundation
import Testing

@testable import BonafideCore

@Suite("Commitment lifecycle")
struct CommitmentLifecycleTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    var due: Date { t0.addingTimeInterval(7 * 86_400) }

    func state(_ status: CommitmentStatus) -> CommitmentState { CommitmentState(status: status, dueAt: due) }

    @Test func happyPathFromProposalToCompletion() throws {
        var s = state(.proposed)
        s = try CommitmentLifecycle.apply(.accept, to: s, by: .recipient, at: t0)
        #expect(s.status == .accepted)
        s = try CommitmentLifecycle.apply(.deliver, to: s, by: .owner, at: t0.addingTimeInterval(3600))
        #expect(s.status == .delivered)
        #expect(s.deliveredAt == t0.addingTimeInterval(3600))
        s = try CommitmentLifecycle.apply(.approveDelivery, to: s, by: .recipient, at: t0.addingTimeInterval(7200))
        #expect(s.status == .completed)
        #expect(CommitmentLifecycle.outcome(of: s, flaggedBeforeDue: false, at: t0) == .onTime)
    }

    @Test func onlyTheRightSideMayAct() {
        #expect(throws: LifecycleError.wrongSide(.accept, needed: .recipient)) {
            try CommitmentLifecycle.apply(.accept, to: state(.proposed), by: .owner, at: t0)
        }
        #expect(throws: LifecycleError.wrongSide(.deliver, needed: .owner)) {
            try CommitmentLifecycle.apply(.deliver, to: state(.accepted), by: .recipient, at: t0)
        }
    }

    @Test func sendingBackNeedsAReasonAndReopensTheWork() throws {
        let delivered = CommitmentState(status: .delivered, dueAt: due, deliveredAt: t0)
        #expect(throws: LifecycleError.reasonRequired(.sendBack)) {
            try CommitmentLifecycle.apply(.sendBack, to: delivered, by: .recipient, at: t0, reason: "  ")
        }
        let back = try CommitmentLifecycle.apply(.sendBack, to: delivered, by: .recipient, at: t0, reason: "Missing tests")
        #expect(back.status == .accepted)
        #expect(back.deliveredAt == nil)
        let late = try CommitmentLifecycle.apply(
            .sendBack, to: delivered, by: .recipient, at: due.addingTimeInterval(1), reason: "Wrong file")
        #expect(late.status == .missed)
    }

    @Test func earlyNoticeOnlyBeforeTheDueDate() throws {
        let flagged = try CommitmentLifecycle.apply(.flagAtRisk, to: state(.accepted), by: .owner, at: t0, reason: "Supplier late")
        #expect(flagged.atRisk && flagged.atRiskReason == "Supplier late")
        #expect(throws: LifecycleError.pastDue(.flagAtRisk)) {
            try CommitmentLifecycle.apply(.flagAtRisk, to: state(.accepted), by: .owner, at: due, reason: "Too late")
        }
        let cleared = try CommitmentLifecycle.apply(.clearRisk, to: flagged, by: .owner, at: t0)
        #expect(!cleared.atRisk && cleared.atRiskReason == nil)
        #expect(throws: LifecycleError.notAtRisk) { try CommitmentLifecycle.apply(.clearRisk, to: cleared, by: .owner, at: t0) }
    }

    @Test func flaggedOnceAndDeliveredWorkIsNoLongerAtRisk() throws {
        let flagged = try CommitmentLifecycle.apply(.flagAtRisk, to: state(.accepted), by: .owner, at: t0, reason: "Supplier late")
        #expect(throws: LifecycleError.alreadyAtRisk) {
            try CommitmentLifecycle.apply(.flagAtRisk, to: flagged, by: .owner, at: t0, reason: "Again")
        }
        let delivered = try CommitmentLifecycle.apply(.deliver, to: flagged, by: .owner, at: t0)
        #expect(!delivered.atRisk && delivered.atRiskReason == nil)
        let completed = try CommitmentLifecycle.apply(.approveDelivery, to: delivered, by: .recipient, at: t0)
        #expect(completed.status == .completed && !completed.atRisk)
    }

    /// What a page offers is what `apply` accepts, in every status, side, risk and pending-date combination, before
    /// and after the due date; moving the work forward comes first and ending it last.
    @Test func theAllowedActionsAreExactlyThoseApplyAccepts() {
        for status in CommitmentStatus.allCases {
            for atRisk in [false, true] {
                for pending in [nil, due.addingTimeInterval(86_400)] {
                    let s = CommitmentState(status: status, dueAt: due, atRisk: atRisk, proposedDueAt: pending)
                    for side in [CommitmentSide.owner, .recipient] {
                        for now in [t0, due.addingTimeInterval(60)] {
                            let allowed = CommitmentLifecycle.allowedActions(in: s, by: side, at: now)
                            for action in CommitmentAction.allCases {
                                let accepted =
                                    (try? CommitmentLifecycle.apply(
                                        action, to: s, by: side, at: now, reason: "why", newDueAt: now.addingTimeInterval(86_400))) != nil
                                #expect(allowed.contains(action) == accepted, "\(action) \(status) \(side) risk \(atRisk)")
                            }
                        }
                    }
                }
            }
        }
        #expect(CommitmentLifecycle.allowedActions(in: state(.proposed), by: .recipient, at: t0) == [.accept, .decline])
        #expect(
            CommitmentLifecycle.allowedActions(in: state(.accepted), by: .owner, at: t0) == [
                .deliver, .flagAtRisk, .proposeNewDate, .withdraw,
            ])
        #expect(CommitmentLifecycle.allowedActions(in: state(.completed), by: .owner, at: t0).isEmpty)
    }

    @Test func newDateIsProposedThenAnswered() throws {
        let newDue = due.addingTimeInterval(3 * 86_400)
        #expect(throws: LifecycleError.dueDateRequired) {
            try CommitmentLifecycle.apply(.proposeNewDate, to: state(.accepted), by: .owner, at: t0, reason: "Scope grew")
        }
        #expect(throws: LifecycleError.dueDateNotInFuture) {
            try CommitmentLifecycle.apply(.proposeNewDate, to: state(.accepted), by: .owner, at: t0, reason: "x", newDueAt: t0)
        }
        let proposed = try CommitmentLifecycle.apply(
            .proposeNewDate, to: state(.accepted), by: .owner, at: t0, reason: "Scope grew", newDueAt: newDue)
        #expect(proposed.proposedDueAt == newDue && proposed.dueAt == due)
        #expect(throws: LifecycleError.dateChangeAlreadyPending) {
            try CommitmentLifecycle.apply(.proposeNewDate, to: proposed, by: .owner, at: t0, reason: "again", newDueAt: newDue)
        }
        let accepted = try CommitmentLifecycle.apply(.acceptNewDate, to: proposed, by: .recipient, at: t0)
        #expect(accepted.dueAt == newDue && accepted.proposedDueAt == nil)
        let refused = try CommitmentLifecycle.apply(.refuseNewDate, to: proposed, by: .recipient, at: t0)
        #expect(refused.dueAt == due && refused.proposedDueAt == nil)
        #expect(throws: LifecycleError.noPendingDateChange) {
            try CommitmentLifecycle.apply(.acceptNewDate, to: refused, by: .recipient, at: t0)
        }
    }

    @Test func missedCommitmentsCanStillBeDeliveredLate() throws {
        #expect(CommitmentLifecycle.isOverdue(state(.accepted), at: due))
        #expect(!CommitmentLifecycle.isOverdue(state(.accepted), at: due.addingTimeInterval(-1)))
        #expect(!CommitmentLifecycle.isOverdue(state(.proposed), at: due.addingTimeInterval(1)))
        let late = try CommitmentLifecycle.apply(.deliver, to: state(.missed), by: .owner, at: due.addingTimeInterval(86_400))
        #expect(late.status == .delivered)
        #expect(CommitmentLifecycle.outcome(of: late, flaggedBeforeDue: true, at: t0) == .lateWithNotice)
        #expect(CommitmentLifecycle.outcome(of: late, flaggedBeforeDue: false, at: t0) == .lateWithoutNotice)
        #expect(CommitmentLifecycle.outcome(of: state(.missed), flaggedBeforeDue: false, at: t0) == .missed)
    }

    @Test(arguments: [CommitmentStatus.completed, .declined, .withdrawn])
    func closedCommitmentsAcceptNothing(_ status: CommitmentStatus) {
        for action in CommitmentAction.allCases {
            #expect(throws: LifecycleError.self) {
                try CommitmentLifecycle.apply(action, to: state(status), by: action.side, at: t0, reason: "r", newDueAt: due)
            }
        }
    }
}

@Suite("Working hours, statistics, validation")
struct SupportTests {
    // Monday 23 November 2026, 00:00 UTC: Berlin is UTC+1, New York UTC-5, Kolkata UTC+5:30.
    let monday = ISO8601DateFormatter().date(from: "2026-11-23T00:00:00Z")!

    /// Days around which clocks change in 2026, both hemispheres, some at midnight: New York 8 March and 1 November,
    /// Europe 29 March and 25 October, Lord Howe 5 April and 4 October, Cairo 24 April, Santiago 6 September.
    static let clockChanges = [
        "2026-03-08T00:00:00Z", "2026-03-29T00:00:00Z", "2026-04-05T00:00:00Z", "2026-04-24T00:00:00Z", "2026-09-06T00:00:00Z",
        "2026-10-04T00:00:00Z", "2026-10-25T00:00:00Z", "2026-11-01T00:00:00Z",
    ].map { ISO8601DateFormatter().date(from: $0)! }

    func hours(_ start: String, _ end: String, _ zone: String, days: Set<Int> = [1, 2, 3, 4, 5]) -> WorkingHours {
        WorkingHours(
            startMinute: WorkingHours.minute(of: start)!, endMinute: WorkingHours.minute(of: end)!, days: days,
            timeZone: TimeZone(identifier: zone)!)
    }

    @Test func berlinAndNewYorkOverlapThreeHours() {
        let windows = WorkingHours.nextOverlap(
            hours("09:00", "17:30", "Europe/Berlin"), hours("08:30", "17:00", "America/New_York"), after: monday)
        let f = ISO8601DateFormatter()
        #expect(windows.map { f.string(from: $0.start) } == ["2026-11-23T13:30:00Z"])
        #expect(windows.map { f.string(from: $0.end) } == ["2026-11-23T16:30:00Z"])
    }

    @Test func kolkataAndNewYorkNeverOverlap() {
        let windows = WorkingHours.overlap(
            hours("10:00", "19:00", "Asia/Kolkata"), hours("08:30", "17:00", "America/New_York"),
            from: monday, to: monday.addingTimeInterval(7 * 86_400))
        #expect(windows.isEmpty)
    }

    @Test func weekendWorkersMeetOnlyOnSharedDays() {
        let windows = WorkingHours.overlap(
            hours("09:00", "12:00", "UTC", days: [6]), hours("10:00", "11:00", "UTC", days: [6, 7]),
            from: monday, to: monday.addingTimeInterval(7 * 86_400))
        #expect(windows.count == 1)
        #expect(windows.first?.duration == 3600)
    }

    /// The next overlap and a suggested check-in look at the next few days first and at the whole range only when
    /// those cannot hold the answer: they must answer as reading the whole range does, for any hours, zones (half
    /// hours, DST changes) and moments.
    @Test func theNextDaysGiveTheSameAnswersAsTheWholeRange() {
        let zones = [
            "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns",
            "Asia/Kathmandu", "Pacific/Kiritimati", "Europe/London", "America/Santiago", "America/Havana",
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        func randomHours() -> WorkingHours {
            let start = next(1_439)
            let days = Set((1...7).filter { _ in next(4) > 0 })
            return WorkingHours(
                startMinute: start, endMinute: start + 1 + next(1_439 - start), days: days.isEmpty ? [3] : days,
                timeZone: TimeZone(identifier: zones[next(zones.count)])!)
        }
        // The whole range, as both were worked out before.
        func wholeNextOverlap(_ a: WorkingHours, _ b: WorkingHours, _ now: Date) -> [DateInterval] {
            let windows = WorkingHours.overlap(a, b, from: now, to: now.addingTimeInterval(8 * 86_400))
            guard let first = windows.first else { return [] }
            return windows.filter { $0.start < first.start.addingTimeInterval(86_400) }
        }
        func wholeSuggestion(_ a: WorkingHours, _ b: WorkingHours, _ now: Date, _ minutes: Int) -> Date? {
            for w in WorkingHours.overlap(a, b, from: now.addingTimeInterval(86_400), to: now.addingTimeInterval(15 * 86_400)) {
                let start = Date(timeIntervalSince1970: (w.start.timeIntervalSince1970 / 900).rounded(.up) * 900)
                if start.addingTimeInterval(Double(minutes) * 60) <= w.end { return start }
            }
            return nil
        }
        // Around the spring and autumn changes of both hemispheres, at midnight too (Havana 8 March and 1 November,
        // Santiago 6 September and 4 October; an autumn day can hold a working interval longer than a day), and any
        // time of 2026.
        let changes = Self.clockChanges
        var differing: [String] = []
        for case_ in 0..<600 {
            let a = randomHours()
            let b = case_.isMultiple(of: 5) ? a : randomHours()
            let now =
                case_.isMultiple(of: 2)
                ? changes[next(changes.count)].addingTimeInterval(Double(next(6 * 86_400)) - 3 * 86_400)
                : monday.addingTimeInterval(Double(next(365 * 86_400)) - 330 * 86_400)
            let minutes = [15, 30, 45, 60, 120, 480][next(6)]
            if WorkingHours.nextOverlap(a, b, after: now) != wholeNextOverlap(a, b, now) {
                differing.append("next overlap \(a) \(b) \(now)")
            }
            if CheckInSchedule.suggestion(a, b, after: now, minutes: minutes) != wholeSuggestion(a, b, now, minutes) {
                differing.append("suggestion \(minutes) min \(a) \(b) \(now)")
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
    }

    /// Hours are read off the local clock: where the clocks skip midnight (Havana, 8 March 2026: the day starts at
    /// 01:00), that day and the days after it work from 09:00 local, not from 10:00; and so on a day New York moves its
    /// clocks at 02:00.
    @Test func daysAfterASkippedMidnightKeepTheirHours() {
        let havana = hours("09:00", "17:00", "America/Havana", days: [1, 2, 3, 4, 5, 6, 7])
        let from = ISO8601DateFormatter().date(from: "2026-03-07T12:00:00Z")!
        let windows = havana.intervals(from: from, to: from.addingTimeInterval(5 * 86_400))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Havana")!
        #expect(windows.count == 5)
        #expect(windows.map { calendar.component(.hour, from: $0.start) } == [9, 9, 9, 9, 9])
        #expect(windows.map { calendar.component(.hour, from: $0.end) } == [17, 17, 17, 17, 17])
        let newYork = hours("09:00", "17:00", "America/New_York", days: [7])
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        let sunday = newYork.intervals(from: from, to: from.addingTimeInterval(3 * 86_400))
        #expect(sunday.map { calendar.component(.hour, from: $0.start) } == [9])
        #expect(sunday.first.map { abs($0.duration - 8 * 3600) < 1 } == true)
        // Hours from midnight on a day without one begin when the day does (Havana's 01:00); on the day New York's
        // clocks go back, 00:00 to 23:59 is an hour longer than the clock says.
        calendar.timeZone = TimeZone(identifier: "America/Havana")!
        let early = hours("00:00", "08:00", "America/Havana", days: [7]).intervals(from: from, to: from.addingTimeInterval(3 * 86_400))
        #expect(early.map { calendar.component(.hour, from: $0.start) } == [1])
        #expect(early.first.map { abs($0.duration - 7 * 3600) < 1 } == true)
        let autumn = ISO8601DateFormatter().date(from: "2026-10-31T12:00:00Z")!
        let long = hours("00:00", "23:59", "America/New_York", days: [7]).intervals(from: autumn, to: autumn.addingTimeInterval(3 * 86_400))
        #expect(long.first.map { abs($0.duration - (24 * 3600 + 59 * 60)) < 1 } == true)
    }

    /// Every day's hours read off the local clock by the calendar, as `intervals` must give them (it skips the
    /// calendar on days without a change of clocks).
    func clockIntervals(_ hours: WorkingHours, from: Date, to: Date) -> [DateInterval] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = hours.timeZone
        var result: [DateInterval] = []
        var day = calendar.startOfDay(for: from.addingTimeInterval(-86_400))
        while day < to {
            let weekday = calendar.component(.weekday, from: day)
            if hours.days.contains(weekday == 1 ? 7 : weekday - 1), hours.endMinute > hours.startMinute,
                let start = calendar.date(bySettingHour: hours.startMinute / 60, minute: hours.startMinute % 60, second: 0, of: day),
                let end = calendar.date(bySettingHour: hours.endMinute / 60, minute: hours.endMinute % 60, second: 0, of: day),
                max(start, from) < min(end, to)
            {
                result.append(DateInterval(start: max(start, from), end: min(end, to)))
            }
            day = calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1, to: day)!)
        }
        return result
    }

    /// A side's kept windows, cut to any [from, to), are the windows worked out for [from, to) alone: for any hours and
    /// zones (half hours, DST changes), moments and lengths, including ranges longer than what is kept.
    @Test func keptWindowsAreTheWindowsWorkedOutAlone() {
        // Havana, Beirut, Santiago and Cairo change their clocks at midnight.
        let zones = [
            "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Kiritimati",
            "America/Havana", "Asia/Beirut", "America/Santiago", "Africa/Cairo",
        ]
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let changes = Self.clockChanges
        var differing: [String] = []
        for _ in 0..<600 {
            let start = next(1_439)
            let days = Set((1...7).filter { _ in next(3) > 0 })
            let hours = WorkingHours(
                startMinute: start, endMinute: start + 1 + next(1_439 - start), days: days.isEmpty ? [2] : days,
                timeZone: TimeZone(identifier: zones[next(zones.count)])!)
            let from = changes[next(changes.count)].addingTimeInterval(Double(next(8 * 86_400)) - 4 * 86_400)
            let to = from.addingTimeInterval(Double(next(20 * 86_400)))
            // Twice: worked out and kept the first time, cut from what is kept the second.
            for _ in 0..<2 where hours.keptIntervals(from: from, to: to) != hours.intervals(from: from, to: to) {
                differing.append("\(hours) \(from) \(to)")
            }
            if hours.intervals(from: from, to: to) != clockIntervals(hours, from: from, to: to) {
                differing.append("clock \(hours) \(from) \(to)")
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
    }

    @Test func parsesClockTimes() {
        #expect(WorkingHours.minute(of: "09:30") == 570)
        #expect(WorkingHours.minute(of: "24:00") == nil)
        #expect(WorkingHours.minute(of: "9:30") == nil)
        #expect(WorkingHours.text(ofMinute: 570) == "09:30")
    }

    @Test func medians() {
        #expect(ResponseStatistics.median([]) == nil)
        #expect(ResponseStatistics.median([5, 1, 3]) == 3)
        #expect(ResponseStatistics.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func validatesEmailsAndZones() {
        #expect(Validation.isEmail("a.b@example.co"))
        #expect(!Validation.isEmail("a@b"))
        #expect(!Validation.isEmail("a b@example.com"))
        #expect(!Validation.isEmail("@example.com"))
        #expect(Validation.isTimeZone("Europe/Berlin"))
        #expect(Validation.isTimeZone("UTC"))
        #expect(!Validation.isTimeZone("PST"))
        #expect(!Validation.isTimeZone("Mars/Olympus"))
        #expect(Validation.normalizedEmail("  Alice@Example.COM ") == "alice@example.com")
    }
}
