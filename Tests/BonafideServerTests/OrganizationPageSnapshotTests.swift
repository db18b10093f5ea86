import BonafideCore
import Foundation
import SnapshotTesting
import Testing

@testable import BonafideServer

/// The organization, circles, account and invitation pages rendered from model values alone, compared with the HTML
/// kept in `__Snapshots__` (see `PageSnapshotTests`).
@Suite("Organization and account page snapshots")
struct OrganizationPageSnapshotTests {
    static let clock = Clock("Europe/Berlin")
    static let day = Date(timeIntervalSince1970: 1_796_000_000)
    static let acme = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    static let globex = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!

    static func credential(_ title: String, _ state: CredentialEntry.State, until: Date? = nil) -> CredentialEntry {
        CredentialEntry(
            id: UUID(uuidString: "00000000-0000-0000-0000-0000000000C1")!, holderID: acme, holderName: "Acme", title: title,
            kind: .certification, issuerName: "TÜV <Süd>", identifier: "27-001", validUntil: until, decidedAt: day,
            decisionNote: nil, state: state)
    }

    @Test func circlesPageWithASearchThatFoundNothing() {
        let page = CirclesPage(
            members: [
                .init(
                    organizationID: Self.acme, name: "Acme", circle: .trustedReferral, note: "Paid <on time>", placedAt: Self.day,
                    placedBy: "Alice"
                ),
                .init(organizationID: Self.globex, name: "Globex", circle: .follow, note: "", placedAt: Self.day, placedBy: "Bob"),
            ], query: "Initech", found: [], referralLinks: ReferralLinksCard(links: [], canManage: false), clock: Self.clock,
            csrf: "token", now: Self.day)
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("No organization is called anything like “Initech”."))
        #expect(html.contains("Paid &lt;on time&gt;"))
        // Closest circle first.
        let trusted = html.range(of: "id=\"circle-trusted-referral\"")?.lowerBound
        let following = html.range(of: "id=\"circle-follow\"")?.lowerBound
        #expect(trusted != nil && following != nil && trusted! < following!)
    }

    @Test func ownProfileWithAnExpiredCredential() {
        let page = OrganizationProfilePage(
            name: "Acme", profile: ProfileCard(sections: []),
            credentials: [Self.credential("ISO 27001", .expired, until: Self.day), Self.credential("Licence", .claimed)],
            testimonials: TestimonialsCard(subject: Self.acme, entries: [], writing: .ownOrganization),
            incidents: IncidentRecordCard(
                record: .init(
                    total: 0, bySeverity: [:], selfReported: 0, raisedByPartners: 0, partnersRaising: 0, acknowledgedPromptly: 0,
                    medianAcknowledgeSeconds: nil, resolved: 0, open: 0, handledOpenly: 0, mishandled: 0, published: [])),
            relationship: nil, clock: Self.clock, csrf: "token")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("<span class=\"status s-expired\">expired</span>"))
        #expect(html.contains("<span class=\"status s-claimed\">not verified</span>"))
        #expect(html.contains("issued by TÜV &lt;Süd&gt;"))
        #expect(html.contains("This is your organization") && !html.contains("<form"))
    }

    @Test func testimonialsWhenThereIsNoCompletedWorkYet() {
        let card = TestimonialsCard(subject: Self.globex, entries: [], writing: .notYet)
        let html = card.render(clock: Self.clock, csrf: "token").text
        #expect(html.contains("id=\"testimonial-why-not\"") && !html.contains("<form"))
        let mayRewrite = TestimonialsCard(subject: Self.globex, entries: [], writing: .may(current: "Great <work>"))
            .render(clock: Self.clock, csrf: "token").text
        #expect(mayRewrite.contains(">Great &lt;work&gt;</textarea>") && mayRewrite.contains("Withdraw it"))
    }

    @Test func signUpThroughAnInvitationRefused() {
        var values = SignUpPage.Values()
        (values.name, values.email, values.invitation, values.invitedOrganization) = ("Carla", "carla@acme.test", "s3cret", "Acme")
        let html = SignUpPage(values: values, error: .invalid("password", "Use at least 10 characters."), csrf: "token")
            .render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("You are joining <strong>Acme</strong>."))
        #expect(html.contains("<p class=\"error-text\" role=\"alert\">Use at least 10 characters.</p>"))
        #expect(html.contains("value=\"carla@acme.test\"") && !html.contains("id=\"organization\""))
    }

    @Test func invitationForSomeoneNotSignedIn() {
        let page = InvitationPage(
            secret: "s3cret", inviter: "Alice", inviterOrganization: "Acme", partnershipName: "Relaunch",
            agreement: "We deliver <weekly>.", invitedEmail: "bob@globex.test", signedIn: false, csrf: "")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("We deliver &lt;weekly&gt;.") && !html.contains("<form"))
        var signedIn = page
        signedIn.signedIn = true
        #expect(signedIn.render().text.contains(">Accept</button>"))
    }

    @Test func newCommitmentRefusedKeepsWhatWasTyped() {
        let carla = UUID(uuidString: "00000000-0000-0000-0000-0000000000D1")!
        let page = NewCommitmentPage(
            partnershipID: Self.acme, partnershipName: "Relaunch",
            colleagues: [(UUID(uuidString: "00000000-0000-0000-0000-0000000000D0")!, "Alice"), (carla, "Carla")],
            values: [
                "title": "Style guide", "ownerId": carla.uuidString, "deliverable": "A PDF", "acceptanceCriteria": "",
                "dueAt": "2026-13-01T10:00", "timeZone": "Europe/Berlin",
            ],
            problem: .invalid("dueAt", "Enter the due date and time, and pick a time zone."), defaultOwner: carla,
            defaultZone: "UTC", suggestedDue: "2026-12-12T10:00", csrf: "token")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("value=\"Style guide\"") && html.contains("value=\"2026-13-01T10:00\" aria-invalid=\"true\""))
        #expect(html.contains("<option value=\"\(carla.uuidString.lowercased())\" selected>Carla</option>"))
    }
}
