import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func listIncidents(_ input: Operations.ListIncidents.Input) async throws -> Operations.ListIncidents.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let now = Date()
        return .ok(.init(body: .json(try await Incidents.list(in: p, on: db).map { DTO.incident($0, at: now) })))
    }

    func raiseIncident(_ input: Operations.RaiseIncident.Input) async throws -> Operations.RaiseIncident.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let i = try await Incidents.raise(
            .init(
                title: b.title, description: b.description, severity: IncidentSeverity(rawValue: b.severity.rawValue)!,
                occurredAt: b.occurredAt, selfReported: b.selfReported ?? false), in: p, by: actor, on: try req.db)
        i.$raisedBy.value = actor.user
        return .created(.init(body: .json(DTO.incident(i, at: Date()))))
    }

    func getIncident(_ input: Operations.GetIncident.Input) async throws -> Operations.GetIncident.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let i = try await Policy.incident(UUID(uuidString: input.path.incidentId), in: p, on: db)
        return .ok(.init(body: .json(DTO.incident(i, at: Date(), history: try await Timeline.events(of: p, incident: i.id, on: db)))))
    }

    func transitionIncident(_ input: Operations.TransitionIncident.Input) async throws -> Operations.TransitionIncident.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let i = try await Policy.incident(UUID(uuidString: input.path.incidentId), in: p, on: db)
        guard let action = IncidentAction(rawValue: b.action.rawValue) else { throw Problem.invalid("action", "Unknown action.") }
        let updated = try await Incidents.act(
            i, in: p, action: action, note: b.note, rootCause: b.rootCause, improvementPlan: b.improvementPlan, by: actor, on: db)
        return .ok(.init(body: .json(DTO.incident(updated, at: Date(), history: try await Timeline.events(of: p, incident: i.id, on: db)))))
    }

    func publishIncident(_ input: Operations.PublishIncident.Input) async throws -> Operations.PublishIncident.Output {
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let i = try await Policy.incident(UUID(uuidString: input.path.incidentId), in: p, on: db)
        return .ok(.init(body: .json(DTO.incident(try await Incidents.publish(i, in: p, true, by: actor, on: db), at: Date()))))
    }

    func unpublishIncident(_ input: Operations.UnpublishIncident.Input) async throws -> Operations.UnpublishIncident.Output {
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let i = try await Policy.incident(UUID(uuidString: input.path.incidentId), in: p, on: db)
        return .ok(.init(body: .json(DTO.incident(try await Incidents.publish(i, in: p, false, by: actor, on: db), at: Date()))))
    }

    func getIncidentRecord(_ input: Operations.GetIncidentRecord.Input) async throws -> Operations.GetIncidentRecord.Output {
        _ = try await actor()
        let db = try req.db
        guard let organization = UUID(uuidString: input.path.organizationId), try await Organization.find(organization, on: db) != nil
        else { throw Problem.notFound("organization") }
        return .ok(.init(body: .json(DTO.incidentRecord(try await Incidents.record(of: organization, on: db), of: organization))))
    }
}

extension DTO {
    static func incident(_ i: Incident, at now: Date, history: [TimelineEvent]? = nil) -> Components.Schemas.Incident {
        let handling: Components.Schemas.IncidentHandling
        switch IncidentLifecycle.handling(of: i.state, at: now) {
        case .pending: handling = .init(verdict: .pending)
        case .handledOpenly(_, let why): handling = .init(verdict: .handledOpenly, why: why)
        case .mishandled(_, let why): handling = .init(verdict: .mishandled, why: why)
        }
        return .init(
            id: i.id!.apiString, partnershipId: i.$partnership.id.apiString, title: i.title,
            description: i.description, severity: .init(rawValue: i.severity.rawValue)!, status: .init(rawValue: i.status.rawValue)!,
            responsibleOrganizationId: i.$responsible.id.apiString, affectedOrganizationId: i.$affected.id.apiString,
            raisedBy: i.$raisedBy.value?.name ?? "", selfReported: i.selfReported, occurredAt: i.occurredAt, raisedAt: i.raisedAt,
            acknowledgedAt: i.acknowledgedAt, resolvedAt: i.resolvedAt, closedAt: i.closedAt, rootCause: i.rootCause,
            improvementPlan: i.improvementPlan, reopenCount: i.reopenCount, publishedAt: i.publishedAt, handling: handling,
            history: history?.map(event))
    }

    static func incidentRecord(_ r: Incidents.Record, of organization: UUID) -> Components.Schemas.IncidentRecord {
        .init(
            organizationId: organization.apiString, windowDays: Int(Incidents.recordWindow / 86_400), total: r.total,
            minor: r.bySeverity[.minor] ?? 0, major: r.bySeverity[.major] ?? 0, critical: r.bySeverity[.critical] ?? 0,
            selfReported: r.selfReported, raisedByPartners: r.raisedByPartners, partnersRaising: r.partnersRaising,
            acknowledgedPromptly: r.acknowledgedPromptly,
            medianAcknowledgeSeconds: r.medianAcknowledgeSeconds.map { Int($0.rounded()) }, resolved: r.resolved, open: r.open,
            handledOpenly: r.handledOpenly, mishandled: r.mishandled,
            published: r.published.map { i in
                .init(
                    id: i.id.apiString, title: i.title, severity: .init(rawValue: i.severity.rawValue)!, occurredAt: i.occurredAt,
                    acknowledgedAt: i.acknowledgedAt, resolvedAt: i.resolvedAt, closedAt: i.closedAt, rootCause: i.rootCause,
                    improvementPlan: i.improvementPlan, publishedAt: i.publishedAt)
            })
    }
}
