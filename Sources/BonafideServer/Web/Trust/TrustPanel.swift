import BonafideCore
import Fluent
import Foundation

/// The viewer's trust in another organization: the figure with its uncertainty, the four components, the
/// network's view, why, and how it changed.
struct TrustPanel: Sendable {
    /// Only what the panel shows of the assessment.
    var assessment: TrustService.PanelReport
    var history: [TrustService.HistoryPoint]
    var subject: UUID
    var clock: Clock
    /// Where rating returns to, when not the organization's page.
    var back: String?
    var csrf: String

    /// `subject` is an organization the caller read (the profile shown, a partnership's other side): it is not looked up
    /// again (see `TrustService.panel`).
    static func load(for actor: Actor, subject: UUID, back: String? = nil, csrf: String, on db: any Database) async throws -> Self {
        let (assessment, history) = try await TrustService.panel(viewer: actor.organizationID, subject: subject, on: db)
        return TrustPanel(
            assessment: assessment, history: history, subject: subject, clock: Clock(actor.user.timeZone), back: back, csrf: csrf)
    }

    func render() -> HTML {
        let a = assessment
        func percent(_ v: Double) -> String { String(Int((v * 100).rounded())) }
        let labels: [TrustComponent: String] = [
            .credibility: "Credibility", .reliability: "Reliability", .intimacy: "Intimacy", .selfOrientation: "Self-orientation",
        ]
        let better: [TrustComponent: String] = [.selfOrientation: "lower is better"]
        let rows = HTML.join(
            a.components.map { c in
                let width = HTML(raw: c.evidenceCount == 0 ? "0" : (c.value * 100).fixed(1))
                let fill = c.component == .selfOrientation ? "var(--warn)" : "var(--accent)"
                let certainty =
                    c.opinion.uncertainty >= 0.999
                    ? HTML("no evidence yet")
                    : HTML("\(c.evidenceCount) item\(c.evidenceCount == 1 ? "" : "s"), uncertainty \(percent(c.opinion.uncertainty))%")
                return """
                    <tr><td>\(labels[c.component] ?? c.component.rawValue)\(better[c.component].map { HTML("<div class=\"small muted\">\($0)</div>") } ?? "")</td><td style="width:40%"><svg role="img" aria-label="\(labels[c.component] ?? "") \(c.evidenceCount == 0 ? "unknown" : percent(c.value) + " of 100")" width="100%" height="10"><rect width="100%" height="10" rx="3" fill="#eceef2"/><rect width="\(width)%" height="10" rx="3" fill="\(fill)"/></svg></td>
                    <td class="trust-\(c.component.rawValue)">\(c.evidenceCount == 0 ? "unknown" : percent(c.value))</td><td class="small muted">\(certainty)</td></tr>
                    """
            })
        let reasons: HTML =
            a.explanation.isEmpty
            ? "<p class=\"muted\">No evidence yet: promises kept, requests answered and ratings will show here.</p>"
            : HTML(
                "<ol id=\"trust-why\">\(a.explanation.map { r in HTML("<li>\(r.summary) <span class=\"small \(r.effect >= 0 ? "muted" : "risk")\">\(r.effect >= 0 ? "+" : "−")\((abs(r.effect) * 100).fixed(1)) points · \(labels[r.component] ?? "") · \(clock.format(r.date, "d MMM yyyy"))</span></li>") })</ol>"
            )
        let network: HTML =
            a.network.intermediaries == 0
            ? "<p class=\"small muted\">None of the organizations you trust has an opinion of them yet.</p>"
            : "<p class=\"small\">\(a.network.intermediaries) organization\(a.network.intermediaries == 1 ? "" : "s") you have worked with \(a.network.intermediaries == 1 ? "knows" : "know") them; their view, weighed by your trust in them: \(percent(a.network.opinion.expectation)) (uncertainty \(percent(a.network.opinion.uncertainty))%).</p>"
        let standing: HTML =
            a.network.standing.map {
                let place =
                    $0 >= 1
                    ? "above every other organization"
                    : $0 <= 0 ? "below every other organization" : "above \(percent($0))% of other organizations"
                return "<p class=\"small\">Network standing from your point of view: \(place).</p>"
            }
            ?? ""
        let backField: HTML = back.map { "<input type=\"hidden\" name=\"back\" value=\"\($0)\">" } ?? ""
        // Nothing known is said as such, with what would change it, not as a middling 50.
        let figure: HTML =
            a.evidenceCount == 0 && a.network.intermediaries == 0
            ? """
            <p><strong class="trust-figure" id="trust-figure">Unknown</strong></p>
            <p class="small" id="trust-unknown">Nothing is known of \(a.subjectName) yet. What would make it known: a commitment they
            deliver to you, a request of yours they answer, your rating below, or an organization you trust working with them.</p>
            """
            : """
            <p><strong class="trust-figure" id="trust-figure">\(percent(a.overall.expectation))</strong> / 100 \
            <span class="small muted">uncertainty <span id="trust-uncertainty">\(percent(a.overall.uncertainty))</span>% · \
            trust equation \(a.trustQuotient.fixed(1)) <span class="visually-hidden">((credibility + reliability + intimacy) ÷ self-orientation)</span>\
            · \(a.evidenceCount) item\(a.evidenceCount == 1 ? "" : "s") of evidence</span></p>
            """
        return """
            <section class="card" id="trust-panel"><h2>Your trust in \(a.subjectName)</h2>
            \(figure)
            \(Self.historyChart(history, clock: clock))
            <table><thead><tr><th>Component</th><th></th><th>Score</th><th>Evidence</th></tr></thead><tbody>\(rows)</tbody></table>
            <h3>Why</h3>\(reasons)
            <h3>Across the network</h3>\(network)\(standing)
            <details><summary>Rate \(a.subjectName)</summary><form method="post" action="\(SiteURL.ratings(subject))">\(csrfField(csrf))\(backField)
            <label for="trust-rating">Rating, -10 (would not trust) to 10 (trust as ourselves)</label>
            <input id="trust-rating" name="rating" type="number" min="-10" max="10" step="1" required>
            <label for="trust-comment">Why (optional, shown in the explanation)</label><input id="trust-comment" name="comment" maxlength="1000">
            <button>Record rating</button></form></details>
            <p class="small">Computed \(clock.format(a.computedAt)). <a href="\(SiteURL.trustExplained(subject))">How these figures are worked out, with all your evidence</a></p></section>
            """
    }

    /// Trust over time: the line is the figure, the band runs from belief to belief + uncertainty (where the figure
    /// could still go as evidence arrives).
    private static func historyChart(_ all: [TrustService.HistoryPoint], clock: Clock) -> HTML {
        // Recomputations in one burst (a batch of evidence arriving at once) are one change, shown by its outcome.
        var points: [TrustService.HistoryPoint] = []
        for p in all.sorted(by: { $0.at < $1.at }) {
            if let last = points.last, p.at.timeIntervalSince(last.at) < 60 { points[points.count - 1] = p } else { points.append(p) }
        }
        guard points.count >= 2 else {
            return "<p class=\"small muted\">The history chart appears once trust has changed.</p>"
        }
        return TimeChart(
            id: "trust-history", label: "Your trust over time, 0 to 100",
            points: points.map { p in
                TimeChart.Point(
                    at: p.at, value: p.expectation * 100, band: (p.belief * 100)...(min(1, p.belief + p.uncertainty) * 100),
                    note: "uncertainty \(Int((p.uncertainty * 100).rounded()))%")
            }, range: 0...100, reference: 50, valueText: { String(Int($0.rounded())) }, clock: clock
        ).render()
    }
}
