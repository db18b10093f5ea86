import BonafideCore
import Fluent
import Foundation
import Vapor

/// Challenges: the list, the form to start one, one challenge with the entry form and the organizer's tools, and the
/// personal link's page for people invited without an account.
extension WebPages {
    static func challenges(_ req: Request) async throws -> HTML {
        let model = try await ChallengesPage.load(req, for: try req.requireActor())
        return try await page(req, "Challenges", model.render())
    }

    static func newChallenge(_ req: Request) async throws -> HTML {
        let actor = try req.requireActor()
        try Policy.manageOrganization(actor)
        let form = ChallengeForm(values: ChallengeForm.defaults(zone: actor.user.timeZone), csrf: req.csrfToken)
        return try await page(req, "Start a challenge", form.render())
    }

    static func createChallenge(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: ChallengeForm.fields.map { ($0, typedText(req, $0)) })
        do {
            let created = try await Challenges.create(
                try challengeDraft(values), by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            var message = "The challenge is set. Who sees it: \(created.summary.audience.label.lowercased())."
            if created.invited > created.withAccount {
                message += " Invited \(created.invited - created.withAccount) with a personal link."
            }
            if created.withAccount > 0 { message += " Invited \(created.withAccount) with their account, told in the app." }
            if !created.skipped.isEmpty {
                let skipped = created.skipped.prefix(5).map { "\($0.email) (\($0.reason))" }.joined(separator: ", ")
                message += " Skipped \(created.skipped.count): \(skipped)\(created.skipped.count > 5 ? ", …" : "")."
            }
            req.flash(message)
            return req.safeRedirect(to: SiteURL.challenge(created.summary.id))
        } catch let problem as Problem where Policy.canManage(actor) {
            // Shown again as typed, with the refusal next to its field.
            let form = ChallengeForm(values: values, problem: problem, csrf: req.csrfToken)
            return try await page(req, "Start a challenge", form.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.challenges())
        }
    }

    /// The form's text as a draft: the time box is read in the chosen zone, so the zone is checked first.
    static func challengeDraft(_ values: [String: String]) throws -> Challenges.Draft {
        guard let audience = Audience(rawValue: values["visibility"] ?? "") else {
            throw Problem.invalid("visibility", "Choose who sees the challenge.")
        }
        let zone = (values["timeZone"] ?? "").trimmingCharacters(in: .whitespaces)
        guard Validation.isTimeZone(zone) else { throw Problem.invalid("timeZone", "Choose the time zone the times are given in.") }
        func time(_ name: String) -> Date? { Clock.parseLocal((values[name] ?? "").trimmingCharacters(in: .whitespaces), zone: zone) }
        return Challenges.Draft(
            title: values["title"] ?? "", prompt: values["prompt"] ?? "", opensAt: time("opensAt"), closesAt: time("closesAt"),
            timeZone: zone, audience: audience, csv: values["csv"] ?? "")
    }

    /// Open to visitors for public challenges: they read it and sign in to take part.
    static func challengePage(_ req: Request) async throws -> Response {
        do {
            let model = try await ChallengePage.load(req, for: req.actor)
            return try await page(req, model.view.summary.title, model.render()).encodeResponse(for: req)
        } catch let problem as Problem where problem.status == .notFound && req.actor == nil {
            // A challenge for partners or circles may well be the visitor's once signed in. Every unknown or hidden
            // challenge gets the same answer, so this tells nothing about which exist.
            return req.redirect(to: SiteURL.login(next: req.url.path))
        }
    }

    /// The signed-in person's entry: back to the challenge when it is in, the page with the entry as typed and the reason
    /// when not, so nothing written is lost.
    static func submitChallengeEntry(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "chid")
        let typed = ChallengePage.Typed(body: typedText(req, "body"), link: typedText(req, "link"))
        do {
            let saved = try await Challenges.submit(id, body: typed.body, link: typed.link, as: .person(actor), on: req.db)
            req.flash(saved.created ? "Your entry is in. You can edit it until the challenge closes." : "Your entry is updated.")
            return req.safeRedirect(to: SiteURL.challenge(id) + "#your-entry")
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await ChallengePage.load(req, for: actor, typed: typed, problem: problem)
            return try await page(req, model.view.summary.title, model.render()).encodeResponse(status: problem.status, for: req)
        }
    }

    static func highlightChallengeEntry(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "chid")
        let entry = uuid(req, "ceid")
        let note = typedText(req, "note")
        let back = SiteURL.challenge(id) + "#entries"
        return try await act(req, back: back) {
            let highlighted = try await Challenges.highlight(
                id, entry: entry, note: note, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            req.flash("Highlighted: \(highlighted.author) is told why.")
            return back
        }
    }

    static func closeChallenge(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "chid")
        return try await act(req, back: SiteURL.challenge(id)) {
            _ = try await Challenges.close(id, by: actor, on: req.db)
            req.flash("The challenge is closed: it takes no more entries, and everyone who may see it now sees all of them.")
            return SiteURL.challenge(id)
        }
    }

    // MARK: Personal link (no account; the link is the credential)

    static func challengeLinkPage(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("challenge-link", key: "", limit: 120, window: 600)
        return try await challengeLinkResponse(req, try await ChallengeLinkPage.load(req, token: token), status: .ok)
    }

    static func submitThroughChallengeLink(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("challenge-link", key: "", limit: 120, window: 600)
        let (challenge, _) = try await Challenges.byLink(token, on: req.db)
        let typed = ChallengePage.Typed(body: typedText(req, "body"), link: typedText(req, "link"))
        do {
            _ = try await Challenges.submit(challenge.id, body: typed.body, link: typed.link, as: .link(token), on: req.db)
            return req.safeRedirect(to: SiteURL.challengeLink(token) + "#entries")
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await ChallengeLinkPage.load(req, token: token, typed: typed, problem: problem)
            return try await challengeLinkResponse(req, model, status: problem.status)
        }
    }

    /// The link is a secret in the address: it is not sent on as a referrer nor kept in caches.
    private static func challengeLinkResponse(_ req: Request, _ model: ChallengeLinkPage, status: HTTPStatus) async throws -> Response {
        let res = try await customerPage(req, model.view.summary.title, model.render()).encodeResponse(status: status, for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
}
