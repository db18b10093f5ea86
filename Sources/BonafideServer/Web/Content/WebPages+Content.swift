import BonafideCore
import Foundation
import Vapor

/// Guides and resources: an organization's list and one item (open to visitors for public ones), and one's own
/// organization's list with adding, changing and removing.
extension WebPages {
    static func profileContent(_ req: Request) async throws -> Response {
        do {
            let model = try await ContentLibraryPage.load(req, for: req.actor)
            return try await page(req, "\(model.organizationName): guides and resources", model.render()).encodeResponse(for: req)
        } catch let problem as Problem where problem.status == .notFound && req.actor == nil {
            // What a visitor may not read may well be theirs once signed in; the same answer for every address.
            return req.redirect(to: SiteURL.login(next: req.url.path))
        }
    }

    static func contentItemPage(_ req: Request) async throws -> Response {
        do {
            let model = try await ContentItemPage.load(req, for: req.actor)
            return try await page(req, model.entry.title, model.render()).encodeResponse(for: req)
        } catch let problem as Problem where problem.status == .notFound && req.actor == nil {
            return req.redirect(to: SiteURL.login(next: req.url.path))
        }
    }

    static func ownContent(_ req: Request) async throws -> HTML {
        let model = try await OwnContentPage.load(req, for: try req.requireActor())
        return try await page(req, "Guides and resources", model.render())
    }

    static func addContent(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: ContentForm.fields.map { ($0, typedText(req, $0)) })
        do {
            guard let kind = ContentKind(rawValue: values["kind"] ?? "") else {
                throw Problem.invalid("kind", "Choose what it is: a guide, a video, a whitepaper or an article.")
            }
            let draft = ProfileContent.Draft(
                kind: kind, title: values["title"] ?? "", summary: values["description"] ?? "", body: values["body"] ?? "",
                url: values["url"] ?? "", documentID: try typedDocument(values), audience: try typedAudience(values),
                pinned: values["pinned"] == "1", publishedAt: try typedPublication(values, unchanged: nil, for: actor))
            let entry = try await ProfileContent.create(draft, by: actor, on: req.db)
            req.flash("Added to your guides and resources. Who sees it: \(entry.audience.label.lowercased()).")
            return req.safeRedirect(to: SiteURL.contentItem(entry.id))
        } catch let problem as Problem where Policy.canManage(actor) {
            // Shown again as typed (a guide is long to type twice), with the refusal next to its field.
            let form = ContentForm(
                values: values, problem: problem, documents: try await ContentForm.documents(of: actor, on: req.db), csrf: req.csrfToken)
            let model = try await OwnContentPage.load(req, for: actor, form: form)
            return try await page(req, "Guides and resources", model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.ownContent())
        }
    }

    static func editContentForm(_ req: Request) async throws -> HTML {
        let model = try await ContentEditPage.load(req, for: try req.requireActor())
        return try await page(req, "Change: \(model.entry.title)", model.render())
    }

    static func editContent(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "ctid")
        let values = Dictionary(uniqueKeysWithValues: ContentForm.fields.map { ($0, typedText(req, $0)) })
        do {
            let current = try await ProfileContent.find(id, for: actor, on: req.db)
            let unchanged = Clock(actor.user.timeZone).format(current.publishedAt, "yyyy-MM-dd")
            // The form sends every field of the item's kind: each is the item as it should be.
            let changes = ProfileContent.Changes(
                title: values["title"] ?? "", summary: values["description"] ?? "", body: values["body"] ?? "", url: values["url"] ?? "",
                documentID: try typedDocument(values), audience: try typedAudience(values), pinned: values["pinned"] == "1",
                publishedAt: try typedPublication(values, unchanged: unchanged, for: actor))
            let entry = try await ProfileContent.change(id, changes, by: actor, on: req.db)
            req.flash("Saved.")
            return req.safeRedirect(to: SiteURL.contentItem(entry.id))
        } catch let problem as Problem where problem.status != .notFound && problem.status != .forbidden {
            let model = try await ContentEditPage.load(req, for: actor, values: values, problem: problem)
            return try await page(req, "Change: \(model.entry.title)", model.render()).encodeResponse(status: problem.status, for: req)
        }
    }

    static func removeContent(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let title = try await ProfileContent.remove(uuid(req, "ctid"), by: actor, on: req.db)
        req.flash("Removed “\(title)”: it is no longer on your profile.")
        return req.safeRedirect(to: SiteURL.ownContent())
    }

    private static func typedAudience(_ values: [String: String]) throws -> Audience {
        guard let audience = Audience(rawValue: values["visibility"] ?? "") else {
            throw Problem.invalid("visibility", "Choose who sees it.")
        }
        return audience
    }

    /// The chosen vault document; none chosen is nil, which the service refuses for a whitepaper.
    private static func typedDocument(_ values: [String: String]) throws -> UUID? {
        let text = (values["documentId"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw Problem.invalid("documentId", "Choose one of your organization's own vault documents.")
        }
        return id
    }

    /// The day typed as the publication date: left empty or as it was, nil (now for a new one, else unchanged); today,
    /// now; an earlier day, its start in the person's own time zone (a later one the service refuses).
    private static func typedPublication(_ values: [String: String], unchanged: String?, for actor: Actor) throws -> Date? {
        let text = (values["publishedAt"] ?? "").trimmingCharacters(in: .whitespaces)
        let now = Date()
        if text.isEmpty || text == unchanged { return nil }
        if text == Clock(actor.user.timeZone).format(now, "yyyy-MM-dd") { return now }
        guard let day = Clock.parseLocal(text + "T00:00", zone: actor.user.timeZone) else {
            throw Problem.invalid("publishedAt", "Enter the day it was published.")
        }
        return day
    }
}
