import BonafideCore
import Foundation

/// One brand's card on the mentions page: its mean sentiment over all mentions, the last 30 days against the 30
/// before, the last twelve weeks as a chart, and its most positive and most negative mentions.
struct BrandCard: Sendable {
    struct Extreme: Sendable {
        var quote: MentionQuote
        var score: String
        /// The phrases that drove the score, quoted; empty when none did.
        var drivers: String
    }

    var brand: String
    var key: String
    var partner: Bool
    /// The mean over all its mentions ("+0.21"), or "–" when there is none.
    var mean: String
    var count: Int
    var positive: Int
    var neutral: Int
    var negative: Int
    /// The last 30 days' mean with its 95% interval when there is one, or "–".
    var lastMonth: String
    var lastMonthCount: Int
    var monthChange: Change
    var weeks: [IntervalChart.Point]
    var mostPositive: [Extreme]
    var mostNegative: [Extreme]

    func render() -> HTML {
        let month: HTML =
            switch monthChange {
            case .down: "<span class=\"risk\">lower than the 30 days before</span>"
            case .up: "<span class=\"badge\">higher than the 30 days before</span>"
            case .noClearChange: "<span class=\"muted\">no clear change from the 30 days before</span>"
            case .notEnoughData: "<span class=\"muted\">too few mentions to compare with the 30 days before</span>"
            }
        let chart = IntervalChart(
            label: "Mean sentiment of \(brand) by week with 95% intervals", points: weeks, range: -1...1, reference: 0,
            valueText: { String(format: "%+.1f", $0) })
        // Brand keys may contain spaces, which an element id may not.
        let elementID = key.replacingOccurrences(of: " ", with: "-")
        func withDrivers(_ e: Extreme) -> String { e.drivers.isEmpty ? "" : " · " + e.drivers }
        func extremes(_ list: [Extreme], _ title: String, _ id: String) -> HTML {
            list.isEmpty
                ? ""
                : "<h3>\(title)</h3><ul id=\"\(id)\">\(HTML.join(list.map { HTML("<li>\($0.quote.render()) <span class=\"small muted\">\($0.score)\(withDrivers($0))</span></li>") }))</ul>"
        }
        return """
            <section class="card brand-sentiment" data-brand="\(key)"><h2>\(brand)\(partner ? HTML(" <span class=\"badge\">partner</span>") : "")</h2>
            <p><strong class="trust-figure">\(mean)</strong> mean sentiment over \(count) mention\(count == 1 ? "" : "s") · \(positive) positive, \(neutral) neutral, \(negative) negative</p>
            <p class="small">Last 30 days: \(lastMonth) over \(lastMonthCount) · \(month)</p>
            \(chart.render())
            \(weeks.count >= 2 ? HTML("<p class=\"small muted\">By week (UTC, Monday first); a red point fell clearly below the four weeks before.</p>") : "")
            \(extremes(mostPositive, "Most positive", "most-positive-\(elementID)"))\(extremes(mostNegative, "Most negative", "most-negative-\(elementID)"))
            </section>
            """
    }
}

extension BrandCard {
    init(_ b: Mentions.BrandSummary, clock: Clock) {
        func mean(_ e: MeanEstimate) -> String {
            guard let m = e.mean else { return "–" }
            let interval = e.interval.map { String(format: " (95%% interval %+.2f to %+.2f)", $0.lowerBound, $0.upperBound) } ?? ""
            return String(format: "%+.2f", m) + interval
        }
        func extreme(_ m: Mention) -> Extreme {
            Extreme(quote: MentionQuote(m), score: String(format: "%+.2f", m.sentiment), drivers: StoredDrivers.quoted(m.drivers))
        }
        // Weeks without a mention have no mean and no point.
        let weeks = b.weeks.compactMap { w -> IntervalChart.Point? in
            guard let m = w.estimate.mean else { return nil }
            let interval = w.estimate.interval ?? m...m
            return IntervalChart.Point(
                period: clock.format(w.start, "d MMM"), value: m, interval: interval, change: w.change,
                title: String(
                    format: "Week of %@: %+.2f over %d, %@", w.start.formatted(.iso8601.year().month().day()), m, w.estimate.n,
                    w.change.rawValue))
        }
        self.init(
            brand: b.brand, key: b.key, partner: b.partnerID != nil, mean: b.overall.mean.map { String(format: "%+.2f", $0) } ?? "–",
            count: b.overall.n, positive: b.positive, neutral: b.neutral, negative: b.negative, lastMonth: mean(b.lastMonth),
            lastMonthCount: b.lastMonth.n, monthChange: b.monthChange, weeks: weeks, mostPositive: b.mostPositive.map(extreme),
            mostNegative: b.mostNegative.map(extreme))
    }
}
