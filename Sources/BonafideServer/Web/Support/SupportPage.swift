import BonafideCore
import Fluent
import Foundation
import Vapor

/// Support: the requests to the person's organization (its people answer them) and those it opened with others, each
/// with where it stands, and the form to ask an organization it works with for help. Loaded through the services; a
/// pure view.
struct SupportPage: Sendable {
    var organizationID: UUID
    var toUs: [Support.Entry]
    var fromUs: [Support.Entry]
    var form: SupportRequestForm
    var clock: Clock

    static func load(_ req: Request, for actor: Actor, values: [String: String] = [:], problem: Problem? = nil) async throws -> Self {
        let db = req.db
        let all = try await Support.list(for: actor, on: db)
        let choices = try await Support.providers(for: actor, on: db).map { SupportRequestForm.Choice(id: $0.id, name: $0.name) }
        var typed = values
        // "Ask for support" on a profile links here with the organization chosen.
        if typed["provider"] == nil, let to = req.queryParameter("to") { typed["provider"] = to }
        return SupportPage(
            organizationID: actor.organizationID, toUs: all.filter { $0.providerID == actor.organizationID },
            fromUs: all.filter { $0.requesterID == actor.organizationID },
            form: SupportRequestForm(choices: choices, values: typed, problem: problem, csrf: req.csrfToken),
            clock: Clock(actor.user.timeZone))
    }

    static func badge(_ e: Support.Entry) -> HTML {
        let tone =
            switch e.status {
            case .open: "open"
            case .answered: "delivered"
            case .resolved: "resolved"
            }
        let late: HTML = e.late ? " \(statusBadge("Late", tone: "missed"))" : ""
        let urgent: HTML = e.priority == .urgent ? " \(statusBadge("Urgent", tone: "critical"))" : ""
        return "\(statusBadge(e.status.label, tone: tone))\(urgent)\(late)"
    }

    func table(_ entries: [Support.Entry], other: (Support.Entry) -> String, empty: String, id: String) -> HTML {
        guard !entries.isEmpty else { return "<p class=\"muted\" id=\"\(id)-empty\">\(empty)</p>" }
        let rows = HTML.join(
            entries.map { e in
                HTML(
                    """
                    <tr data-support-request="\(Access.key(e.id))"><td><a href="\(SiteURL.supportRequest(e.id))">\(e.subject)</a></td>\
                    <td>\(other(e))</td><td>\(Self.badge(e))</td><td class="hide-sm">\(clock.format(e.createdAt, "d MMM yyyy, HH:mm"))</td>\
                    <td class="hide-sm">\(e.firstResponseAt == nil ? "due \(clock.format(e.dueAt, "d MMM, HH:mm"))" : "answered \(clock.format(e.firstResponseAt, "d MMM, HH:mm"))")</td></tr>
                    """)
            })
        return """
            <table><thead><tr><th>Subject</th><th>Organization</th><th>State</th><th class="hide-sm">Opened</th><th class="hide-sm">First answer</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

    func render() -> HTML {
        let waiting = toUs.filter { $0.status == .open }.count
        return """
            <h1>Support</h1>
            <p class="muted">Requests from the organizations you serve, and yours to the organizations you work with. How fast you answer is a
            figure on your profile for them, and an answer later than your promise counts against your reliability.</p>
            <section class="card" id="support-to-us"><h2>Requests to you\(waiting > 0 ? " (\(waiting) waiting)" : "")</h2>
            \(table(toUs, other: { "\($0.requesterName)" }, empty: "No organization has asked you for support yet.", id: "support-to-us"))</section>
            <section class="card" id="support-from-us"><h2>Your requests</h2>
            \(table(fromUs, other: { $0.providerName }, empty: "You have not asked anyone for support yet.", id: "support-from-us"))</section>
            \(form.render())
            """
    }
}
