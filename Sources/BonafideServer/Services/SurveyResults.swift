import BonafideCore
import Fluent
import Foundation

/// A score with its interval, for either kind of survey: one type for the page, the API and comparisons.
struct ScoreSummary: Sendable {
    let kind: SurveyKind
    /// How many answered each point of the scale, lowest first.
    let distribution: [Int]

    init(kind: SurveyKind, scores: [Int?]) {
        self.kind = kind
        var counts = [Int](repeating: 0, count: kind.scale.count)
        for case let s? in scores where kind.scale.contains(s) { counts[s - kind.scale.lowerBound] += 1 }
        distribution = counts
    }

    var nps: NPS {
        NPS(
            promoters: distribution[9...].reduce(0, +), passives: distribution[7...8].reduce(0, +),
            detractors: distribution[...6].reduce(0, +))
    }
    var csat: CSAT { CSAT(counts: distribution) }

    var n: Int { distribution.reduce(0, +) }
    var score: Double? { kind == .nps ? nps.score : csat.score }
    var interval: ClosedRange<Double>? { kind == .nps ? nps.interval : csat.interval }

    func change(since other: ScoreSummary) -> Change { kind == .nps ? nps.change(since: other.nps) : csat.change(since: other.csat) }

    /// "NPS 40 (12 to 61)" or "CSAT 80% (49 to 94)".
    var text: String {
        guard let score, let interval else { return "no answers yet" }
        let unit = kind == .nps ? "" : "%"
        return
            "\(Int(score.rounded()))\(unit) (95% interval \(Int(interval.lowerBound.rounded())) to \(Int(interval.upperBound.rounded()))\(unit))"
    }
}

/// What a survey found: the score and its interval, response rate, distribution, trend, segments, extra questions
/// and the sentiment of the reasons.
struct SurveyResults: Sendable {
    struct Group: Sendable {
        let label: String
        let summary: ScoreSummary
        /// Against the previous period (trend) or against everyone else (segments).
        let change: Change
    }

    struct QuestionResult: Sendable {
        let question: SurveyQuestion
        let answered: Int
        let mean: Double?
        let counts: [(String, Int)]
        let texts: [String]
    }

    struct Comment: Sendable {
        let text: String
        let score: Int?
        let sentiment: Double
        let drivers: [Sentiment.Driver]
        let segment: String
    }

    let summary: ScoreSummary
    let recipients: Int
    let invited: Int
    let responded: Int
    let optedOut: Int
    let skipped: Int
    let trend: [Group]
    let segments: [Group]
    /// By the circle the survey's organization keeps each respondent's organization in, each against the rest.
    let circles: [Group]
    let questions: [QuestionResult]
    let comments: [Comment]

    var responseRate: Double? { invited > 0 ? Double(responded) / Double(invited) : nil }
    var meanSentiment: Double? {
        comments.isEmpty ? nil : comments.map(\.sentiment).reduce(0, +) / Double(comments.count)
    }

    static func load(_ survey: Survey, on db: any Database) async throws -> SurveyResults {
        let recipients = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).all()
        let responses = try await SurveyResponse.query(on: db).filter(\.$survey.$id == survey.id!).sort(\.$submittedAt).all()
        let optedOut = try await Surveys.optedOutEmails(of: survey.$organization.id, on: db)
        let byID = Dictionary(recipients.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let circles = try await Circles.circles(
            of: survey.$organization.id, for: Set(recipients.compactMap { $0.$partner.id }), on: db)
        return compute(
            survey: survey, recipients: recipients, responses: responses, recipientByID: byID, optedOut: optedOut, circles: circles)
    }

    static func compute(
        survey: Survey, recipients: [SurveyRecipient], responses: [SurveyResponse], recipientByID: [UUID: SurveyRecipient],
        optedOut: Set<String>, circles: [UUID: Circle] = [:]
    ) -> SurveyResults {
        let kind = survey.kind
        let summary = ScoreSummary(kind: kind, scores: responses.map(\.score))
        // Trend by week of answering (Monday-based, UTC), each week against the one before it.
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = .gmt
        let trend = periods(responses, kind: kind) { date in
            "Week of " + (calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? date).formatted(.iso8601.year().month().day())
        }
        // Segments (partner or CSV segment), each against everyone else who answered.
        let segments = eachAgainstTheRest(responses, kind: kind, unnamed: "(no segment)") { recipientByID[$0.$recipient.id]?.segment ?? "" }
        let byCircle =
            circles.isEmpty
            ? []
            : eachAgainstTheRest(responses, kind: kind, unnamed: "In no circle") { r in
                recipientByID[r.$recipient.id]?.$partner.id.flatMap { circles[$0]?.title } ?? ""
            }
        let answers = responses.map(\.answers)
        let questions = survey.questions.map { q -> QuestionResult in
            let given = answers.compactMap { $0[q.id] }
            switch q.kind {
            case .scale:
                let numbers = given.compactMap { if case .number(let n) = $0 { n } else { nil } }
                let counts = ((q.min ?? 1)...(q.max ?? 5)).map { v in (String(v), numbers.filter { $0 == v }.count) }
                return .init(
                    question: q, answered: numbers.count,
                    mean: numbers.isEmpty ? nil : Double(numbers.reduce(0, +)) / Double(numbers.count),
                    counts: counts, texts: [])
            case .choice:
                let texts = given.map(\.display)
                return .init(
                    question: q, answered: texts.count, mean: nil,
                    counts: (q.options ?? []).map { o in (o, texts.filter { $0 == o }.count) },
                    texts: [])
            case .text:
                return .init(question: q, answered: given.count, mean: nil, counts: [], texts: given.map(\.display))
            }
        }
        let comments = responses.compactMap { r -> Comment? in
            guard !r.reason.isEmpty, let sentiment = r.sentiment else { return nil }
            return Comment(
                text: r.reason, score: r.score, sentiment: sentiment, drivers: StoredDrivers.decode(r.driversJSON),
                segment: recipientByID[r.$recipient.id]?.segment ?? "")
        }
        return SurveyResults(
            summary: summary, recipients: recipients.count, invited: recipients.filter { $0.invitedAt != nil }.count,
            responded: responses.count, optedOut: recipients.filter { optedOut.contains($0.email) }.count,
            skipped: responses.filter { $0.score == nil }.count, trend: trend, segments: segments, circles: byCircle, questions: questions,
            comments: comments)
    }

    /// Responses grouped by a period label in time order (responses come sorted by time), each period against the one
    /// before it.
    static func periods(_ responses: [SurveyResponse], kind: SurveyKind, label: (Date) -> String) -> [Group] {
        var periods: [(String, [Int?])] = []
        for r in responses {
            let name = label(r.submittedAt)
            if periods.last?.0 == name { periods[periods.count - 1].1.append(r.score) } else { periods.append((name, [r.score])) }
        }
        var groups: [Group] = []
        for (name, scores) in periods {
            let s = ScoreSummary(kind: kind, scores: scores)
            groups.append(.init(label: name, summary: s, change: groups.last.map { s.change(since: $0.summary) } ?? .notEnoughData))
        }
        return groups
    }

    /// Responses grouped by a key, each group against all the others; nothing when there is only one group.
    static func eachAgainstTheRest(
        _ responses: [SurveyResponse], kind: SurveyKind, unnamed: String, key: (SurveyResponse) -> String
    ) -> [Group] {
        var byKey: [String: [Int?]] = [:]
        for r in responses { byKey[key(r), default: []].append(r.score) }
        guard byKey.count >= 2 else { return [] }
        return byKey.keys.sorted().map { name in
            let s = ScoreSummary(kind: kind, scores: byKey[name]!)
            let rest = ScoreSummary(kind: kind, scores: byKey.filter { $0.key != name }.flatMap(\.value))
            return Group(label: name.isEmpty ? unnamed : name, summary: s, change: s.change(since: rest))
        }
    }

    /// Every response as CSV: one row a respondent, extra questions as columns.
    static func csv(_ survey: Survey, on db: any Database) async throws -> String {
        let recipients = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).all()
        let byID = Dictionary(recipients.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let responses = try await SurveyResponse.query(on: db).filter(\.$survey.$id == survey.id!).sort(\.$submittedAt).all()
        let questions = survey.questions
        var out = CSV.row(["submitted_at", "email", "name", "segment", "score", "reason", "sentiment"] + questions.map(\.id))
        for r in responses {
            let who = byID[r.$recipient.id]
            let answers = r.answers
            out += CSV.row(
                [
                    r.submittedAt.formatted(.iso8601), who?.email ?? "", who?.name ?? "", who?.segment ?? "",
                    r.score.map(String.init) ?? "",
                    r.reason, r.sentiment.map { String(format: "%.4f", $0) } ?? "",
                ] + questions.map { answers[$0.id]?.display ?? "" })
        }
        return out
    }
}

/// An organization's surveys over time: each kind's score per month, and per campaign, across all its surveys.
struct SurveyOverview: Sendable {
    struct Line: Sendable {
        let kind: SurveyKind
        let months: [SurveyResults.Group]
        let campaigns: [SurveyResults.Group]
    }

    let lines: [Line]

    static func load(for organization: UUID, on db: any Database) async throws -> SurveyOverview {
        let surveys = try await Survey.query(on: db).filter(\.$organization.$id == organization).all()
        guard !surveys.isEmpty else { return SurveyOverview(lines: []) }
        let responses = try await SurveyResponse.query(on: db).filter(\.$survey.$id ~~ surveys.map { $0.id! }).sort(\.$submittedAt).all()
        let byID = Dictionary(surveys.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [Line] = []
        for kind in SurveyKind.allCases {
            let mine = responses.filter { byID[$0.$survey.id]?.kind == kind }
            guard !mine.isEmpty else { continue }
            let months = SurveyResults.periods(mine, kind: kind) { $0.formatted(.iso8601.year().month()) }
            let campaigns = SurveyResults.eachAgainstTheRest(mine, kind: kind, unnamed: "(no campaign)") {
                byID[$0.$survey.id]?.campaign ?? ""
            }
            lines.append(Line(kind: kind, months: months, campaigns: campaigns))
        }
        return SurveyOverview(lines: lines)
    }
}
