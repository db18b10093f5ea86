import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func getTrust(_ input: Operations.GetTrust.Input) async throws -> Operations.GetTrust.Output {
        let actor = try await actor()
        guard let subject = UUID(uuidString: input.path.organizationId) else { throw Problem.notFound("organization") }
        let (assessment, history) = try await TrustService.current(viewer: actor.organizationID, subject: subject, on: try req.db)
        return .ok(.init(body: .json(DTO.trust(assessment, history: history))))
    }

    func rateOrganization(_ input: Operations.RateOrganization.Input) async throws -> Operations.RateOrganization.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        guard let subject = UUID(uuidString: input.path.organizationId) else { throw Problem.notFound("organization") }
        let rating = try await TrustService.rate(
            subject: subject, rating: body.rating, comment: body.comment ?? "", by: try await actor(), on: try req.db)
        return .created(
            .init(
                body: .json(
                    .init(
                        id: rating.id!.apiString, organizationId: subject.apiString, rating: rating.rating,
                        comment: rating.comment, createdAt: rating.createdAt))))
    }
}

extension DTO {
    static func opinion(_ o: Opinion) -> Components.Schemas.Opinion {
        .init(belief: o.belief, disbelief: o.disbelief, uncertainty: o.uncertainty, baseRate: o.baseRate, expectation: o.expectation)
    }

    static func trust(_ a: TrustService.Assessment, history: [TrustService.HistoryPoint]) -> Components.Schemas.TrustAssessment {
        .init(
            organizationId: a.subject.apiString, organizationName: a.subjectName, computedAt: a.computedAt,
            overall: opinion(a.overall),
            components: a.components.map { c in
                .init(
                    component: .init(rawValue: c.component.rawValue)!, value: c.value, opinion: opinion(c.opinion),
                    evidenceCount: c.evidenceCount)
            },
            trustQuotient: a.trustQuotient,
            explanation: a.explanation.map { r in
                .init(summary: r.summary, component: .init(rawValue: r.component.rawValue)!, date: r.date, effect: r.effect)
            },
            evidenceCount: a.evidenceCount,
            network: .init(opinion: opinion(a.network.opinion), intermediaries: a.network.intermediaries, standing: a.network.standing),
            history: history.map { .init(at: $0.at, expectation: $0.expectation, uncertainty: $0.uncertainty) })
    }
}
