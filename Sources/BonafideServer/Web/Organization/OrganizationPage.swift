import BonafideCore
import Fluent
import Foundation
import Vapor

/// Your organization's page: its profile sections, name, hours and settings, people, credentials, thank-yous and, for
/// those who manage it, invitations, two-factor policy, outgoing mail, status page, vault and webhooks. Who may change
/// what is decided in `load` through the policy layer; `render` is a pure view.
struct OrganizationPage: Sendable {
    struct Settings: Sendable {
        var name: String
        var timeZone: String
        var workStart: String
        var workEnd: String
        var workDays: [Int]
        var messageSentiment: Bool
    }

    struct Member: Sendable {
        var name: String
        var email: String
        var role: String
    }

    var organizationID: UUID
    var settings: Settings
    var members: [Member]
    /// Owners and admins change settings and see the cards that manage the organization.
    var mayEdit: Bool
    /// Only owners make owners, and only they set the two-factor requirement.
    var isOwner: Bool
    var requireTwoFactor: Bool
    var statusPageVisibility: StatusPageVisibility
    var sections: ProfileSectionsCard
    var credentials: CredentialsCard
    var outgoingMail: OutgoingMailCard?
    var vault: VaultCard
    var sharedWithUs: SharedWithUsCard
    var webhooks: WebhooksCard?
    /// Thank-yous received (to show or decline) and given.
    var thanks: ThanksCard
    var clock: Clock
    var csrf: String
    /// For owners and admins: the profile's claims beside the record.
    var consistency: ConsistencyCard? = nil

    static func load(_ req: Request, for actor: Actor, sections refused: ProfileSectionsCard.Refusal? = nil) async throws -> Self {
        let db = req.db
        guard let org = try await Organization.find(actor.organizationID, on: db) else { throw Problem.notFound("organization") }
        let mayEdit = Policy.canManage(actor)
        var sections = try await ProfileSectionsCard.load(req, for: actor)
        sections.refused = refused
        return OrganizationPage(
            organizationID: org.id!,
            settings: Settings(
                name: org.name, timeZone: org.timeZone, workStart: WorkingHours.text(ofMinute: org.workStartMinute),
                workEnd: WorkingHours.text(ofMinute: org.workEndMinute), workDays: org.workDays, messageSentiment: org.messageSentiment),
            members: try await User.query(on: db).filter(\.$organization.$id == org.id!).sort(\.$name).all().map {
                Member(name: $0.name, email: $0.email, role: $0.role.rawValue)
            },
            mayEdit: mayEdit, isOwner: Policy.isOwner(actor), requireTwoFactor: org.requireTwoFactor,
            statusPageVisibility: StatusPages.visibility(of: org), sections: sections,
            credentials: try await CredentialsCard.load(for: actor, at: Date(), on: db),
            outgoingMail: mayEdit
                ? try await OutgoingMailCard.load(
                    for: org.id!, server: req.application.bonafide.smtp, now: req.application.jobClock(), on: db) : nil,
            vault: try await VaultCard.load(req, for: actor), sharedWithUs: try await SharedWithUsCard.load(req, for: actor),
            webhooks: mayEdit ? try await WebhooksCard.load(req, for: actor) : nil,
            thanks: try await ThanksCard.load(for: actor, on: db), clock: Clock(actor.user.timeZone), csrf: req.csrfToken,
            consistency: try await ConsistencyCard.load(for: actor, on: db))
    }

    /// Where the profile's guides and resources are kept: a page of their own, like the updates.
    static let contentLink: HTML = """
        <section class="card" id="own-content-link"><h2>Guides and resources</h2><p>Guides, videos, whitepapers and articles on your
        profile, each for the audience you choose: <a href="\(SiteURL.ownContent())">see and change them</a>.</p></section>
        """

    func render() -> HTML {
        let token = csrfField(csrf)
        let disabled: HTML = mayEdit ? "" : " disabled"
        let days = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]
        let dayBoxes = HTML.join(
            days.map { d, name in
                "<label class=\"inline\" style=\"display:inline-block;font-weight:400;margin-right:.6rem\"><input type=\"checkbox\" name=\"days[]\" value=\"\(d)\"\(HTML(raw: settings.workDays.contains(d) ? " checked" : ""))\(disabled)> \(name)</label>"
            })
        let invite: HTML =
            mayEdit
            ? """
            <section class="card" id="invite-colleague"><h2>Invite a colleague</h2>
            <form method="post" action="\(SiteURL.colleagueInvitations())">\(token)
            <label for="inv-email">Email</label><input id="inv-email" name="email" type="email" required>
            <label for="inv-role">Role</label><select id="inv-role" name="role"><option>member</option><option>admin</option>\(isOwner ? HTML("<option>owner</option>") : "")</select>
            <button class="secondary">Create invitation link</button></form></section>
            """ : ""
        let twoFactorPolicy: HTML =
            isOwner
            ? """
            <section class="card" id="two-factor-policy"><h2>Two-factor sign-in</h2>
            <p>\(requireTwoFactor ? "Everyone in \(settings.name) must sign in with a second factor." : "A second factor is optional for your colleagues.")</p>
            <form method="post" action="\(SiteURL.twoFactorRequirement())">\(token)<input type="hidden" name="required" value="\(requireTwoFactor ? "0" : "1")">
            <button class="secondary">\(requireTwoFactor ? "Make it optional" : "Require it of everyone")</button></form></section>
            """ : ""
        let statusOptions = HTML.join(
            StatusPageVisibility.allCases.map { v in
                HTML("<option value=\"\(v.rawValue)\"\(HTML(raw: v == statusPageVisibility ? " selected" : ""))>\(v.label)</option>")
            })
        let statusPage: HTML =
            mayEdit
            ? """
            <section class="card" id="status-page"><h2>Status page</h2>
            <p class="muted small">During an incident, say what is going on in one place: <a href="\(SiteURL.status(organizationID))">your status page</a> shows your
            disclosures and the accounts you published, with the updates you post. Partners can follow it by mail.</p>
            <form method="post" action="\(SiteURL.statusPageSettings())">\(token)<label for="status-visibility">Who can see it</label>
            <select id="status-visibility" name="visibility">\(statusOptions)</select><button class="secondary">Save</button></form></section>
            """ : ""
        let settingsCard: HTML = """
            <section class="card" id="organization-settings"><h2>Name, hours and settings</h2>
            <form method="post" action="\(SiteURL.ownOrganization())">\(token)
            <label for="name">Name</label><input id="name" name="name" value="\(settings.name)" maxlength="120"\(disabled)>
            <label for="tz">Time zone</label><select id="tz" name="timeZone"\(disabled)>\(WebPages.zoneOptions(selected: settings.timeZone))</select>
            <div class="grid"><div><label for="ws">Working hours from</label><input id="ws" name="workStart" type="time" value="\(settings.workStart)"\(disabled)></div>
            <div><label for="we">until</label><input id="we" name="workEnd" type="time" value="\(settings.workEnd)"\(disabled)></div></div>
            <fieldset style="border:0;padding:0;margin:.6rem 0"><legend style="font-weight:600">Working days</legend>\(dayBoxes)</fieldset>
            <label style="font-weight:400"><input type="checkbox" id="message-sentiment" name="messageSentiment" value="1"\(HTML(raw: settings.messageSentiment ? " checked" : ""))\(disabled)> Analyse the tone of partnership messages <span class="muted small">(shown only to your people; your partners see it only if they opt in themselves)</span></label>
            \(mayEdit ? HTML("<button>Save settings</button>") : HTML("<p class=\"muted\">Only owners and admins can change these.</p>"))
            </form></section>
            """
        let people: HTML = """
            <section class="card" id="people"><h2>People</h2><table><thead><tr><th>Name</th><th>Email</th><th>Role</th></tr></thead><tbody>
            \(members.map { m in HTML("<tr><td>\(m.name)</td><td>\(m.email)</td><td>\(m.role)</td></tr>") })</tbody></table></section>
            \(invite)\(twoFactorPolicy)
            """
        let mailAndStatus: HTML = "\(outgoingMail?.render(clock: clock, csrf: csrf) ?? "")\(statusPage)"
        // Up to a dozen cards: on a phone, one part at a time.
        let tabs = PageTabs(parts: [
            .init(
                anchor: "profile-sections", title: "Profile",
                content: "\(sections.render(csrf: csrf))\(Self.contentLink)\(consistency?.render() ?? "")"),
            .init(anchor: "organization-settings", title: "Settings", content: settingsCard),
            .init(anchor: "people", title: "People", content: people),
            .init(anchor: "credentials", title: "Credentials", content: credentials.render(clock: clock, csrf: csrf)),
            .init(anchor: "thanks", title: "Thank-yous", content: thanks.render(clock: clock, csrf: csrf)),
            .init(
                anchor: "mail-and-status", title: "Mail and status",
                content: mailAndStatus.text.isEmpty ? "" : "<div id=\"mail-and-status\">\(mailAndStatus)</div>"),
            .init(anchor: "vault", title: "Vault", content: "\(vault.render(csrf: csrf))\n\(sharedWithUs.render(clock: clock))"),
            .init(anchor: "webhooks", title: "Webhooks", content: webhooks?.render(csrf: csrf, clock: clock) ?? ""),
        ])
        return """
            <h1>\(settings.name)</h1>
            <p class="muted">An honest profile is where trust starts: partners see what you do well, what you do not, and what could go wrong.</p>
            \(tabs.nav)
            \(tabs.panels)
            """
    }
}
