import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Support requests

    func openSupportRequest(_ input: Operations.OpenSupportRequest.Input) async throws -> Operations.OpenSupportRequest.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let partnership = try optionalID(b.partnershipId, field: "partnershipId")
        let entry = try await Support.open(
            with: UUID(uuidString: input.path.organizationId), subject: b.subject, body: b.body, priority: b.priority?.rawValue,
            partnership: partnership, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.supportRequest(entry))))
    }

    func listSupportRequests(_ input: Operations.ListSupportRequests.Input) async throws -> Operations.ListSupportRequests.Output {
        let actor = try await actor()
        let role = input.query.role.flatMap { Support.Side(rawValue: $0.rawValue) }
        return .ok(.init(body: .json(try await Support.list(for: actor, role: role, on: try req.db).map(DTO.supportRequest))))
    }

    func getSupportRequest(_ input: Operations.GetSupportRequest.Input) async throws -> Operations.GetSupportRequest.Output {
        let actor = try await actor()
        let entry = try await Support.find(UUID(uuidString: input.path.supportRequestId), for: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.supportRequest(entry))))
    }

    func replyToSupportRequest(_ input: Operations.ReplyToSupportRequest.Input) async throws -> Operations.ReplyToSupportRequest.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let entry = try await Support.reply(to: UUID(uuidString: input.path.supportRequestId), body: b.body, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.supportRequest(entry))))
    }

    func resolveSupportRequest(_ input: Operations.ResolveSupportRequest.Input) async throws -> Operations.ResolveSupportRequest.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let entry = try await Support.resolve(
            UUID(uuidString: input.path.supportRequestId), reopen: b.action.rawValue == "reopen", by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.supportRequest(entry))))
    }

    func getSupportFigures(_ input: Operations.GetSupportFigures.Input) async throws -> Operations.GetSupportFigures.Output {
        let actor = try await actor()
        let id = UUID(uuidString: input.path.organizationId)
        let f = try await Support.figures(of: id, for: actor, on: try req.db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        organizationId: id!.apiString, requests: f.requests, answered: f.answered,
                        medianFirstResponseSeconds: f.medianFirstResponse, medianResolutionSeconds: f.medianResolution,
                        withinPromise: f.withinPromise, promise: f.promise, windowDays: Int(Support.figuresWindow / 86_400),
                        summary: Support.summary(f)))))
    }

    // MARK: Consistency

    func getConsistency(_ input: Operations.GetConsistency.Input) async throws -> Operations.GetConsistency.Output {
        let actor = try await actor()
        let report = try await Consistency.report(for: actor, on: try req.db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        notes: report.notes.map {
                            .init(
                                key: .init(rawValue: $0.key)!, title: $0.title, claim: $0.claim, record: $0.record,
                                suggestion: $0.suggestion)
                        }, quiet: report.quiet))))
    }
}

extension DTO {
    static func supportRequest(_ e: Support.Entry) -> Components.Schemas.SupportRequest {
        .init(
            id: e.id.apiString, providerOrganizationId: e.providerID.apiString, providerOrganizationName: e.providerName,
            requesterOrganizationId: e.requesterID.apiString, requesterOrganizationName: e.requesterName,
            requestedBy: e.requesterPerson, partnershipId: e.partnershipID.map(\.apiString), subject: e.subject, body: e.body,
            priority: .init(rawValue: e.priority.rawValue)!, status: .init(rawValue: e.status.rawValue)!, promise: e.promise,
            createdAt: e.createdAt, dueAt: e.dueAt, firstResponseAt: e.firstResponseAt, resolvedAt: e.resolvedAt, late: e.late,
            messages: e.replies.map { r in
                .init(
                    id: r.id.apiString, organizationId: r.organizationID.apiString, organizationName: r.organizationName,
                    author: r.authorName, body: r.body, createdAt: r.createdAt)
            })
    }
}
