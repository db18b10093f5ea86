import BonafideCore
import Fluent
import Foundation
import Vapor

/// The case studies of the person's organization, as author or as the partner they are about: first those waiting
/// for its confirmation, then all of them with where each stands, and for owners and admins the form to write one.
/// Loaded through the services and the policy layer; `render` is a pure view.
struct CaseStudiesPage: Sendable {
    var organizationID: UUID
    var entries: [CaseStudies.Entry]
    /// For owners and admins: empty, or refused as typed. Nil for everyone else.
    var form: CaseStudyForm?
    var clock: Clock

    static func load(_ req: Request, for actor: Actor, values: [String: String] = [:], problem: Problem? = nil) async throws -> Self {
        let db = req.db
        var form: CaseStudyForm?
        if Policy.canManage(actor) {
            let own = actor.organizationID
            let started = try await Policy.visiblePartnerships(for: actor, on: db).filter { [.active, .ended].contains($0.status) }
            let partners = started.compactMap { $0.otherSide(of: own) }
            let organizations = try await Organization.query(on: db).filter(\.$id ~~ partners).all()
            let names = Dictionary(organizations.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
            let choices = started.compactMap { p -> CaseStudyForm.Choice? in
                guard let id = p.id, let partner = p.otherSide(of: own), let name = names[partner] else { return nil }
                return CaseStudyForm.Choice(partnershipID: id, partnerName: name, partnershipName: p.name)
            }
            form = CaseStudyForm(choices: choices, values: values, problem: problem, csrf: req.csrfToken)
        }
        return CaseStudiesPage(
            organizationID: actor.organizationID, entries: try await CaseStudies.involving(actor, on: db), form: form,
            clock: Clock(actor.user.timeZone))
    }

    func render() -> HTML {
        let waiting = entries.filter { $0.partnerID == organizationID && $0.status == .awaitingPartner }
        let waitingList = HTML.join(
            waiting.map { e in
                HTML(
                    """
                    <li data-case-study="\(Access.key(e.id))"><a href="\(SiteURL.caseStudy(e.id))">\(e.title)</a>
                    <span class="small muted">by \(e.authorName), \(clock.format(e.createdAt, "d MMM yyyy"))</span></li>
                    """)
            })
        let rows = HTML.join(
            entries.map { e in
                let side =
                    e.authorID == organizationID ? "About your work with \(e.partnerName)" : "By \(e.authorName), about your work together"
                return HTML(
                    """
                    <tr data-case-study="\(Access.key(e.id))"><td><a href="\(SiteURL.caseStudy(e.id))">\(e.title)</a></td><td>\(side)</td>
                    <td>\(CaseStudyPage.badge(e.status))</td><td class="hide-sm">\(clock.format(e.createdAt, "d MMM yyyy"))</td></tr>
                    """)
            })
        let all: HTML =
            entries.isEmpty
            ? EmptyState(
                icon: .document, title: "No case studies yet.",
                text:
                    "A case study tells of finished work with a partner. It is shown on both profiles, beside the figures from your record, once the partner confirms it.",
                action: form == nil ? nil : ("Write the first one", "#new-case-study"), id: "case-studies-empty"
            ).render()
            : "<table><thead><tr><th>Title</th><th>With</th><th>State</th><th class=\"hide-sm\">Written</th></tr></thead><tbody>\(rows)</tbody></table>"
        return """
            <h1>Case studies</h1>
            <p class="muted">Stories of work done with partners, tied to the record: a partner confirms each one before anyone else sees it.</p>
            <section class="card" id="case-studies-waiting"><h2>Waiting for your confirmation</h2>
            \(waiting.isEmpty ? HTML("<p class=\"muted\">Nothing is waiting for you.</p>") : HTML("<ul>\(waitingList)</ul>"))</section>
            <section class="card" id="case-studies-all"><h2>All case studies</h2>\(all)</section>
            \(form?.render() ?? "")
            """
    }
}
