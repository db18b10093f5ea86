import BonafideCore
import Fluent
import Foundation
import Vapor

/// An organization's profile as a signed-in person sees it: the sections it shows them, its credentials, testimonials,
/// incident record, badges and the thank-yous it shows, how it answers support requests (for its people and those it
/// serves), confirmed case studies and updates and, when it is another organization, the viewer's trust in it with
/// where they keep it, how to be introduced, what it sees of the viewer and (for owners and admins) a form to thank
/// it. Loaded through the services and the policy layer; a pure view.
struct OrganizationProfilePage: Sendable {
    /// What the viewer does with another organization; absent on one's own profile.
    struct Relationship: Sendable {
        var trust: TrustPanel
        var circle: CircleCard
        var introduction: IntroductionRequestCard
        var audience: ProfileAudienceCard
    }

    var name: String
    var profile: ProfileCard
    var credentials: [CredentialEntry]
    var testimonials: TestimonialsCard
    var incidents: IncidentRecordCard
    var relationship: Relationship?
    var clock: Clock
    var csrf: String
    /// What its record earned it, the case studies partners confirmed and its latest updates for the viewer; left
    /// out (nil) by pages built from values alone.
    var recognition: RecognitionCard?
    var caseStudies: CaseStudiesCard?
    var updates: UpdatesCard?
    /// On another organization's profile, for owners and admins: thanking it publicly.
    var sayThanks: SayThanksCard?
    /// How it answers support requests, for its people and those it serves, with the form to ask it for help.
    var support: SupportFiguresCard? = nil
    /// The guides, videos, whitepapers and articles it lists that the viewer may read.
    var content: ContentCard? = nil

    static func load(_ req: Request, for actor: Actor, organization id: UUID?, thanks refused: SayThanksCard.Refusal? = nil)
        async throws -> Self
    {
        let db = req.db
        guard let id, let org = try await Organization.find(id, on: db) else { throw Problem.notFound("organization") }
        let now = Date()
        let relationship: Relationship? =
            id == actor.organizationID
            ? nil
            : Relationship(
                trust: try await TrustPanel.load(for: actor, subject: id, csrf: req.csrfToken, on: db),
                circle: try await CircleCard.load(for: actor, subject: id, on: db),
                introduction: try await IntroductionRequestCard.load(req, for: actor, target: org),
                audience: try await ProfileAudienceCard.load(req, for: actor, other: org))
        return OrganizationProfilePage(
            name: org.name, profile: try await ProfileCard.load(req, of: org, for: .person(actor)),
            credentials: try await Credentials.of(id, seenBy: actor.organizationID, on: db).map { CredentialEntry($0, at: now) },
            testimonials: try await TestimonialsCard.load(for: actor, subject: id, on: db),
            incidents: IncidentRecordCard(record: try await Incidents.record(of: id, on: db)), relationship: relationship,
            clock: Clock(actor.user.timeZone), csrf: req.csrfToken, recognition: try await RecognitionCard.load(of: id, on: db),
            caseStudies: try await CaseStudiesCard.load(of: id, linked: true, on: db),
            updates: try await UpdatesCard.load(of: id, for: .person(actor), on: db),
            sayThanks: try await SayThanksCard.load(for: actor, organization: id, name: org.name, refused: refused, on: db),
            support: try await SupportFiguresCard.load(req, for: actor, organization: id, name: org.name),
            content: try await ContentCard.load(of: org, for: actor, on: db))
    }

    func render() -> HTML {
        let credentialList: HTML =
            credentials.isEmpty
            ? "<p class=\"muted\">None listed.</p>"
            : "<ul>\(HTML.join(credentials.map { HTML("<li>\($0.render(clock: clock))</li>") }))</ul>"
        let ownNote: HTML =
            relationship == nil
            ? "<p class=\"muted\">This is your organization: your people see every part; <a href=\"\(SiteURL.profileSettings)\">choose who else sees each</a>.</p>"
            : ""
        // Profile, record and the viewer's own standing with them run to several phone screens: one part at a time there.
        let tabs = PageTabs(parts: [
            .init(
                anchor: "about", title: "Profile",
                content: """
                    <div id="about">\(profile.render())
                    <section class="card" id="profile-credentials"><h2>Credentials</h2>\(credentialList)
                    <p class="small muted">Verified means the issuing organization confirmed it on Bonafide.</p></section>\(ownNote)</div>
                    """),
            .init(
                anchor: "testimonials", title: "Testimonials and incidents",
                content: "\(testimonials.render(clock: clock, csrf: csrf))\n\(incidents.render(clock: clock))"),
            .init(
                anchor: "recognition", title: "Recognition and news",
                content:
                    "\(recognition?.render(clock: clock) ?? "")\(support?.render() ?? "")\(sayThanks?.render(csrf: csrf) ?? "")\(caseStudies?.render(clock: clock) ?? "")\(updates?.render(clock: clock) ?? "")"
            ),
            .init(anchor: "guides-and-resources", title: "Guides and resources", content: content?.render(clock: clock) ?? ""),
            .init(
                anchor: "your-trust", title: "Your trust",
                content: relationship.map { "<div id=\"your-trust\">\($0.trust.render())\($0.circle.render(csrf: csrf))</div>" } ?? ""),
            .init(
                anchor: "introductions-and-access", title: "Introductions and access",
                content: relationship.map {
                    "<div id=\"introductions-and-access\">\($0.introduction.render(csrf: csrf))\n\($0.audience.render())</div>"
                } ?? ""),
        ])
        return """
            <h1>\(name)</h1>
            \(tabs.nav)
            \(tabs.panels)
            """
    }
}
