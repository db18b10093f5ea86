import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Thank-yous

    func listOrganizationThanks(_ input: Operations.ListOrganizationThanks.Input) async throws -> Operations.ListOrganizationThanks.Output {
        // A token, when sent, must still be valid; the list itself is the same for everyone.
        _ = try await optionalActor()
        let id = try await thankedOrganization(input.path.organizationId)
        return .ok(.init(body: .json(try await Thanks.shown(by: id, on: try req.db).map(DTO.thanks))))
    }

    func giveThanks(_ input: Operations.GiveThanks.Input) async throws -> Operations.GiveThanks.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let entry = try await Thanks.give(to: UUID(uuidString: input.path.organizationId), text: b.text, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.thanks(entry))))
    }

    func listThanks(_ input: Operations.ListThanks.Input) async throws -> Operations.ListThanks.Output {
        let actor = try await actor()
        return .ok(.init(body: .json(try await Thanks.involving(actor, on: try req.db).map(DTO.thanks))))
    }

    func decideThanks(_ input: Operations.DecideThanks.Input) async throws -> Operations.DecideThanks.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let entry = try await Thanks.decide(UUID(uuidString: input.path.thanksId), show: b.decision == .show, by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.thanks(entry))))
    }

    func withdrawThanks(_ input: Operations.WithdrawThanks.Input) async throws -> Operations.WithdrawThanks.Output {
        let actor = try await actor()
        let entry = try await Thanks.withdraw(UUID(uuidString: input.path.thanksId), by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.thanks(entry))))
    }

    /// The organization of the path, or 404 for an unknown one (an empty list would read as "none shown").
    private func thankedOrganization(_ raw: String) async throws -> UUID {
        guard let id = UUID(uuidString: raw), try await Organization.find(id, on: try req.db) != nil else {
            throw Problem.notFound("organization")
        }
        return id
    }
}

extension DTO {
    static func thanks(_ e: Thanks.Entry) -> Components.Schemas.Thanks {
        .init(
            id: e.id.apiString, fromOrganizationId: e.fromID.apiString, fromOrganizationName: e.fromName,
            toOrganizationId: e.toID.apiString, toOrganizationName: e.toName, text: e.text, status: .init(rawValue: e.status.rawValue)!,
            createdAt: e.createdAt, decidedAt: e.decidedAt)
    }
}
