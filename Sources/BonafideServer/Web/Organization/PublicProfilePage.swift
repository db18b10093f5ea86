import BonafideCore
import Fluent
import Foundation
import Vapor

/// An organization's page for anyone, without an account: its public sections, verified credentials, testimonials,
/// incident record, badges with the thank-yous it agreed to show, confirmed case studies, public updates (with
/// their feed) and public guides and resources. It exists once the organization makes a section public (its choice);
/// the parts it keeps for partners or circles never appear here, even to someone signed in. A pure view of its model.
struct PublicProfilePage: Sendable {
    var organizationID: UUID
    var name: String
    var sections: [ProfileSections.Section]
    var credentials: [CredentialEntry]
    var testimonials: [Testimonials.Entry]
    var incidents: IncidentRecordCard
    var recognition: RecognitionCard
    var caseStudies: CaseStudiesCard
    var updates: UpdatesCard
    var statusPagePublic: Bool
    var clock: Clock
    /// Its public guides, videos, whitepapers and articles.
    var content: ContentCard? = nil

    static func load(_ req: Request) async throws -> PublicProfilePage {
        guard let id = WebPages.uuid(req, "oid"), let org = try await Organization.find(id, on: req.db) else {
            throw Problem.notFound("profile")
        }
        let sections = try await ProfileSections.visible(of: org, to: .anyone, on: req.db).map(\.section)
        guard !sections.isEmpty else { throw Problem.notFound("profile") }
        let now = Date()
        let verified = try await Credentials.of(id, seenBy: id, on: req.db).map { CredentialEntry($0, at: now) }
            .filter { $0.state == .verified }
        return PublicProfilePage(
            organizationID: id, name: org.name, sections: sections, credentials: verified,
            testimonials: try await Testimonials.about(id, on: req.db),
            incidents: IncidentRecordCard(record: try await Incidents.record(of: id, on: req.db)),
            recognition: try await RecognitionCard.load(of: id, on: req.db),
            caseStudies: try await CaseStudiesCard.load(of: id, linked: req.actor != nil, on: req.db),
            updates: try await UpdatesCard.load(of: id, for: .anyone, feed: SiteURL.updatesFeed(id), on: req.db),
            statusPagePublic: StatusPages.visibility(of: org) == .public, clock: Clock(req.actor?.user.timeZone),
            content: try await ContentCard.load(of: org, for: nil, on: req.db))
    }

    /// For the page's head: feed readers find the public updates from the profile's address.
    var head: HTML {
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"\(name): updates\" href=\"\(SiteURL.updatesFeed(organizationID))\">"
    }

    func render() -> HTML {
        let credentials = HTML.join(credentials.map { c in HTML("<li>\(c.render(clock: clock))</li>") })
        let testimonials = HTML.join(
            testimonials.map { t in
                HTML(
                    "<blockquote class=\"testimonial\"><p>\(t.text)</p><footer class=\"small muted\"><strong>\(t.authorName)</strong>, \(clock.format(t.writtenAt, "MMM yyyy")) · \(t.basis)</footer></blockquote>"
                )
            })
        let status: HTML =
            statusPagePublic ? "<p><a href=\"\(SiteURL.status(organizationID))\">Current status and incident updates</a></p>" : ""
        return """
            <h1>\(name)</h1>
            <p class="muted small" id="public-profile-note">The public profile of \(name) on Bonafide: what it shares with everyone, and what others
            confirmed about it. Figures come from its record with its partners.</p>
            \(ProfileCard(sections: sections).render())
            <section class="card" id="public-credentials"><h2>Verified credentials</h2>\(credentials.text.isEmpty ? HTML("<p class=\"muted\">None verified yet.</p>") : HTML("<ul>\(credentials)</ul>"))</section>
            <section class="card" id="public-testimonials"><h2>Testimonials <span class="muted small">\(testimonials.text.isEmpty ? "" : String(self.testimonials.count))</span></h2>
            \(testimonials.text.isEmpty ? HTML("<p class=\"muted\">None yet.</p>") : testimonials)</section>
            \(incidents.render(clock: clock))
            \(recognition.render(clock: clock))
            \(caseStudies.render(clock: clock))
            \(updates.render(clock: clock))
            \(content?.render(clock: clock) ?? "")
            <section class="card" id="public-passport"><h2>Trust passport</h2>
            <p>The record behind these figures, provable without trusting this site:
            <a href="\(SiteURL.passport(organizationID))" download>download \(name)'s trust passport</a> and check it
            with <code>bonafide passport verify FILE</code>. It holds commitments completed on time, late or missed, incidents
            handled openly or not, testimonials and credentials partners confirmed, each proven by the partnerships' logs and
            their partners' cosignatures, and nothing of what the partnerships were about.</p></section>
            \(status)
            """
    }
}
