import BonafideCore
import Fluent
import Foundation
import Vapor

/// Updates: the list with its form, one update, and an organization's public feed.
extension WebPages {
    static func updates(_ req: Request) async throws -> HTML {
        try await updatesPage(req, form: nil)
    }

    /// The updates list with the form (empty, or refused as typed).
    private static func updatesPage(_ req: Request, form: UpdateForm?) async throws -> HTML {
        let model = try await UpdatesPage.load(req, for: try req.requireActor(), form: form)
        return try await page(req, "Updates", model.render())
    }

    static func publishUpdate(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: UpdateForm.fields.map { ($0, typedText(req, $0)) })
        let named = (try? req.content.get([String].self, at: "organizationIds")) ?? []
        do {
            guard let visibility = UpdateAudience(rawValue: values["visibility"] ?? "") else {
                throw Problem.invalid("visibility", "Choose who reads the update.")
            }
            let title = values["title"] ?? "", body = values["body"] ?? ""
            switch visibility {
            case .organizations:
                let ids = try named.map { raw in
                    guard let id = UUID(uuidString: raw) else {
                        throw Problem.invalid("organizationIds", "Choose the organizations from the list.")
                    }
                    return id
                }
                let entry = try await Updates.publish(title: title, body: body, to: ids, by: actor, on: req.db)
                req.flash("Published for \(entry.namedOrganizations.map { $0.name }.joined(separator: ", ")) and your own people.")
                return req.safeRedirect(to: SiteURL.update(entry.id))
            case .audience(let audience):
                // The boxes are on the form whatever is chosen; ticked ones count only for named organizations.
                let entry = try await Updates.publish(title: title, body: body, audience: audience, by: actor, on: req.db)
                req.flash("Published. Who reads it: \(audience.label.lowercased()).")
                return req.safeRedirect(to: SiteURL.update(entry.id))
            }
        } catch let problem as Problem where Policy.canManage(actor) {
            // Shown again as typed, with the refusal next to its field.
            let form = UpdateForm(values: values, named: Set(named), problem: problem, csrf: req.csrfToken)
            return try await updatesPage(req, form: form).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.updates())
        }
    }

    static func updatePage(_ req: Request) async throws -> Response {
        do {
            let model = try await UpdatePage.load(req, for: req.actor)
            // A reader opening the page has opened the update (counted once; the writer's own people not at all).
            if let actor = req.actor { try await Updates.markOpened(model.entry, by: actor, on: req.db) }
            return try await page(req, model.entry.title, model.render()).encodeResponse(for: req)
        } catch let problem as Problem where problem.status == .notFound && req.actor == nil {
            // Mail links lead here: an update for partners or circles may well be the visitor's once signed in. Every
            // unknown or hidden update gets the same answer, so this tells nothing about which exist.
            return req.redirect(to: SiteURL.login(next: req.url.path))
        }
    }

    /// The organization's public updates for feed readers, without an account: the same answer for everyone.
    static func updatesFeed(_ req: Request) async throws -> Response {
        guard let id = uuid(req, "oid"), let organization = try await Organization.find(id, on: req.db) else {
            throw Problem.notFound("organization")
        }
        let feed = try await Updates.atom(of: organization, baseURL: req.application.bonafide.baseURL, on: req.db)
        let res = Response(status: .ok, body: .init(string: feed))
        res.headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        return res
    }

    /// A form's text with the browser's CR LF line breaks made plain LF, so that Markdown and "was it changed?" read
    /// the text as it was typed.
    static func typedText(_ req: Request, _ name: String) -> String {
        field(req, name).replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// Case studies: the list with its form, one case study, and the partner's decision or either side's withdrawal.
extension WebPages {
    static func caseStudies(_ req: Request) async throws -> HTML {
        let model = try await CaseStudiesPage.load(req, for: try req.requireActor())
        return try await page(req, "Case studies", model.render())
    }

    static func proposeCaseStudy(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: CaseStudyForm.fields.map { ($0, typedText(req, $0)) })
        do {
            guard let partnership = UUID(uuidString: values["partnership"] ?? "") else {
                throw Problem.invalid("partnership", "Choose the partnership the case study is about.")
            }
            let entry = try await CaseStudies.propose(
                partnership: partnership, title: values["title"] ?? "", body: values["body"] ?? "", by: actor, on: req.db)
            req.flash("Sent to \(entry.partnerName) to confirm; nobody else sees it until they do.")
            return req.safeRedirect(to: SiteURL.caseStudy(entry.id))
        } catch let problem as Problem where Policy.canManage(actor) {
            // Shown again as typed (a story is long to type twice), with the refusal next to its field.
            let model = try await CaseStudiesPage.load(req, for: actor, values: values, problem: problem)
            return try await page(req, "Case studies", model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.caseStudies())
        }
    }

    static func caseStudyPage(_ req: Request) async throws -> HTML {
        let model = try await CaseStudyPage.load(req, for: try req.requireActor())
        return try await page(req, model.entry.title, model.render())
    }

    static func decideCaseStudy(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "csid")
        let values = Dictionary(uniqueKeysWithValues: CaseStudyPage.fields.map { ($0, typedText(req, $0)) })
        return try await caseStudyForm(req, .decision, values: values) {
            guard let confirm = ["confirm": true, "decline": false][values["decision"] ?? ""] else {
                throw Problem.invalid("decision", "Choose whether to confirm or decline the case study.")
            }
            // The form comes filled with the text as it stands: only what the partner changed is an edit.
            let current = try await CaseStudies.find(id, for: actor, on: req.db)
            let decided = try await CaseStudies.decide(
                id, confirm: confirm, note: values["note"], title: edit(values["title"] ?? "", of: current.title),
                body: edit(values["body"] ?? "", of: current.body), by: actor, on: req.db)
            guard confirm else { return "Declined; \(decided.authorName) has been told." }
            return decided.editedByPartner
                ? "Confirmed in your own words: it now shows on both profiles." : "Confirmed: it now shows on both profiles."
        }
    }

    static func withdrawCaseStudy(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await caseStudyForm(req, .withdrawal, values: [:]) {
            let withdrawn = try await CaseStudies.withdraw(uuid(req, "csid"), by: actor, on: req.db)
            return "Withdrawn: “\(withdrawn.title)” is off both profiles for good, and the other side has been told."
        }
    }

    /// Runs a case study form's work and goes back to the case study with what it says; a refusal shows the case
    /// study again with the reason (at the form, or at the top when the form is no longer offered) and its status,
    /// except "not found", which is the app's 404 like any page the viewer may not see.
    private static func caseStudyForm(
        _ req: Request, _ form: CaseStudyPage.Form, values: [String: String], _ work: () async throws -> String
    ) async throws -> Response {
        let actor = try req.requireActor()
        do {
            req.flash(try await work())
            return req.safeRedirect(to: SiteURL.caseStudy(uuid(req, "csid")))
        } catch let problem as Problem where problem.status != .notFound {
            let refused = CaseStudyPage.Refusal(form: form, values: values, problem: problem)
            let model = try await CaseStudyPage.load(req, for: actor, refused: refused)
            return try await page(req, model.entry.title, model.render()).encodeResponse(status: problem.status, for: req)
        }
    }

    /// The typed text as an edit, or nil when it is the text as it stands (or left empty).
    private static func edit(_ typed: String, of current: String) -> String? {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        let unchanged = current.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text == unchanged ? nil : text
    }
}
