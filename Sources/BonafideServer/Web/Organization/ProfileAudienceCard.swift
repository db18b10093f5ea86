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
        let decisions = try await ProfileSections.decisions(of: own, for: subject, on: req.db)
        // Explained together: one at a time read the names each mentions and where the other stands, per section.
        let items: [(decision: AccessModel.Decision, object: Access.Object, sectionTitle: String?)] = decisions.map { item in
            (item.decision, .shared(organization: own.id!, name: item.section.name, audience: item.section.audience), item.section.title)
        }
        let explained = try await Access.explain(items, subject: subject, on: req.db)
        let rows = zip(decisions, explained).map { item, because in
            Row(
                title: item.section.title, name: item.section.name, shown: item.decision.allowed, empty: item.section.content.isEmpty,
                because: because)
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
