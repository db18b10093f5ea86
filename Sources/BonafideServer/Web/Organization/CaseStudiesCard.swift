import BonafideCore
import Fluent
import Foundation

/// The confirmed case studies an organization wrote or is the partner of, on its profile and public page: each with
/// who confirmed it and the figures the record shows for the work. Only confirmed ones: the others concern the two
/// sides alone. A pure view of its model.
struct CaseStudiesCard: Sendable {
    var entries: [CaseStudies.Entry]
    /// Titles lead to the case study page, which is for people signed in.
    var linked: Bool

    static func load(of organization: UUID, linked: Bool, on db: any Database) async throws -> CaseStudiesCard {
        CaseStudiesCard(entries: try await CaseStudies.confirmed(of: organization, on: db), linked: linked)
    }

    func render(clock: Clock) -> HTML {
        let items = HTML.join(
            entries.map { e in
                let title: HTML = linked ? "<a href=\"\(SiteURL.caseStudy(e.id))\">\(e.title)</a>" : "\(e.title)"
                let story = Markdown.plainText(e.body)
                let excerpt = story.count > 280 ? String(story.prefix(279)) + "…" : story
                return HTML(
                    """
                    <article class="case-study-summary" data-case-study="\(Access.key(e.id))"><h3>\(title)</h3>
                    <p class="small muted">\(e.authorName) about its work with \(e.partnerName) · <strong>Confirmed by \(e.partnerName)</strong>\(e.editedByPartner ? ", in their own words" : "")</p>
                    <p class="small">\(CaseStudyPage.figures(e.figures, clock: clock))</p><p>\(excerpt)</p></article>
                    """)
            })
        return """
            <section class="card" id="case-studies"><h2>Case studies <span class="muted small">\(entries.isEmpty ? "" : String(entries.count))</span></h2>
            \(entries.isEmpty ? HTML("<p class=\"muted\">None confirmed yet: a case study shows here once the partner it is about confirms it.</p>") : items)</section>
            """
    }
}
