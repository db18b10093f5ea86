import BonafideCore
import Foundation
import Vapor

/// On another organization's page: which sections of your own profile its people see, and why or why not, in
/// plain words from the access check. A pure view of its model.
struct ProfileAudienceCard: Sendable {
    struct Row: Sendable {
        var title: String
        var name: String
        var shown: Bool
        var empty: Bool
        var because: [String]
    }

    var other: String
    var rows: [Row]

    static func load(_ req: Request, for actor: Actor, other: Organization) async throws -> ProfileAudienceCard {
        guard let own = try await Organization.find(actor.organizationID, on: req.db) else { throw Problem.notFound("organization") }
        let subject = Access.Subject.members(of: other.id!)
        var rows: [Row] = []
        for (section, decision) in try await ProfileSections.decisions(of: own, for: subject, on: req.db) {
            let because = try await Access.explain(
                decision, subject: subject, object: .shared(organization: own.id!, name: section.name, audience: section.audience),
                sectionTitle: section.title, on: req.db)
            rows.append(
                Row(title: section.title, name: section.name, shown: decision.allowed, empty: section.content.isEmpty, because: because))
        }
        return ProfileAudienceCard(other: other.name, rows: rows)
    }

    func render() -> HTML {
        let items = HTML.join(
            rows.map { r in
                let state: HTML =
                    r.shown
                    ? (r.empty ? "<span class=\"muted\">shown, but empty</span>" : "<strong>shown</strong>")
                    : "<span class=\"muted\">hidden</span>"
                return HTML(
                    "<tr data-section=\"\(r.name)\" class=\"\(r.shown ? "shown" : "hidden")\"><td>\(r.title)</td><td>\(state)</td><td class=\"small\">\(r.because.joined(separator: "; "))</td></tr>"
                )
            })
        return """
            <section class="card" id="what-they-see"><h2>What \(other) sees of your profile</h2>
            <p class="muted small">Change who sees a section on <a href="\(SiteURL.profileSettings)">your organization's page</a>,
            or move \(other) between your circles below.</p>
            <table><thead><tr><th>Section</th><th>For \(other)</th><th>Why</th></tr></thead><tbody>\(items)</tbody></table></section>
            """
    }
}
