import BonafideCore
import Fluent
import Foundation

/// The inbox: what waits for the person first, then what their side promised, then what is owed to it, each item
/// once; a new organization sees its first steps instead of empty lists.
struct DashboardPage: Sendable {
    struct WaitingItem: Sendable {
        var what: String
        var title: String
        var link: String
        var partnership: String
        var since: String
        var quick: DashboardData.QuickAction?
    }

    struct CommitmentRow: Sendable {
        var title: String
        var link: String
        var owner: String
        var due: String
        var dueRelative: String
        var partnership: String
        var status: String
        var atRisk: Bool
        var newDateAsked: Bool
    }

    struct PartnershipLink: Sendable {
        var name: String
        var link: String
        var status: String
    }

    struct Request: Sendable {
        var subject: String
        var link: String
        var author: String
        var asked: String
        var excerpt: String
    }

    var name: String
    var waiting: [WaitingItem]
    var partnerships: [PartnershipLink]
    var requests: [Request]
    var dueMine: [CommitmentRow]
    var owed: [CommitmentRow]
    var slipped: [CommitmentRow]
    var onboarding: Onboarding.Progress?
    var csrf: String

    static func load(for actor: Actor, csrf: String, on db: any Database) async throws -> Self {
        let data = try await DashboardData.load(for: actor, on: db)
        let clock = Clock(actor.user.timeZone)
        let names = Dictionary(data.partnerships.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        // `CommitmentRow` alone names this page's row; the service's is the module's.
        func rows(_ items: [BonafideServer.CommitmentRow]) -> [CommitmentRow] {
            items.map { c in
                CommitmentRow(
                    title: c.title, link: SiteURL.commitment(c.partnershipId, c.id), owner: c.ownerName,
                    due: clock.format(c.dueAt, "d MMM, HH:mm"), dueRelative: Clock.relative(c.dueAt),
                    partnership: names[c.partnershipId] ?? "", status: c.status.rawValue, atRisk: c.atRisk,
                    newDateAsked: c.proposedDueAt != nil)
            }
        }
        return DashboardPage(
            name: actor.user.name,
            waiting: data.waiting.map { w in
                WaitingItem(
                    what: w.what, title: w.title, link: w.link, partnership: names[w.partnershipID] ?? "", since: Clock.relative(w.since),
                    quick: w.quick)
            },
            partnerships: data.partnerships.map {
                PartnershipLink(name: $0.name, link: SiteURL.partnership($0.id), status: $0.status)
            },
            requests: data.openRequests.map { m in
                Request(
                    subject: m.subject, link: SiteURL.thread(m.partnershipId, m.threadId), author: m.authorName,
                    asked: Clock.relative(m.createdAt), excerpt: String(m.body.prefix(140)))
            },
            dueMine: rows(data.dueSoonMine), owed: rows(data.owedNotWaiting), slipped: rows(data.slippedNotListed),
            onboarding: try await Onboarding.progress(for: actor, on: db), csrf: csrf)
    }

    func render() -> HTML {
        let checklist = onboardingCard()
        // Before the first partnership there is nothing to list: the steps are the page.
        guard !partnerships.isEmpty else {
            return """
                <h1>Hello, \(name)</h1>\(checklist)
                <section class="card" id="waiting"><h2>Waiting for you</h2><p>Nothing yet. Once you work with a partner, what needs your
                answer shows up here first: proposals to accept, deliveries to judge, new dates, incidents to acknowledge.</p>
                <p><a class="button" href="\(SiteURL.newPartnership())">Open your first partnership</a></p></section>
                """
        }
        return """
            <h1>Hello, \(name)</h1>
            <section class="card" id="waiting"><h2>Waiting for you</h2>\(waitingList())</section>\(checklist)
            <div class="grid">
            <section class="card"><h2>My partnerships</h2><ul>\(HTML.join(partnerships.map { p in HTML("<li><a href=\"\(p.link)\">\(p.name)</a> \(statusBadge(p.status))</li>") }))</ul>
            <p class="small"><a href="\(SiteURL.partnerships())">All partnerships</a> · <a href="\(SiteURL.newPartnership())">New partnership</a></p></section>
            <section class="card"><h2>Open requests for your side</h2>\(requestList())</section>
            </div>
            <section class="card"><h2>Due soon: promised by your side</h2>\(table(dueMine, empty: "Nothing due in the next 14 days."))</section>
            <section class="card"><h2>Due soon: owed to your side</h2>\(table(owed, empty: "Nothing owed to you in the next 14 days."))</section>
            <section class="card"><h2>What slipped</h2>\(table(slipped, empty: "Nothing missed, at risk or rescheduled."))</section>
            """
    }

    private func waitingList() -> HTML {
        guard !waiting.isEmpty else { return "<p class=\"muted\">Nothing waits for your side.</p>" }
        let csrfInput = csrfField(csrf)
        return """
            <ul class="inbox">\(HTML.join(waiting.map { w in
                let quick: HTML = w.quick.map { q in
                    """
                    <form method="post" action="\(q.url)" class="inline">\(csrfInput)<input type="hidden" name="action" value="\(q.action)">\
                    <input type="hidden" name="back" value="\(SiteURL.dashboard())"><button class="small" aria-label="\(q.label): \(w.title)">\(q.label)</button></form>
                    """
                } ?? ""
                return HTML("""
                    <li><div><strong>\(w.what)</strong>: <a href="\(w.link)">\(w.title)</a> <span class="small muted">· \(w.partnership) · \(w.since)</span></div>\(quick)</li>
                    """)
            }))</ul>
            """
    }

    private func requestList() -> HTML {
        guard !requests.isEmpty else { return "<p class=\"muted\">Nothing is waiting for your side.</p>" }
        return """
            <ul>\(HTML.join(requests.map { r in HTML("""
            <li><a href="\(r.link)">\(r.subject)</a>: \(r.author) asked \(r.asked)<div class="small muted">\(r.excerpt)</div></li>
            """) }))</ul>
            """
    }

    private func table(_ items: [CommitmentRow], empty: String) -> HTML {
        guard !items.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
        return """
            <table><thead><tr><th>Commitment</th><th>Due</th><th class="hide-sm">Partnership</th><th>State</th></tr></thead><tbody>
            \(HTML.join(items.map { c in HTML("""
                <tr><td><a href="\(c.link)">\(c.title)</a><div class="small muted">\(c.owner)</div></td>
                <td>\(c.due)<div class="small muted">\(c.dueRelative)</div></td>
                <td class="hide-sm">\(c.partnership)</td>
                <td>\(statusBadge(c.status))\(c.atRisk ? HTML(" <span class=\"risk\">at risk</span>") : "")\(c.newDateAsked ? HTML(" <span class=\"risk\">new date asked</span>") : "")</td></tr>
                """) }))</tbody></table>
            """
    }

    /// The first steps, done ones ticked; gone once all are done (and never shown to those who cannot take them).
    private func onboardingCard() -> HTML {
        guard let onboarding, !onboarding.isComplete else { return "" }
        let steps = HTML.join(
            Onboarding.Step.allCases.map { step in
                let done = onboarding.done.contains(step)
                return HTML(
                    """
                    <li class="\(done ? "done" : "todo")"><span aria-hidden="true">\(done ? "✓" : "○")</span> \
                    \(done ? HTML("<s>\(step.title)</s> <span class=\"visually-hidden\">(done)</span>") : HTML("<a href=\"\(step.link)\">\(step.title)</a>"))\
                    <div class="small muted">\(step.why)</div></li>
                    """)
            })
        return """
            <section class="card" id="getting-started"><h2>Getting started: \(onboarding.done.count) of \(Onboarding.Step.allCases.count) done</h2>
            <ol class="checklist">\(steps)</ol></section>
            """
    }
}
