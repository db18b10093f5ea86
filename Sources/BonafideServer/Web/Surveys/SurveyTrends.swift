import BonafideCore
import Foundation

/// Survey scores side by side, by period or by group, as the surveys list and a survey's page show them: a chart of
/// each score with its 95% interval, and a table of each against what it is compared with.
enum SurveyTrends {
    /// One period or group of answers.
    struct Group: Sendable {
        var label: String
        /// Nil before any answer, as is the interval.
        var score: Double?
        var interval: ClosedRange<Double>?
        /// "40 (95% interval 12 to 61)", or "no answers yet".
        var summary: String
        var answers: Int
        /// Against the previous period, or against everyone else.
        var change: Change
    }

    /// Score per period with its 95% interval as a whisker.
    static func chart(_ groups: [Group], kind: SurveyKind) -> HTML {
        IntervalChart(
            label: "Score over time with 95% intervals",
            points: groups.compactMap { g in
                guard let score = g.score, let interval = g.interval else { return nil }
                return IntervalChart.Point(
                    period: g.label, value: score, interval: interval, change: g.change,
                    title:
                        "\(g.label): \(Int(score.rounded())) (\(Int(interval.lowerBound.rounded())) to \(Int(interval.upperBound.rounded()))), \(g.change.rawValue)"
                )
            }, range: kind == .nps ? -100...100 : 0...100, reference: kind == .nps ? 0 : 50, valueText: { String(Int($0)) }
        ).render()
    }

    static func table(_ groups: [Group], against: String) -> HTML {
        let rows = HTML.join(
            groups.map { g in
                let change: HTML =
                    switch g.change {
                    case .up: "<span class=\"badge\">higher</span>"
                    case .down: "<span class=\"risk\">lower</span>"
                    case .noClearChange: "<span class=\"muted\">no clear difference</span>"
                    case .notEnoughData: "<span class=\"muted\">–</span>"
                    }
                return "<tr><td>\(g.label)</td><td>\(g.summary)</td><td>\(g.answers)</td><td>\(change)</td></tr>"
            })
        return
            "<table class=\"score-groups\"><thead><tr><th></th><th>Score</th><th>Answers</th><th>Against \(against)</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}

extension SurveyTrends.Group {
    init(_ group: SurveyResults.Group) {
        self.init(
            label: group.label, score: group.summary.score, interval: group.summary.interval, summary: group.summary.text,
            answers: group.summary.n, change: group.change)
    }
}
