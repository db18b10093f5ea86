import BonafideCore
import Foundation

/// Values per period in time order with their 95% intervals as whiskers; red where the value fell clearly, green where
/// it rose. Drawn like `TimeChart`: lines in a stretching SVG (dots are round line caps, which stretching cannot
/// distort), scale and period labels as HTML text, each point's figures on hover.
struct IntervalChart: Sendable {
    struct Point: Sendable {
        var period: String
        var value: Double
        var interval: ClosedRange<Double>
        var change: Change
        var title: String
    }

    var label: String
    var points: [Point]
    var range: ClosedRange<Double>
    var reference: Double
    var valueText: @Sendable (Double) -> String

    func render() -> HTML {
        guard points.count >= 2, let first = points.first, let last = points.last else { return "" }
        let (low, high) = (range.lowerBound, range.upperBound)
        // 8 units of room above and below so whiskers and dots at the ends of the scale are not cut off.
        func y(_ v: Double) -> String { String(format: "%.1f", 112 - (min(max(v, low), high) - low) / (high - low) * 104) }
        let step = 560.0 / Double(points.count - 1)
        var marks = ""
        var line: [String] = []
        for (i, p) in points.enumerated() {
            let x = String(format: "%.1f", 20 + Double(i) * step)
            let color = p.change == .down ? "#c0392b" : p.change == .up ? "#1e8449" : "#2355d8"
            line.append("\(x),\(y(p.value))")
            marks += """
                <line x1="\(x)" x2="\(x)" y1="\(y(p.interval.lowerBound))" y2="\(y(p.interval.upperBound))" stroke="#9db5f0" stroke-width="6" vector-effect="non-scaling-stroke"/>\
                <line x1="\(x)" x2="\(x)" y1="\(y(p.value))" y2="\(y(p.value))" stroke="\(color)" stroke-width="9" stroke-linecap="round" vector-effect="non-scaling-stroke"><title>\(HTML.escape(p.title))</title></line>
                """
        }
        let svg = HTML(
            raw: """
                <svg class="trend-chart" viewBox="0 0 600 120" preserveAspectRatio="none" width="100%" height="120" aria-hidden="true" focusable="false">\
                <line x1="0" x2="600" y1="\(y(reference))" y2="\(y(reference))" stroke="#9aa3b2" stroke-dasharray="4 4" vector-effect="non-scaling-stroke"/>\
                <polyline points="\(line.joined(separator: " "))" fill="none" stroke="#2355d8" stroke-width="2" vector-effect="non-scaling-stroke"/>\(marks)</svg>
                """)
        let summary = points.map(\.title).joined(separator: "; ")
        return """
            <figure class="chart" role="img" aria-label="\(label): \(summary)">
            <div class="chart-plot" aria-hidden="true"><div class="chart-y"><span>\(valueText(high))</span><span>\(valueText(reference))</span><span>\(valueText(low))</span></div>\
            <div class="chart-area">\(svg)<div class="chart-x"><span>\(first.period)</span><span>\(last.period)</span></div></div></div>
            <figcaption class="small muted">\(label). Hover a point for its figures.</figcaption></figure>
            """
    }
}
