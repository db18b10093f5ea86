import Foundation
import Vapor

extension API {
    func setStatusPage(_ input: Operations.SetStatusPage.Input) async throws -> Operations.SetStatusPage.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        _ = try await StatusPages.setVisibility(b.visibility.rawValue, by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(.init(visibility: b.visibility))))
    }

    func getStatusPage(_ input: Operations.GetStatusPage.Input) async throws -> Operations.GetStatusPage.Output {
        let page = try await StatusPages.page(of: UUID(uuidString: input.path.organizationId), viewer: try await actor(), on: try req.db)
        func dto(_ e: StatusPages.Entry) -> Components.Schemas.StatusIncident {
            .init(
                id: e.id.apiString, title: e.title, severity: e.severity.rawValue, status: e.status.rawValue,
                startedAt: e.startedAt,
                resolvedAt: e.resolvedAt, disclosed: e.disclosed, rootCause: e.rootCause, improvementPlan: e.improvementPlan,
                updates: e.updates.map { .init(at: $0.at, text: $0.text) })
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        organizationId: page.organizationID.apiString, organizationName: page.organizationName,
                        open: page.open.map(dto), past: page.past.map(dto)))))
    }
}
