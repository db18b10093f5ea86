import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A response time an organization promises in its own words ("replies within one working day").
enum ResponseTime: Sendable, Equatable {
    /// By the end of the working day the question arrives on (or of the next one, outside hours).
    case sameDay
    case workingDays(Int)
    case workingHours(Int)
    case days(Int)
    case hours(Int)

    /// "1 working day", "24 hours": what a promise and a note say.
    var label: String {
        func plural(_ n: Int, _ unit: String) -> String { n == 1 ? "1 \(unit)" : "\(n) \(unit)s" }
        switch self {
        case .sameDay: return "the same working day"
        case .workingDays(let n): return plural(n, "working day")
        case .workingHours(let n): return plural(n, "working hour")
        case .days(let n): return plural(n, "day")
        case .hours(let n): return plural(n, "hour")
        }
    }

    /// When an answer to a question asked at `asked` is due. Promises in working time are counted in the
    /// organization's own week, so a question on Friday evening is not late on Saturday; an organization with no
    /// working hours set falls back to calendar time.
    func deadline(from asked: Date, hours: WorkingHours) -> Date {
        let workday = TimeInterval(max(0, hours.endMinute - hours.startMinute) * 60)
        switch self {
        case .hours(let n): return asked.addingTimeInterval(TimeInterval(n) * 3_600)
        case .days(let n): return asked.addingTimeInterval(TimeInterval(n) * 86_400)
        case .workingHours(let n):
            return Self.adding(working: TimeInterval(n) * 3_600, to: asked, hours: hours)
                ?? asked.addingTimeInterval(TimeInterval(n) * 3_600)
        case .workingDays(let n):
            return Self.adding(working: TimeInterval(n) * workday, to: asked, hours: hours)
                ?? asked.addingTimeInterval(TimeInterval(n) * 86_400)
        case .sameDay:
            return hours.intervals(from: asked, to: asked.addingTimeInterval(8 * 86_400)).first?.end ?? asked.addingTimeInterval(86_400)
        }
    }

    /// The moment `seconds` of working time have passed since `start`; nil when the week has no working time.
    static func adding(working seconds: TimeInterval, to start: Date, hours: WorkingHours) -> Date? {
        guard seconds > 0, !hours.days.isEmpty, hours.endMinute > hours.startMinute else { return nil }
        var left = seconds
        var from = start
        // A week at a time: `intervals` clips to the window, so consecutive windows never count an hour twice.
        for _ in 0..<60 {
            let to = from.addingTimeInterval(7 * 86_400)
            for window in hours.intervals(from: from, to: to) {
                if window.duration >= left { return window.start.addingTimeInterval(left) }
                left -= window.duration
            }
            from = to
        }
        return nil
    }

    // MARK: Reading it from a profile

    /// Words that make a sentence about answering, so "we deliver designs within 2 days" is not read as a promise to
    /// answer.
    static let responseWords = ["repl", "respon", "answer", "support", "get back", "turnaround", "reachable"]
    private static let anchors: Set<String> = ["within", "in", "under"]
    private static let fillers: Set<String> = ["less", "than", "at", "most", "max", "maximum", "about", "around", "roughly", "just", "the"]
    private static let qualifiers: Set<String> = ["working", "business", "work"]
    private static let dayWords: Set<String> = ["day", "days"]
    private static let hourWords: Set<String> = ["hour", "hours", "h", "hr", "hrs"]
    private static let weekWords: Set<String> = ["week", "weeks"]
    private static let numbers: [String: Int] = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "twelve": 12,
    ]

    /// The first response-time promise in the text, with the sentence it is in; nil when it makes none.
    static func claim(in text: String) -> (time: ResponseTime, sentence: String)? {
        let sentences = text.split(whereSeparator: { ".;!?\n".contains($0) })
        for sentence in sentences {
            let lowered = sentence.lowercased()
            guard responseWords.contains(where: { lowered.contains($0) }) else { continue }
            if let time = scan(tokens(lowered)) { return (time, sentence.trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }

    static func parse(_ text: String) -> ResponseTime? { claim(in: text)?.time }

    /// Runs of letters and runs of digits: "24h" is "24" "h", "24/7" is "24" "7".
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var currentIsDigit = false
        for c in text {
            let isDigit = c.isASCII && c.isNumber
            if c.isLetter || isDigit {
                if !current.isEmpty, isDigit != currentIsDigit {
                    out.append(current)
                    current = ""
                }
                current.append(c)
                currentIsDigit = isDigit
            } else if !current.isEmpty {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// One pass over the words: "same (working) day", "next (working) day", and "within|in|under [less than] N
    /// [working|business] day(s)|hour(s)|week(s)".
    private static func scan(_ t: [String]) -> ResponseTime? {
        var i = 0
        while i < t.count {
            if t[i] == "same" || t[i] == "next" {
                var j = i + 1
                if j < t.count, qualifiers.contains(t[j]) { j += 1 }
                if j < t.count, dayWords.contains(t[j]) { return t[i] == "same" ? .sameDay : .workingDays(1) }
            }
            if anchors.contains(t[i]) {
                var j = i + 1
                while j < t.count, fillers.contains(t[j]) { j += 1 }
                if j < t.count, let n = Int(t[j]) ?? numbers[t[j]], (1...1_000).contains(n) {
                    j += 1
                    var working = false
                    if j < t.count, qualifiers.contains(t[j]) {
                        working = true
                        j += 1
                    }
                    if j < t.count {
                        if dayWords.contains(t[j]) { return working ? .workingDays(n) : .days(n) }
                        if hourWords.contains(t[j]) { return working ? .workingHours(n) : .hours(n) }
                        if weekWords.contains(t[j]) { return working ? .workingDays(5 * n) : .days(7 * n) }
                    }
                }
            }
            i += 1
        }
        return nil
    }
}

/// The profile's claims set beside what the record shows, as gentle notes for the organization's own owners and
/// admins: what you say, what the record shows, and a suggestion. A note is written only when the two disagree and
/// there is enough record to say so; otherwise the check says why it is quiet. Nobody else sees any of it.
///
/// Checked: the response time the profile promises against first answers to support requests and partners'
/// questions; the working hours against when its people's messages go out; an availability that says it can take
/// on work against the commitments it has in progress. Skills against completed work is not checked: commitments
/// carry no skill, so any match of words would be guesswork.
enum Consistency {
    struct Note: Sendable, Equatable {
        var key: String
        /// The gist in one line: "You say you answer within 1 working day; your median over the last 90 days is 3 days."
        var title: String
        var claim: String
        var record: String
        var suggestion: String
    }

    struct Report: Sendable, Equatable {
        var notes: [Note]
        /// For each check without a note, why it is quiet (they agree, or there is too little record yet).
        var quiet: [String]
    }

    static let window: TimeInterval = 90 * 86_400
    /// Answers needed before a median says anything about a habit.
    static let minimumAnswers = 5
    /// Messages needed before a share of them outside working hours means anything.
    static let minimumMessages = 10
    static let outsideHoursShare = 0.4
    /// Commitments in progress beyond which "available" reads as optimistic.
    static let busyCommitments = 10

    /// The notes for one's own organization; owners and admins only.
    static func report(for actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Report {
        try Policy.manageOrganization(actor)
        return try await report(of: actor.organizationID, at: now, on: db)
    }

    static func notes(of organization: UUID, at now: Date = Date(), on db: any Database) async throws -> [Note] {
        try await report(of: organization, at: now, on: db).notes
    }

    static func report(of organization: UUID, at now: Date = Date(), on db: any Database) async throws -> Report {
        guard let org = try await Organization.find(organization, on: db) else { throw Problem.notFound("organization") }
        let sections = try await ProfileSections.all(of: org, on: db)
        let hours = Accounts.workingHours(of: org)
        var notes: [Note] = []
        var quiet: [String] = []
        let checks = [
            try await responseTime(org, sections, hours, at: now, on: db),
            try await workingHours(org, hours, at: now, on: db),
            try await availability(org, sections, on: db),
        ]
        for check in checks {
            switch check {
            case .note(let note): notes.append(note)
            case .quiet(let why): quiet.append(why)
            }
        }
        return Report(notes: notes, quiet: quiet)
    }

    private enum Outcome {
        case note(Note)
        case quiet(String)
    }

    // MARK: The checks

    /// The promised response time against first answers in the last 90 days: to support requests, and to partners'
    /// questions (messages that asked for an answer, as the answer-time badge reads them). Each answer is judged
    /// against the deadline the promise sets for it in the organization's working week; the promise is broken when
    /// more than half came after theirs, that is when the median answer is later than promised. A question still
    /// open past its deadline counts as waiting until now; one whose deadline has not come is left out.
    private static func responseTime(
        _ org: Organization, _ sections: [ProfileSections.Section], _ hours: WorkingHours, at now: Date, on db: any Database
    ) async throws -> Outcome {
        let found = sections.lazy.compactMap { s in ResponseTime.claim(in: s.content).map { (section: s, claim: $0) } }.first
        guard let found else {
            return .quiet(
                "Response time: your profile names none (for example “We reply within one working day”), so there is nothing to compare.")
        }
        let (section, claim) = (found.section, found.claim)
        let id = org.id!
        let since = now.addingTimeInterval(-window)
        // Two columns of each request and question in one read, the partnerships a subquery: the whole requests, the
        // partnerships and the questions decoded as models only to take these two dates from them. A request the
        // requester settled before any answer says nothing about answering.
        let rows = try await db.sql().raw(
            """
            SELECT created_at AS asked_at, first_response_at AS answered_at FROM support_requests
            WHERE provider_organization_id = \(bind: id) AND created_at >= \(bind: since)
              AND (first_response_at IS NOT NULL OR status <> \(bind: SupportStatus.resolved.rawValue))
            UNION ALL
            \(Messages.questionsFromPartners(to: id, since: since))
            """
        ).all()
        let asked = try rows.map { row in
            (
                asked: try row.decode(column: "asked_at", as: Date.self),
                answered: try row.decodeIfPresent(column: "answered_at", as: Date.self)
            )
        }
        let judged = asked.compactMap { item -> (wait: TimeInterval, late: Bool)? in
            let due = claim.time.deadline(from: item.asked, hours: hours)
            guard item.answered != nil || due < now else { return nil }
            let answered = item.answered ?? now
            return (answered.timeIntervalSince(item.asked), answered > due)
        }
        let promise = claim.time.label
        guard judged.count >= minimumAnswers else {
            return .quiet(
                "Response time: \(judged.count) question\(judged.count == 1 ? "" : "s") and support request\(judged.count == 1 ? "" : "s") to judge in the last 90 days; comparing with your promise of \(promise) needs at least \(minimumAnswers)."
            )
        }
        let median = Support.median(judged.map { $0.wait }) ?? 0
        let late = judged.filter { $0.late }.count
        guard late * 2 > judged.count else {
            return .quiet(
                "Response time: your median first answer of \(Recognition.duration(median)) keeps your promise of \(promise) (\(judged.count - late) of \(judged.count) in time)."
            )
        }
        return .note(
            Note(
                key: "responseTime",
                title: "You say you answer within \(promise); your median over the last 90 days is \(Recognition.duration(median)).",
                claim: "Your profile (\(section.title)): “\(claim.sentence)”",
                record:
                    "\(late) of the \(judged.count) support requests and partners' questions of the last 90 days got their first answer after \(promise); the median wait was \(Recognition.duration(median)).",
                suggestion:
                    "If that is the pace you can keep, say so on your profile: partners plan around what you promise. If it is not, a shared inbox or a support rota may bring answers back within \(promise)."
            ))
    }

    /// The working hours on the profile against when the organization's people actually write: partnership
    /// messages and support replies of the last 90 days.
    private static func workingHours(_ org: Organization, _ hours: WorkingHours, at now: Date, on db: any Database) async throws -> Outcome
    {
        let id = org.id!
        let since = now.addingTimeInterval(-window)
        let inPartnerships = try await Message.query(on: db).filter(\.$organization.$id == id).filter(\.$createdAt >= since)
            .field(\.$createdAt).all().map(\.createdAt)
        let inSupport = try await SupportMessage.query(on: db).filter(\.$organization.$id == id).filter(\.$createdAt >= since)
            .field(\.$createdAt).all().map(\.createdAt)
        let written = inPartnerships + inSupport
        let stated = ProfileSections.workingHoursText(hours)
        guard written.count >= minimumMessages else {
            return .quiet(
                "Working hours: \(written.count) message\(written.count == 1 ? "" : "s") from your people in the last 90 days; comparing with your hours needs at least \(minimumMessages)."
            )
        }
        // Read once for the whole window; each message is then a lookup among a few dozen intervals.
        let windows = hours.intervals(from: since.addingTimeInterval(-86_400), to: now.addingTimeInterval(86_400))
        let outside = written.filter { date in !windows.contains { $0.contains(date) } }.count
        let share = Double(outside) / Double(written.count)
        let percent = Int((share * 100).rounded())
        guard share > outsideHoursShare else {
            return .quiet("Working hours: \(100 - percent)% of your people's \(written.count) messages went out within \(stated).")
        }
        return .note(
            Note(
                key: "workingHours",
                title: "You say you work \(stated); \(percent)% of your messages go out outside those hours.",
                claim: "Your profile's working hours: \(stated).",
                record:
                    "\(outside) of the \(written.count) messages and support replies your people sent in the last 90 days went out outside them.",
                suggestion:
                    "If that is how you work, widen the hours on your profile so partners know when to expect you. If it is not, it may be worth a look at the workload behind the late evenings."
            ))
    }

    private static let availableWords = ["available", "capacity", "taking on", "open for", "free for", "can start"]
    private static let unavailableWords = [
        "not available", "unavailable", "no capacity", "fully booked", "not taking", "no new", "limited",
    ]

    /// An availability section that says the organization can take on work, against the commitments it owns that
    /// are in progress.
    private static func availability(_ org: Organization, _ sections: [ProfileSections.Section], on db: any Database) async throws
        -> Outcome
    {
        let text = sections.first(where: { $0.name == "availability" })?.content.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let lowered = text.lowercased()
        guard !text.isEmpty, availableWords.contains(where: { lowered.contains($0) }),
            !unavailableWords.contains(where: { lowered.contains($0) })
        else {
            return .quiet("Availability: your profile does not say you are available for new work, so there is nothing to compare.")
        }
        let open = try await Commitment.query(on: db).filter(\.$ownerOrganization.$id == org.id!).filter(\.$status == .accepted).count()
        guard open > busyCommitments else {
            return .quiet(
                "Availability: \(open) commitment\(open == 1 ? "" : "s") of yours in progress; nothing contradicts your availability.")
        }
        return .note(
            Note(
                key: "availability",
                title: "You say you are available; \(open) commitments of yours are in progress.",
                claim: "Your profile (Availability): “\(String(text.prefix(200)))”",
                record: "You own \(open) accepted commitments that are not delivered yet.",
                suggestion:
                    "If you can still take on work, all is well. If not, update your availability so new partners plan with the real picture."
            ))
    }
}
