import BonafideCore
import Fluent
import Foundation
import Vapor

/// Support requests: the list with the form, one request's thread, replies and resolution.
extension WebPages {
    static func support(_ req: Request) async throws -> HTML {
        let model = try await SupportPage.load(req, for: try req.requireActor())
        return try await page(req, "Support", model.render())
    }

    static func openSupportRequest(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: SupportRequestForm.fields.map { ($0, typedText(req, $0)) })
        do {
            let priority = values["priority"].flatMap { $0.isEmpty ? nil : $0 }
            let entry = try await Support.open(
                with: UUID(uuidString: values["provider"] ?? ""), subject: values["subject"] ?? "", body: values["body"] ?? "",
                priority: priority, by: actor, on: req.db)
            req.flash("Sent to \(entry.providerName): a first answer is due within \(entry.promise).")
            return req.safeRedirect(to: SiteURL.supportRequest(entry.id))
        } catch let problem as Problem where problem.status != .notFound {
            // Shown again as typed on the support page, with the refusal next to its field.
            let model = try await SupportPage.load(req, for: actor, values: values, problem: problem)
            return try await page(req, "Support", model.render()).encodeResponse(status: problem.status, for: req)
        }
    }

    static func supportRequestPage(_ req: Request) async throws -> HTML {
        let model = try await SupportRequestPage.load(req, for: try req.requireActor())
        return try await page(req, model.entry.subject, model.render())
    }

    static func replyToSupportRequest(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "srid")
        let body = typedText(req, "body")
        do {
            _ = try await Support.reply(to: id, body: body, by: actor, on: req.db)
            req.flash("Sent; the other side has been told.")
            return req.safeRedirect(to: SiteURL.supportRequest(id))
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await SupportRequestPage.load(
                req, for: actor, refused: SupportRequestPage.Refusal(body: body, problem: problem))
            return try await page(req, model.entry.subject, model.render()).encodeResponse(status: problem.status, for: req)
        }
    }

    static func resolveSupportRequest(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "srid")
        return try await act(req, back: SiteURL.supportRequest(id)) {
            let reopen = field(req, "action") == "reopen"
            _ = try await Support.resolve(id, reopen: reopen, by: actor, on: req.db)
            req.flash(reopen ? "Reopened; the other side has been told." : "Resolved; the other side has been told.")
            return SiteURL.supportRequest(id)
        }
    }
}
