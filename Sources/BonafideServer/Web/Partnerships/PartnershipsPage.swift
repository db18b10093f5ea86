import BonafideCore
import Fluent
import Foundation

/// Every partnership the person may see, with what is open in each: one list instead of the dashboard's names.
/// Loaded in two queries whatever the number of partnerships (the partnerships with both sides' names and the
/// person's memberships; the open commitments counted per partnership), never one per row.
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
        // The rows carry both sides' names: no model is decoded and no name read apart.
        let all = try await Policy.visiblePartnershipRows(for: actor, on: db)
        let chosen = all.filter { matches($0.status, filter) }
        // Only the page shown is looked into (open commitments, counted by the database).
        let visible = Array(chosen.dropFirst(page * pageSize).prefix(pageSize))
        let open = try await OpenCommitments.counts(in: visible.map(\.id), at: now, on: db)
        let clock = Clock(actor.user.timeZone)
        let rows = visible.map { p in
            let counts = open[p.id]
            let other: String? =
                p.organizationId == actor.organizationID
                ? (p.partnerOrganizationId == nil ? nil : p.partnerName) : p.organizationName
            return Row(
                id: p.id, name: p.name, otherSide: other ?? (p.invitedEmail.map { "invited: \($0)" } ?? "—"),
                status: p.status, open: counts?.open ?? 0, atRisk: counts?.atRisk ?? 0, overdue: counts?.overdue ?? 0,
                nextDue: counts?.nextDue.map { "\(clock.format($0, "d MMM")) (\(Clock.relative($0)))" })
        }
        var counts: [Filter: Int] = [:]
        for f in Filter.allCases { counts[f] = all.filter { matches($0.status, f) }.count }
        return Self(rows: rows, filter: filter, counts: counts, page: page, hasMore: chosen.count > (page + 1) * pageSize)
    }

    static func matches(_ status: String, _ f: Filter) -> Bool {
        switch f {
        case .all: true
        case .active: status == PartnershipStatus.active.rawValue
        case .invited: status == PartnershipStatus.invited.rawValue
        case .ended: status == PartnershipStatus.ended.rawValue || status == PartnershipStatus.declined.rawValue
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
