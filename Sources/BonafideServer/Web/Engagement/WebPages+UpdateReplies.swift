import BonafideCore
import Foundation
import Vapor

/// Replies to an update: a reader's in its organization's thread, or the writer's answer in a reader's thread.
extension WebPages {
    static func replyToUpdate(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let body = typedText(req, "body")
        // The writer's answer forms name the thread's organization; a reader's form names none (its own is the same).
        let named = UUID(uuidString: field(req, "organization"))
        let thread = named == actor.organizationID ? nil : named
        do {
            let reply: Updates.Reply
            if let thread {
                reply = try await Updates.answer(update: uuid(req, "uid"), organization: thread, body: body, by: actor, on: req.db)
                req.flash("Answer sent; the people who replied in this thread have been told.")
            } else {
                reply = try await Updates.reply(to: uuid(req, "uid"), body: body, by: actor, on: req.db)
                req.flash("Reply sent. Only your organization and the update's writers see this thread.")
            }
            return req.safeRedirect(to: Updates.threadLink(reply.updateID, reply.threadID))
        } catch let problem as Problem where problem.status != .notFound {
            // Shown again as typed, at the form it came from; "not found" is the app's 404 like any hidden page.
            let refused = UpdatePage.Refusal(thread: thread, body: body, problem: problem)
            let model = try await UpdatePage.load(req, for: actor, refused: refused)
            return try await page(req, model.entry.title, model.render()).encodeResponse(status: problem.status, for: req)
        }
    }
}
