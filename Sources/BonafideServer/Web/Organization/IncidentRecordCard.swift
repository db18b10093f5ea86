import BonafideCore
import Foundation

/// An organization's incident record over the last 12 months, on its profile and public page: how many, how they
/// were handled, and the accounts it published. A pure view of the service's record.
struct IncidentRecordCard: Sendable {
    var record: Incidents.Record

    func render(clock: Clock) -> HTML {
        let r = record
        guard r.total > 0 || !r.published.isEmpty else {
            return
                "<section class=\"card\" id=\"incident-record\"><h2>Incidents</h2><p class=\"muted\">No incidents in the last 12 months.</p></section>"
        }
        let severities = IncidentSeverity.allCases.compactMap { s in r.bySeverity[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
        let median = r.medianAcknowledgeSeconds.map { " (median \(Clock.duration($0)))" } ?? ""
        let accounts = HTML.join(
            r.published.map { i in
                """
                <article class="card"><h3>\(i.title) \(statusBadge(i.severity.rawValue))</h3>
                <p class="small muted">Happened \(clock.format(i.occurredAt, "d MMM yyyy"))\(i.resolvedAt.map { HTML(" · resolved \(clock.format($0, "d MMM yyyy"))") } ?? "")\(i.closedAt.map { HTML(" · accepted by the partner \(clock.format($0, "d MMM yyyy"))") } ?? "")</p>
                <p><strong>Root cause.</strong> \(i.rootCause)</p><p><strong>Improvement plan.</strong> \(i.improvementPlan)</p></article>
                """
            })
        return """
            <section class="card" id="incident-record"><h2>Incidents</h2>
            <p>In the last 12 months: <strong>\(String(r.total))</strong> incident\(r.total == 1 ? "" : "s")\(severities.isEmpty ? "" : " (\(severities))"), \(String(r.raisedByPartners)) raised by \(String(r.partnersRaising)) partner\(r.partnersRaising == 1 ? "" : "s") and \(String(r.selfReported)) disclosed by themselves.</p>
            <ul>\(r.raisedByPartners > 0 ? HTML("<li>\(String(r.acknowledgedPromptly)) of \(String(r.raisedByPartners)) raised by partners acknowledged within 2 days\(median)</li>") : "")
            <li>\(String(r.resolved)) resolved with a root cause and an improvement plan, \(String(r.open)) still open</li>
            <li>\(String(r.handledOpenly)) handled openly, \(String(r.mishandled)) mishandled</li></ul>
            \(r.published.isEmpty ? "" : HTML("<h3>Published accounts</h3>\(accounts)"))</section>
            """
    }
}
