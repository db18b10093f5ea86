import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Offers and early access

    func listOffers(_ input: Operations.ListOffers.Input) async throws -> Operations.ListOffers.Output {
        let actor = try await actor()
        let db = try req.db
        let forYou = try await Offers.forViewer(actor, on: db)
        let own = try await Offers.own(actor, on: db)
        return .ok(.init(body: .json(.init(forYou: forYou.map(DTO.offer), own: own.map(DTO.offer)))))
    }

    func createOffer(_ input: Operations.CreateOffer.Input) async throws -> Operations.CreateOffer.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let kind = OfferKind(rawValue: b.kind.rawValue) else { throw Problem.invalid("kind", "Unknown kind.") }
        guard let audience = Audience(rawValue: b.audience.rawValue) else { throw Problem.invalid("audience", "Unknown audience.") }
        let event = try optionalID(b.linkedEventId, field: "linkedEventId")
        let document = try optionalID(b.linkedDocumentId, field: "linkedDocumentId")
        let draft = Offers.Draft(
            title: b.title, details: b.details, kind: kind, audience: audience, minRelationshipDays: b.minRelationshipDays ?? 0,
            personalNote: b.personalNote ?? "", linkedEventID: event, linkedDocumentID: document, validUntil: b.validUntil)
        let entry = try await Offers.create(draft, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.offer(entry))))
    }

    func getOffer(_ input: Operations.GetOffer.Input) async throws -> Operations.GetOffer.Output {
        let actor = try await actor()
        let entry = try await Offers.find(UUID(uuidString: input.path.offerId), for: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.offer(entry))))
    }

    func respondToOffer(_ input: Operations.RespondToOffer.Input) async throws -> Operations.RespondToOffer.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let entry = try await Offers.respond(
            UUID(uuidString: input.path.offerId), accept: b.decision == .accept, note: b.note, by: actor, on: try req.db)
        guard let answer = entry.answer else { throw Problem.notFound("offer") }
        return .created(.init(body: .json(DTO.offerAnswer(answer, offer: entry))))
    }

    func withdrawOffer(_ input: Operations.WithdrawOffer.Input) async throws -> Operations.WithdrawOffer.Output {
        let actor = try await actor()
        let entry = try await Offers.withdraw(UUID(uuidString: input.path.offerId), by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.offer(entry))))
    }
}

extension DTO {
    static func offer(_ e: Offers.Entry) -> Components.Schemas.Offer {
        .init(
            id: e.id.apiString, organizationId: e.organizationID.apiString, organizationName: e.organizationName, title: e.title,
            details: e.details, detailsHtml: Markdown.html(e.details).text, kind: .init(rawValue: e.kind.rawValue)!,
            audience: .init(rawValue: e.audience.rawValue)!, minRelationshipDays: e.minRelationshipDays, personalNote: e.personalNote,
            validUntil: e.validUntil, status: .init(rawValue: e.status.rawValue)!, createdAt: e.createdAt, own: e.own,
            personalLine: e.personalLine, answer: e.answer.map { offerAnswer($0, offer: e) }, accepted: e.accepted, declined: e.declined,
            link: e.link, linkedEventId: e.linkedEventID.map(\.apiString), linkedDocumentId: e.linkedDocumentID.map(\.apiString))
    }

    static func offerAnswer(_ a: Offers.Answer, offer e: Offers.Entry) -> Components.Schemas.OfferAnswer {
        .init(
            offerId: e.id.apiString, organizationId: a.organizationID.apiString, decision: .init(rawValue: a.decision.rawValue)!,
            note: a.note, commitmentId: a.commitmentID.map(\.apiString), partnershipId: a.partnershipID.map(\.apiString),
            link: a.decision == .accepted ? e.link : nil, decidedAt: a.decidedAt)
    }
}
