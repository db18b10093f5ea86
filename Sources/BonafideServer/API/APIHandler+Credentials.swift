import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func listCredentials(_ input: Operations.ListCredentials.Input) async throws -> Operations.ListCredentials.Output {
        let actor = try await actor()
        let db = try req.db
        guard let holder = UUID(uuidString: input.path.organizationId), let org = try await Organization.find(holder, on: db) else {
            throw Problem.notFound("organization")
        }
        let now = Date()
        return .ok(
            .init(
                body: .json(
                    try await Credentials.of(holder, seenBy: actor.organizationID, on: db).map {
                        DTO.credential($0, holderName: org.name, at: now)
                    }
                )))
    }

    func addCredential(_ input: Operations.AddCredential.Input) async throws -> Operations.AddCredential.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let db = try req.db
        let c = try await Credentials.add(
            .init(
                kind: CredentialKind(rawValue: b.kind.rawValue)!, title: b.title, issuerName: b.issuerName ?? "",
                issuerID: try optionalID(b.issuerOrganizationId, field: "issuerOrganizationId"), identifier: b.identifier ?? "",
                validUntil: b.validUntil), by: actor, on: db)
        let holder = try await Organization.find(actor.organizationID, on: db)?.name ?? ""
        return .created(.init(body: .json(DTO.credential(c, holderName: holder, at: Date()))))
    }

    func listCredentialRequests(_ input: Operations.ListCredentialRequests.Input) async throws -> Operations.ListCredentialRequests.Output {
        let actor = try await actor()
        let now = Date()
        return .ok(
            .init(
                body: .json(
                    try await Credentials.requests(to: actor.organizationID, on: try req.db).map {
                        DTO.credential($0, holderName: $0.holder.name, at: now)
                    })))
    }

    func removeCredential(_ input: Operations.RemoveCredential.Input) async throws -> Operations.RemoveCredential.Output {
        let actor = try await actor()
        guard let id = UUID(uuidString: input.path.credentialId), try await Credentials.remove(id, by: actor, on: try req.db) else {
            throw Problem.notFound("credential")
        }
        return .noContent(.init())
    }

    func decideCredential(_ input: Operations.DecideCredential.Input) async throws -> Operations.DecideCredential.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let db = try req.db
        guard let id = UUID(uuidString: input.path.credentialId) else { throw Problem.notFound("credential") }
        let c = try await Credentials.decide(
            id, Credentials.Decision(rawValue: b.decision.rawValue)!, note: b.note ?? "", by: actor, on: db)
        let holder = try await Organization.find(c.$holder.id, on: db)?.name ?? ""
        return .ok(.init(body: .json(DTO.credential(c, holderName: holder, at: Date()))))
    }
}

extension DTO {
    static func credential(_ c: Credential, holderName: String, at now: Date) -> Components.Schemas.Credential {
        .init(
            id: c.id!.apiString, organizationId: c.$holder.id.apiString, organizationName: holderName,
            kind: .init(rawValue: c.kind.rawValue)!, title: c.title, issuerName: c.issuerName,
            issuerOrganizationId: c.$issuer.id?.apiString,
            identifier: c.identifier, validUntil: c.validUntil, status: .init(rawValue: c.status.rawValue)!, expired: c.isExpired(at: now),
            decidedAt: c.decidedAt, decisionNote: c.decisionNote, createdAt: c.createdAt)
    }
}
