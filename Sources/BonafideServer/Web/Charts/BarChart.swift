import Foundation

/// Counts as vertical bars: the bars in inline SVG, the scale, labels and counts as HTML text so they stay readable
/// on a phone; each bar answers hover with its label and count, and a legend names the colours when they mean
/// something (NPS detractors, passives, promoters).
struct BarChart: Sendable {
    struct Bar: Sendable {
        var label: String
        var count: Int
        var color: String = "#2355d8"
    }

    var label: String
    var bars: [Bar]
    var legend: [(color: String, text: String)] = []

    static let detractor = "#c0392b"
    static let passive = "#8a6d1f"
    static let promoter = "#1e7a47"

    /// The score distribution of a survey, coloured by what each score means for the NPS or CSAT.
    static func scores(_ counts: [Int], scale: ClosedRange<Int>, nps: Bool) -> BarChart {
        func color(_ score: Int) -> String {
            nps
                ? (score <= 6 ? detractor : score <= 8 ? passive : promoter)
                : (score <= 2 ? detractor : score == 3 ? passive : promoter)
        }
        return BarChart(
            label: "Answers per score",
            bars: counts.enumerated().map { i, n in Bar(label: String(scale.lowerBound + i), count: n, color: color(scale.lowerBound + i))
            },
            legend: nps
                ? [(detractor, "detractors (0–6)"), (passive, "passives (7–8)"), (promoter, "promoters (9–10)")]
                : [(detractor, "dissatisfied (1–2)"), (passive, "neutral (3)"), (promoter, "satisfied (4–5)")])
    }

    func render() -> HTML {
        guard !bars.isEmpty else { return "" }
        let top = max(1, bars.map(\.count).max() ?? 1)
        let width = 600.0
        let slot = width / Double(bars.count)
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let rects = bars.enumerated().map { i, b in
            let h = Double(b.count) / Double(top) * 120
            return """
                <rect x="\(f(Double(i) * slot + slot * 0.12))" y="\(f(120 - h))" width="\(f(slot * 0.76))" height="\(f(h))" fill="\(b.color)"><title>\(HTML.escape(b.label)): \(b.count)</title></rect>
                """
        }.joined()
        let summary = bars.map { "\($0.label): \($0.count)" }.joined(separator: ", ")
        let labels = HTML.join(
            bars.map { b in HTML("<span title=\"\(b.label): \(b.count)\">\(String(b.label.prefix(14)))<b>\(b.count)</b></span>") })
        let key: HTML =
            legend.isEmpty
            ? ""
            : HTML(
                "<p class=\"small chart-legend\">\(HTML.join(legend.map { l in HTML("<span><span style=\"color:\(l.color)\" aria-hidden=\"true\">■</span> \(l.text)</span>") }))</p>"
            )
        return """
            <figure class="chart bar-chart" role="img" aria-label="\(label): \(summary)">
            <div class="chart-plot" aria-hidden="true"><div class="chart-y"><span>\(top)</span><span>\(top > 1 ? String(top / 2) : "")</span><span>0</span></div>\
            <div class="chart-area">\(HTML(raw: "<svg viewBox=\"0 0 600 120\" preserveAspectRatio=\"none\" width=\"100%\" height=\"120\" focusable=\"false\">\(rects)</svg>"))\
            <div class="bar-labels" style="grid-template-columns:repeat(\(bars.count),1fr)">\(labels)</div></div></div>\(key)</figure>
            """
    }
}
