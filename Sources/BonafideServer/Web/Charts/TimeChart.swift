import Foundation

/// A value over time as inline SVG with its axes in HTML around it: the SVG stretches to any width (only lines and
/// areas in it), while the labels stay readable text on a phone. Each point answers hover with its date and value,
/// and the values are in a table for screen readers and for anyone who wants the numbers.
struct TimeChart: Sendable {
    struct Point: Sendable {
        var at: Date
        var value: Double
        /// A band around the value (for trust: from belief to belief + uncertainty); nil draws none.
        var band: ClosedRange<Double>?
        var note: String
    }

    var id: String
    var label: String
    var points: [Point]
    var range: ClosedRange<Double>
    var reference: Double?
    var valueText: @Sendable (Double) -> String
    var clock: Clock

    func render() -> HTML {
        let sorted = points.sorted { $0.at < $1.at }
        guard sorted.count >= 2, let first = sorted.first, let last = sorted.last else { return "" }
        let width = 600.0
        let height = 120.0
        let span = max(0.001, last.at.timeIntervalSince(first.at))
        let (low, high) = (range.lowerBound, range.upperBound)
        func x(_ p: Point) -> Double { p.at.timeIntervalSince(first.at) / span * width }
        func y(_ v: Double) -> Double { height - (min(max(v, low), high) - low) / (high - low) * height }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let line = sorted.map { "\(f(x($0))),\(f(y($0.value)))" }.joined(separator: " ")
        var band = ""
        if sorted.allSatisfy({ $0.band != nil }) {
            let upper = sorted.map { "\(f(x($0))),\(f(y($0.band!.upperBound)))" }
            let lower = sorted.reversed().map { "\(f(x($0))),\(f(y($0.band!.lowerBound)))" }
            band = "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"#dbe8ff\" opacity=\"0.8\"/>"
        }
        // Hover: each point owns the strip of the chart nearest to it.
        var strips = ""
        for (i, p) in sorted.enumerated() {
            let left = i == 0 ? 0 : (x(sorted[i - 1]) + x(p)) / 2
            let right = i == sorted.count - 1 ? width : (x(p) + x(sorted[i + 1])) / 2
            strips += """
                <rect x="\(f(left))" y="0" width="\(f(max(1, right - left)))" height="\(Int(height))" fill="transparent"><title>\(HTML.escape(clock.format(p.at, "d MMM yyyy, HH:mm"))): \(HTML.escape(valueText(p.value)))\(p.note.isEmpty ? "" : " · " + HTML.escape(p.note))</title></rect>
                """
        }
        let grid = [high, (low + high) / 2, low].map { v in
            "<line x1=\"0\" x2=\"\(Int(width))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#e3e7ef\" vector-effect=\"non-scaling-stroke\"/>"
        }.joined()
        let referenceLine =
            reference.map {
                "<line x1=\"0\" x2=\"\(Int(width))\" y1=\"\(f(y($0)))\" y2=\"\(f(y($0)))\" stroke=\"#9aa3b2\" stroke-dasharray=\"4 4\" vector-effect=\"non-scaling-stroke\"/>"
            } ?? ""
        let svg = HTML(
            raw: """
                <svg viewBox="0 0 \(Int(width)) \(Int(height))" preserveAspectRatio="none" width="100%" height="\(Int(height))" aria-hidden="true" focusable="false">\
                \(grid)\(referenceLine)\(band)<polyline points="\(line)" fill="none" stroke="#2355d8" stroke-width="2" vector-effect="non-scaling-stroke"/>\(strips)</svg>
                """)
        let middle = Date(timeIntervalSince1970: (first.at.timeIntervalSince1970 + last.at.timeIntervalSince1970) / 2)
        let rows = HTML.join(
            sorted.reversed().map { p in
                HTML("<tr><td>\(clock.format(p.at, "d MMM yyyy, HH:mm"))</td><td>\(valueText(p.value))</td><td>\(p.note)</td></tr>")
            })
        return """
            <figure class="chart" id="\(id)" aria-label="\(label): from \(valueText(first.value)) on \(clock.format(first.at, "d MMM")) to \(valueText(last.value)) on \(clock.format(last.at, "d MMM"))">
            <div class="chart-plot"><div class="chart-y" aria-hidden="true"><span>\(valueText(high))</span><span>\(valueText((low + high) / 2))</span><span>\(valueText(low))</span></div>\
            <div class="chart-area">\(svg)<div class="chart-x" aria-hidden="true"><span>\(clock.format(first.at, "d MMM"))</span>\
            <span>\(clock.format(middle, "d MMM"))</span><span>\(clock.format(last.at, "d MMM"))</span></div></div></div>
            <figcaption class="small muted">\(label). Hover the chart for each value.</figcaption>
            <details><summary class="small">The values</summary><table class="small"><thead><tr><th>When</th><th>Value</th><th></th></tr></thead><tbody>\(rows)</tbody></table></details>
            </figure>
            """
    }
}
