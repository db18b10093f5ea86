import BonafideCore
import Fluent
import Foundation

/// Your profile beside your record, on your own organization page for owners and admins only: a gentle note where a
/// claim (response time, working hours, availability) and what the record shows disagree, each with what you say,
/// what the record shows and a suggestion; and why each other check is quiet. A pure view of `Consistency.Report`.
struct ConsistencyCard: Sendable {
    var report: Consistency.Report

    /// Nil for people who do not manage the organization: nobody else sees the notes.
    static func load(for actor: Actor, on db: any Database) async throws -> ConsistencyCard? {
        guard Policy.canManage(actor) else { return nil }
        return ConsistencyCard(report: try await Consistency.report(for: actor, on: db))
    }

    func render() -> HTML {
        let notes = HTML.join(
            report.notes.map { n in
                HTML(
                    """
                    <li data-consistency="\(n.key)"><strong>\(n.title)</strong>
                    <div class="small">What you say: \(n.claim)</div><div class="small">What the record shows: \(n.record)</div>
                    <div class="small muted">\(n.suggestion)</div></li>
                    """)
            })
        let quiet = HTML.join(report.quiet.map { HTML("<li>\($0)</li>") })
        let body: HTML =
            report.notes.isEmpty
            ? "<p class=\"muted\" id=\"consistency-none\">Nothing to note: your profile and your record agree as far as they can be compared.</p>"
            : "<ul>\(notes)</ul>"
        return """
            <section class="card" id="consistency"><h2>Your profile and your record</h2>
            <p class="small muted">Only your owners and admins see this. Partners read your profile as a promise; where the record says
            otherwise, it is kinder to change one or the other before they notice.</p>
            \(body)\(report.quiet.isEmpty ? "" : HTML("<details><summary class=\"small\">Other checks</summary><ul class=\"small muted\">\(quiet)</ul></details>"))</section>
            """
    }
}
