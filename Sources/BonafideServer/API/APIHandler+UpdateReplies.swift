import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Replies to updates

    func listUpdateReplies(_ input: Operations.ListUpdateReplies.Input) async throws -> Operations.ListUpdateReplies.Output {
        let actor = try await actor()
        let threads = try await Updates.threads(of: UUID(uuidString: input.path.updateId), for: actor, on: try req.db)
        return .ok(.init(body: .json(threads.map(DTO.updateThread))))
    }

    func replyToUpdate(_ input: Operations.ReplyToUpdate.Input) async throws -> Operations.ReplyToUpdate.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let id = UUID(uuidString: input.path.updateId)
        let thread = try optionalID(b.organizationId, field: "organizationId")
        let db = try req.db
        let reply: Updates.Reply
        // Naming another organization's thread is the writer answering it; a reader naming its own is just replying.
        if let thread, thread != actor.organizationID {
            reply = try await Updates.answer(update: id, organization: thread, body: b.body, by: actor, on: db)
        } else {
            reply = try await Updates.reply(to: id, body: b.body, by: actor, on: db)
        }
        return .created(.init(body: .json(DTO.updateReply(reply))))
    }

    func getUpdateFigures(_ input: Operations.GetUpdateFigures.Input) async throws -> Operations.GetUpdateFigures.Output {
        let actor = try await actor()
        let figures = try await Updates.figures(of: UUID(uuidString: input.path.updateId), for: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.updateFigures(figures))))
    }
}

extension DTO {
    static func updateReply(_ r: Updates.Reply) -> Components.Schemas.UpdateReply {
        .init(
            id: r.id.apiString, updateId: r.updateID.apiString, organizationId: r.threadID.apiString,
            side: .init(rawValue: r.side.rawValue)!, organizationName: r.organizationName, writtenBy: r.writtenBy, body: r.body,
            sentiment: r.sentiment, label: .init(rawValue: Sentiment.label(for: r.sentiment).rawValue)!, createdAt: r.createdAt)
    }

    static func updateThread(_ t: Updates.Thread) -> Components.Schemas.UpdateThread {
        .init(organizationId: t.organizationID.apiString, organizationName: t.organizationName, replies: t.replies.map(updateReply))
    }

    static func updateFigures(_ f: Updates.Figures) -> Components.Schemas.UpdateFigures {
        .init(
            reached: f.reached, reachedOrganizations: f.reachedOrganizations, opened: f.opened,
            replyingOrganizations: f.replyingOrganizations, replies: f.replies, answers: f.answers, sentiment: f.sentiment,
            label: f.label.flatMap { Components.Schemas.UpdateFigures.LabelPayload(rawValue: $0.rawValue) }, drivers: f.drivers)
    }
}
