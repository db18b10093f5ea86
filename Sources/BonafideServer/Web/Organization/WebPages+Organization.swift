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
        let model = try await OrganizationPage.load(req, for: try req.requireActor(), sections: refused)
        return try await page(req, model.settings.name, model.render())
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
        return try await act(req, back: SiteURL.Settings.section("you")) {
            let zone = field(req, "timeZone")
            try await Accounts.setTimeZone(zone, of: actor, on: req.db)
            req.flash("Saved: times now show in \(zone).")
            return SiteURL.Settings.section("you")
        }
    }

    static func createToken(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("api-tokens")) {
            let (_, secret) = try await Accounts.createToken(for: actor.user, name: field(req, "name"), on: req.db)
            req.setSessionValue("new_token", secret)
            return SiteURL.Settings.section("api-tokens")
        }
    }

    static func revokeToken(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("api-tokens")) {
            try await Accounts.revokeToken(uuid(req, "tokenID"), by: actor, on: req.db)
            req.flash("Token revoked; it no longer works.")
            return SiteURL.Settings.section("api-tokens")
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
