import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func organization(_ req: Request) async throws -> HTML {
        try await organizationPage(req)
    }

    /// Your organization's page; a refused profile section form is shown again in its card, as typed.
    static func organizationPage(_ req: Request, sections refused: ProfileSectionsCard.Refusal? = nil) async throws -> HTML {
        let actor = try req.requireActor()
        guard let org = try await Organization.find(actor.organizationID, on: req.db) else { throw Problem.notFound("organization") }
        let members = try await User.query(on: req.db).filter(\.$organization.$id == org.id!).sort(\.$name).all()
        let canEdit = Policy.canManage(actor)
        let disabled: HTML = canEdit ? "" : " disabled"
        let days = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun")]
        let dayBoxes = HTML.join(
            days.map { d, name in
                "<label class=\"inline\" style=\"display:inline-block;font-weight:400;margin-right:.6rem\"><input type=\"checkbox\" name=\"days[]\" value=\"\(d)\"\(HTML(raw: org.workDays.contains(d) ? " checked" : ""))\(disabled)> \(name)</label>"
            })
        let invite: HTML =
            canEdit
            ? """
            <section class="card" id="invite-colleague"><h2>Invite a colleague</h2>
            <form method="post" action="\(SiteURL.colleagueInvitations())">\(csrf(req))
            <label for="inv-email">Email</label><input id="inv-email" name="email" type="email" required>
            <label for="inv-role">Role</label><select id="inv-role" name="role"><option>member</option><option>admin</option>\(Policy.isOwner(actor) ? HTML("<option>owner</option>") : "")</select>
            <button>Create invitation link</button></form></section>
            """ : ""
        let twoFactorPolicy: HTML =
            Policy.isOwner(actor)
            ? """
            <section class="card" id="two-factor-policy"><h2>Two-factor sign-in</h2>
            <p>\(org.requireTwoFactor ? "Everyone in \(org.name) must sign in with a second factor." : "A second factor is optional for your colleagues.")</p>
            <form method="post" action="\(SiteURL.twoFactorRequirement())">\(csrf(req))<input type="hidden" name="required" value="\(org.requireTwoFactor ? "0" : "1")">
            <button class="\(org.requireTwoFactor ? "secondary" : "")">\(org.requireTwoFactor ? "Make it optional" : "Require it of everyone")</button></form></section>
            """ : ""
        let mail = canEdit ? try await outgoingMail(req, organization: org.id!, clock: Clock(actor.user.timeZone)) : ""
        let webhooks =
            canEdit ? try await WebhooksCard.load(req, for: actor).render(csrf: req.csrfToken, clock: Clock(actor.user.timeZone)) : ""
        let current = StatusPages.visibility(of: org)
        let statusOptions = HTML.join(
            StatusPageVisibility.allCases.map { v in
                HTML("<option value=\"\(v.rawValue)\"\(HTML(raw: v == current ? " selected" : ""))>\(v.label)</option>")
            })
        let statusPage: HTML =
            canEdit
            ? """
            <section class="card" id="status-page"><h2>Status page</h2>
            <p class="muted small">During an incident, say what is going on in one place: <a href="\(SiteURL.status(org.id))">your status page</a> shows your
            disclosures and the accounts you published, with the updates you post. Partners can follow it by mail.</p>
            <form method="post" action="\(SiteURL.statusPageSettings())">\(csrf(req))<label for="status-visibility">Who can see it</label>
            <select id="status-visibility" name="visibility">\(statusOptions)</select><button>Save</button></form></section>
            """ : ""
        let vault = try await VaultCard.load(req, for: actor).render(csrf: req.csrfToken)
        var sectionsCard = try await ProfileSectionsCard.load(req, for: actor)
        sectionsCard.refused = refused
        let sections = sectionsCard.render(csrf: req.csrfToken)
        let sharedWithUs = try await SharedWithUsCard.load(req, for: actor).render(clock: Clock(actor.user.timeZone))
        let credentials = try await credentialsSettings(req, actor: actor, clock: Clock(actor.user.timeZone))
        return try await page(
            req, org.name,
            """
            <h1>\(org.name)</h1>
            <p class="muted">An honest profile is where trust starts: partners see what you do well, what you do not, and what could go wrong.</p>
            \(sections)
            <section class="card"><h2>Name, hours and settings</h2>
            <form method="post" action="\(SiteURL.ownOrganization())">\(csrf(req))
            <label for="name">Name</label><input id="name" name="name" value="\(org.name)" maxlength="120"\(disabled)>
            <label for="tz">Time zone</label><select id="tz" name="timeZone"\(disabled)>\(zoneOptions(selected: org.timeZone))</select>
            <div class="grid"><div><label for="ws">Working hours from</label><input id="ws" name="workStart" type="time" value="\(WorkingHours.text(ofMinute: org.workStartMinute))"\(disabled)></div>
            <div><label for="we">until</label><input id="we" name="workEnd" type="time" value="\(WorkingHours.text(ofMinute: org.workEndMinute))"\(disabled)></div></div>
            <fieldset style="border:0;padding:0;margin:.6rem 0"><legend style="font-weight:600">Working days</legend>\(dayBoxes)</fieldset>
            <label style="font-weight:400"><input type="checkbox" id="message-sentiment" name="messageSentiment" value="1"\(HTML(raw: org.messageSentiment ? " checked" : ""))\(disabled)> Analyse the tone of partnership messages <span class="muted small">(shown only to your people; your partners see it only if they opt in themselves)</span></label>
            \(canEdit ? HTML("<button>Save settings</button>") : HTML("<p class=\"muted\">Only owners and admins can change these.</p>"))
            </form></section>
            <section class="card"><h2>People</h2><table><thead><tr><th>Name</th><th>Email</th><th>Role</th></tr></thead><tbody>
            \(members.map { m in HTML("<tr><td>\(m.name)</td><td>\(m.email)</td><td>\(m.role.rawValue)</td></tr>") })</tbody></table></section>
            \(credentials)
            \(invite)\(twoFactorPolicy)
            \(mail)
            \(statusPage)
            \(vault)
            \(sharedWithUs)
            \(webhooks)
            """)
    }

    /// Owners and admins see whether invitations and reminders reached the mail server, and why not.
    private static func outgoingMail(_ req: Request, organization: UUID, clock: Clock) async throws -> HTML {
        let summary = try await MailDelivery.summary(of: organization, on: req.db)
        let recent = try await MailDelivery.recent(of: organization, on: req.db)
        let server: HTML =
            req.application.bonafide.smtp.map { "Mail goes out through <code>\($0.host)</code> as \($0.fromAddress)." }
            ?? "This Bonafide does not send mail yet (whoever runs it can connect a mail server): messages wait here, and survey pages show each person's link to pass on."
        let rows = HTML.join(
            recent.map { m in
                let state: HTML =
                    switch m.status {
                    case .sent: "sent \(clock.format(m.sentAt, "d MMM HH:mm"))"
                    case .queued where m.attempts > 0: "waiting to retry \(clock.format(m.nextAttemptAt, "d MMM HH:mm"))"
                    case .queued where (m.nextAttemptAt ?? .distantPast) > req.application.jobClock():
                        "held until \(clock.format(m.nextAttemptAt, "d MMM HH:mm")) (quiet hours or a day off)"
                    case .queued: "waiting"
                    case .failed: "<strong>failed</strong>"
                    case .digest: "waiting for the daily digest"
                    case .digested: "sent in a digest \(clock.format(m.sentAt, "d MMM HH:mm"))"
                    }
                // A colleague's notification can name a partnership the reader is not in: only its kind is shown.
                let subject =
                    m.userID == nil
                    ? m.subject
                    : m.kind == Notifier.digestKind
                        ? "Daily digest" : "Notification: \(NotificationKind(rawValue: m.eventKind ?? "")?.label ?? "update")"
                return """
                    <tr><td>\(m.toEmail)</td><td class="hide-sm">\(subject)</td><td>\(state)</td><td class="small muted">\(m.lastError ?? "")</td></tr>
                    """
            })
        let retry: HTML =
            summary.failed > 0
            ? "<form method=\"post\" action=\"\(SiteURL.mailRetry())\">\(csrf(req))<button>Send the \(summary.failed) failed message\(summary.failed == 1 ? "" : "s") again</button></form>"
            : ""
        return """
            <section class="card" id="outgoing-mail"><h2>Outgoing mail</h2>
            <p class="muted small">\(server)</p>
            <p id="mail-summary">\(summary.sent) sent · \(summary.queued) waiting · \(summary.digest > 0 ? "\(summary.digest) for digests · " : "")\(summary.failed) failed</p>
            \(recent.isEmpty ? HTML("<p class=\"muted\">Nothing sent yet.</p>") : HTML("<table><thead><tr><th>To</th><th class=\"hide-sm\">Subject</th><th>State</th><th>Mail server said</th></tr></thead><tbody>\(rows)</tbody></table>"))
            \(retry)</section>
            """
    }

    static func retryFailedMail(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.ownOrganization()) {
            try Policy.manageOrganization(actor)
            let n = try await MailDelivery.retryFailed(of: actor.organizationID, on: req.db)
            req.flash("\(n) message\(n == 1 ? "" : "s") queued again.")
            return SiteURL.outgoingMail
        }
    }

    static func updateOrganization(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.ownOrganization()) {
            let days = (try? req.content.get([String].self, at: "days")) ?? []
            // The profile's text lives in its sections (their own forms); this form keeps the name, hours and settings.
            _ = try await Accounts.updateOrganization(
                .init(
                    name: field(req, "name"), timeZone: field(req, "timeZone"), workStart: field(req, "workStart"),
                    workEnd: field(req, "workEnd"), workDays: days.compactMap { Int($0) },
                    messageSentiment: field(req, "messageSentiment") == "1"),
                by: actor, on: req.db)
            req.flash("Settings saved.")
            return SiteURL.ownOrganization()
        }
    }

    static func inviteColleague(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.ownOrganization()) {
            guard let role = Role(rawValue: field(req, "role")) else { throw Problem.invalid("role", "Choose owner, admin or member.") }
            let (inv, secret) = try await Accounts.inviteColleague(
                email: field(req, "email"), role: role, by: actor, mailingFrom: req.application.bonafide.baseURL, on: req.db)
            req.flash(
                "Invitation mailed to \(inv.email). You can also send them this link; it works once: "
                    + "\(req.application.bonafide.baseURL)\(SiteURL.join(secret))")
            return SiteURL.ownOrganization()
        }
    }

    static func settings(_ req: Request) async throws -> HTML {
        let newSecret = req.sessionValue("new_token")
        if newSecret != nil { req.setSessionValue("new_token", nil) }
        let model = try await SettingsPage.load(req, for: try req.requireActor(), newSecret: newSecret)
        return try await page(req, "Settings", model.render())
    }

    static func updateProfile(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            let zone = field(req, "timeZone")
            try await Accounts.setTimeZone(zone, of: actor, on: req.db)
            req.flash("Saved: times now show in \(zone).")
            return SiteURL.Settings.page()
        }
    }

    static func createToken(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            let (_, secret) = try await Accounts.createToken(for: actor.user, name: field(req, "name"), on: req.db)
            req.setSessionValue("new_token", secret)
            return SiteURL.Settings.page()
        }
    }

    static func revokeToken(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.page()) {
            try await Accounts.revokeToken(uuid(req, "tokenID"), by: actor, on: req.db)
            req.flash("Token revoked; it no longer works.")
            return SiteURL.Settings.page()
        }
    }
}

extension WebPages {
    /// Runs a profile section form's work; a refusal about one of its fields shows the organization page again with
    /// the form as typed, anything else is a flash.
    private static func profileSectionForm(_ req: Request, section: String?, _ work: (Actor) async throws -> String) async throws
        -> Response
    {
        let actor = try req.requireActor()
        do {
            req.flash(try await work(actor))
            return req.safeRedirect(to: SiteURL.profileSettings)
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let values = Dictionary(uniqueKeysWithValues: ["title", "content", "visibility"].map { ($0, field(req, $0)) })
            let refused = ProfileSectionsCard.Refusal(section: section, values: values, problem: problem)
            return try await organizationPage(req, sections: refused).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.profileSettings)
        }
    }

    static func saveProfileSection(_ req: Request) async throws -> Response {
        let name = req.parameters.get("section") ?? ""
        return try await profileSectionForm(req, section: name) { actor in
            let content = name == "workingHours" ? nil : field(req, "content")
            let section = try await ProfileSections.set(
                name, content: content, audience: try audience(req), title: nil, by: actor, on: req.db)
            return "“\(section.title)” saved: \(section.audience.label.lowercased()) see\(section.audience == .public ? "s" : "") it."
        }
    }

    static func addProfileSection(_ req: Request) async throws -> Response {
        try await profileSectionForm(req, section: nil) { actor in
            let title = field(req, "title").trimmingCharacters(in: .whitespacesAndNewlines)
            let name = ProfileSections.name(forTitle: title)
            guard !name.isEmpty else { throw Problem.invalid("title", "Give the section a title with letters or digits.") }
            if let org = try await Organization.find(actor.organizationID, on: req.db),
                let existing = try await ProfileSections.all(of: org, on: req.db).first(where: { $0.name == name })
            {
                throw Problem(.conflict, "Your profile already has “\(existing.title)”; change it above instead.")
            }
            let section = try await ProfileSections.set(
                name, content: field(req, "content"), audience: try audience(req), title: title, by: actor, on: req.db)
            return "“\(section.title)” added."
        }
    }

    static func removeProfileSection(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.profileSettings) {
            try await ProfileSections.remove(req.parameters.get("section") ?? "", by: actor, on: req.db)
            req.flash("Section removed.")
            return SiteURL.profileSettings
        }
    }

    private static func audience(_ req: Request) throws -> Audience {
        guard let audience = Audience(rawValue: field(req, "visibility")) else {
            throw Problem.invalid("visibility", "Choose who sees the section.")
        }
        return audience
    }
}
