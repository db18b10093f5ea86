import BonafideCore
import Fluent
import Foundation

/// Every partnership the person may see, with what is open in each: one list instead of the dashboard's names.
/// Loaded in three queries whatever the number of partnerships (the partnerships, their other sides, their open
/// commitments), never one per row.
struct PartnershipsPage: Sendable {
    struct Row: Sendable {
        var id: UUID
        var name: String
        var otherSide: String
        var status: String
        var open: Int
        var atRisk: Int
        var overdue: Int
        var nextDue: String?
    }

    enum Filter: String, Sendable, CaseIterable {
        case all, active, invited, ended
        var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    static let pageSize = 50

    var rows: [Row]
    var filter: Filter
    var counts: [Filter: Int]
    var page = 0
    var hasMore = false

    static func load(for actor: Actor, filter: Filter, page: Int = 0, at now: Date = Date(), on db: any Database) async throws -> Self {
        let all = try await Policy.visiblePartnerships(for: actor, on: db)
        let chosen = all.filter { matches($0, filter) }
        // Only the page shown is looked into (names, open commitments).
        let visible = Array(chosen.dropFirst(page * pageSize).prefix(pageSize))
        let ids = visible.compactMap(\.id)
        let others = Set(visible.flatMap { [$0.$organization.id, $0.$partner.id].compactMap { $0 } }).subtracting([actor.organizationID])
        let names =
            others.isEmpty
            ? [:]
            : Dictionary(
                try await Organization.query(on: db).filter(\.$id ~~ others).all().map { ($0.id!, $0.name) },
                uniquingKeysWith: { a, _ in a })
        let open =
            ids.isEmpty
            ? []
            : try await Commitment.query(on: db).filter(\.$partnership.$id ~~ ids)
                .filter(\.$status ~~ [.proposed, .accepted, .delivered, .missed]).all()
        let byPartnership = Dictionary(grouping: open, by: { $0.$partnership.id })
        let clock = Clock(actor.user.timeZone)
        let rows = visible.map { p in
            let items = byPartnership[p.id!] ?? []
            let other = [p.$organization.id, p.$partner.id].compactMap { $0 }.first { $0 != actor.organizationID }
            let next = items.filter { $0.status == .accepted || $0.status == .proposed }.map(\.dueAt).filter { $0 > now }.min()
            return Row(
                id: p.id!, name: p.name, otherSide: other.flatMap { names[$0] } ?? (p.invitedEmail.map { "invited: \($0)" } ?? "—"),
                status: p.status.rawValue, open: items.count, atRisk: items.filter(\.atRisk).count,
                overdue: items.filter { $0.status == .missed || ($0.status == .accepted && $0.dueAt <= now) }.count,
                nextDue: next.map { "\(clock.format($0, "d MMM")) (\(Clock.relative($0)))" })
        }
        var counts: [Filter: Int] = [:]
        for f in Filter.allCases { counts[f] = all.filter { matches($0, f) }.count }
        return Self(rows: rows, filter: filter, counts: counts, page: page, hasMore: chosen.count > (page + 1) * pageSize)
    }

    static func matches(_ p: Partnership, _ f: Filter) -> Bool {
        switch f {
        case .all: true
        case .active: p.status == .active
        case .invited: p.status == .invited
        case .ended: p.status == .ended || p.status == .declined
        }
    }

    func render() -> HTML {
        let tabs = HTML.join(
            Filter.allCases.map { f in
                let href = f == .all ? SiteURL.partnerships() : SiteURL.partnerships(status: f.rawValue)
                return "<a href=\"\(href)\"\(HTML(raw: f == filter ? " aria-current=\"page\"" : ""))>\(f.title) (\(counts[f] ?? 0))</a>"
            })
        let body: HTML =
            rows.isEmpty
            ? (filter == .all
                ? EmptyState(
                    icon: .partnership, title: "No partnerships yet.",
                    text: "A partnership is where two organizations agree, promise and keep track, on a record both can check.",
                    action: ("Open your first one", SiteURL.newPartnership())
                ).render()
                : "<p class=\"muted\">None \(filter.rawValue).</p>")
            : HTML(
                """
                <table><thead><tr><th>Partnership</th><th>Open commitments</th><th class="hide-sm">Next due</th><th>State</th></tr></thead><tbody>
                \(HTML.join(rows.map { r in HTML("""
                <tr><td><a href="\(SiteURL.partnership(r.id))">\(r.name)</a><div class="small muted">with \(r.otherSide)</div></td>
                <td>\(r.open)\(r.overdue > 0 ? HTML(" <span class=\"risk\">\(r.overdue) overdue</span>") : "")\(r.atRisk > 0 ? HTML(" <span class=\"risk\">\(r.atRisk) at risk</span>") : "")</td>
                <td class="hide-sm">\(r.nextDue ?? "—")</td><td>\(statusBadge(r.status))</td></tr>
                """) }))</tbody></table>
                """)
        let pager = Pager.byOrder(
            previous: page > 0 ? SiteURL.partnerships(status: filter.rawValue, page: page - 1) : nil,
            next: hasMore ? SiteURL.partnerships(status: filter.rawValue, page: page + 1) : nil
        ).render()
        return """
            <div class="actions" style="justify-content:space-between;align-items:center"><h1>Partnerships</h1>\
            <a class="button" href="\(SiteURL.newPartnership())">New partnership</a></div>
            <nav class="tabs" aria-label="Show">\(tabs)</nav>
            <div class="card">\(body)</div>\(pager)
            """
    }
}
