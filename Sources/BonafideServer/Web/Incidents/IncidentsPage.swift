import BonafideCore
import Fluent
import Foundation

/// Every incident in the partnerships the person may see, across partnerships: what is still open first, whose side
/// it is on, and how it is being handled. One query for the incidents, one for the partnerships' names.
struct IncidentsPage: Sendable {
    struct Row: Sendable {
        var title: String
        var link: String
        var partnership: String
        var ours: Bool
        var selfReported: Bool
        var severity: String
        var status: String
        var handling: IncidentLifecycle.Handling
        var raised: String
    }

    enum Filter: String, Sendable, CaseIterable {
        case open, againstUs, raisedByUs, all
        var title: String {
            switch self {
            case .open: "Open"
            case .againstUs: "About your side"
            case .raisedByUs: "Raised by your side"
            case .all: "All"
            }
        }
    }

    static let pageSize = 50

    var rows: [Row]
    var filter: Filter
    var counts: [Filter: Int]
    var page: Int
    var hasMore: Bool

    static func load(for actor: Actor, filter: Filter, page: Int, at now: Date = Date(), on db: any Database) async throws -> Self {
        let visible = try await Policy.visiblePartnerships(for: actor, on: db)
        let names = Dictionary(visible.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let all =
            names.isEmpty
            ? []
            : try await Incident.query(on: db).filter(\.$partnership.$id ~~ Array(names.keys)).sort(\.$raisedAt, .descending).all()
        let us = actor.organizationID
        func matches(_ i: Incident, _ f: Filter) -> Bool {
            switch f {
            case .open: [.open, .acknowledged, .resolved].contains(i.status)
            case .againstUs: i.$responsible.id == us
            case .raisedByUs: i.$affected.id == us && !i.selfReported
            case .all: true
            }
        }
        let clock = Clock(actor.user.timeZone)
        let chosen = all.filter { matches($0, filter) }
        let shown = chosen.dropFirst(page * pageSize).prefix(pageSize)
        var counts: [Filter: Int] = [:]
        for f in Filter.allCases { counts[f] = all.filter { matches($0, f) }.count }
        return Self(
            rows: shown.map { i in
                Row(
                    title: i.title, link: SiteURL.incident(i.$partnership.id, i.id), partnership: names[i.$partnership.id] ?? "",
                    ours: i.$responsible.id == us, selfReported: i.selfReported, severity: i.severity.rawValue,
                    status: i.status.rawValue, handling: IncidentLifecycle.handling(of: i.state, at: now),
                    raised: clock.format(i.raisedAt, "d MMM yyyy"))
            }, filter: filter, counts: counts, page: page, hasMore: chosen.count > (page + 1) * pageSize)
    }

    func render() -> HTML {
        let tabs = HTML.join(
            Filter.allCases.map { f in
                "<a href=\"\(SiteURL.incidentsOverview(filter: f.rawValue))\"\(HTML(raw: f == filter ? " aria-current=\"page\"" : ""))>\(f.title) (\(counts[f] ?? 0))</a>"
            })
        let body: HTML =
            rows.isEmpty
            ? (filter == .open
                ? EmptyState(
                    icon: .allClear, title: "No open incidents.",
                    text:
                        "When something goes wrong in a partnership, raise it from its page: the other side acknowledges it, explains the root cause and commits to an improvement plan, on the record."
                ).render()
                : "<p class=\"muted\">None here.</p>")
            : HTML(
                """
                <table><thead><tr><th>Incident</th><th>Severity</th><th>State</th><th class="hide-sm">Raised</th></tr></thead><tbody>
                \(HTML.join(rows.map { r in HTML("""
                <tr><td><a href="\(r.link)">\(r.title)</a><div class="small muted">\(r.partnership) · \(r.ours ? "your side" : "the other side")\(r.selfReported ? " · disclosed" : "")</div></td>
                <td>\(statusBadge(r.severity))</td><td>\(statusBadge(r.status)) \(IncidentPage.badge(r.handling))</td>
                <td class="hide-sm">\(r.raised)</td></tr>
                """) }))</tbody></table>
                """)
        let pager = Pager.byTime(
            newer: page > 0 ? SiteURL.incidentsOverview(filter: filter.rawValue, page: page - 1) : nil,
            older: hasMore ? SiteURL.incidentsOverview(filter: filter.rawValue, page: page + 1) : nil
        ).render()
        return """
            <h1>Incidents</h1>
            <p class="muted">Across all your partnerships. How an incident is handled counts for credibility: acknowledged promptly,
            explained and fixed to the other side's satisfaction is "handled openly".</p>
            <nav class="tabs" aria-label="Show">\(tabs)</nav>
            <div class="card">\(body)</div>\(pager)
            """
    }
}
