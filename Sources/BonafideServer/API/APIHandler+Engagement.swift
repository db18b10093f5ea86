import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Updates

    func listUpdates(_ input: Operations.ListUpdates.Input) async throws -> Operations.ListUpdates.Output {
        let actor = try await actor()
        let limit = input.query.limit ?? 50
        guard (1...100).contains(limit) else { throw Problem.invalid("limit", "limit must be from 1 to 100.") }
        let from = try optionalID(input.query.organizationId, field: "organizationId")
        let entries = try await Updates.visible(to: .person(actor), from: from, limit: limit, on: try req.db)
        return .ok(.init(body: .json(entries.map(DTO.update))))
    }

    func publishUpdate(_ input: Operations.PublishUpdate.Input) async throws -> Operations.PublishUpdate.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let visibility = UpdateAudience(rawValue: b.visibility.rawValue) else {
            throw Problem.invalid("visibility", "Unknown visibility.")
        }
        let entry: Updates.Entry
        switch visibility {
        case .organizations:
            let ids = try (b.organizationIds ?? []).map { raw in
                guard let id = UUID(uuidString: raw) else { throw Problem.invalid("organizationIds", "Each organization id is a UUID.") }
                return id
            }
            entry = try await Updates.publish(title: b.title, body: b.body, to: ids, by: actor, on: try req.db)
        case .audience(let audience):
            guard b.organizationIds == nil else {
                throw Problem.invalid("organizationIds", "organizationIds go only with the visibility organizations.")
            }
            entry = try await Updates.publish(title: b.title, body: b.body, audience: audience, by: actor, on: try req.db)
        }
        return .created(.init(body: .json(DTO.update(entry))))
    }

    func getUpdate(_ input: Operations.GetUpdate.Input) async throws -> Operations.GetUpdate.Output {
        let viewer = try await optionalActor()
        let db = try req.db
        let entry = try await Updates.find(UUID(uuidString: input.path.updateId), for: viewer.map { .person($0) } ?? .anyone, on: db)
        // A reader fetching it has opened it, as on its page; the writer's own people are not counted.
        if let viewer { try await Updates.markOpened(entry, by: viewer, on: db) }
        return .ok(.init(body: .json(DTO.update(entry))))
    }

    // MARK: Case studies

    func listCaseStudies(_ input: Operations.ListCaseStudies.Input) async throws -> Operations.ListCaseStudies.Output {
        let actor = try await actor()
        return .ok(.init(body: .json(try await CaseStudies.involving(actor, on: try req.db).map { DTO.caseStudy($0, sides: true) })))
    }

    func proposeCaseStudy(_ input: Operations.ProposeCaseStudy.Input) async throws -> Operations.ProposeCaseStudy.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let partnership = UUID(uuidString: b.partnershipId) else {
            throw Problem.invalid("partnershipId", "partnershipId must be an id (UUID).")
        }
        let entry = try await CaseStudies.propose(partnership: partnership, title: b.title, body: b.body, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.caseStudy(entry, sides: true))))
    }

    func getCaseStudy(_ input: Operations.GetCaseStudy.Input) async throws -> Operations.GetCaseStudy.Output {
        let viewer = try await optionalActor()
        let entry = try await CaseStudies.find(UUID(uuidString: input.path.caseStudyId), for: viewer, on: try req.db)
        let sides = viewer.map { [entry.authorID, entry.partnerID].contains($0.organizationID) } ?? false
        return .ok(.init(body: .json(DTO.caseStudy(entry, sides: sides))))
    }

    func decideCaseStudy(_ input: Operations.DecideCaseStudy.Input) async throws -> Operations.DecideCaseStudy.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let entry = try await CaseStudies.decide(
            UUID(uuidString: input.path.caseStudyId), confirm: b.decision == .confirm, note: b.note, title: b.title, body: b.body,
            by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.caseStudy(entry, sides: true))))
    }

    func withdrawCaseStudy(_ input: Operations.WithdrawCaseStudy.Input) async throws -> Operations.WithdrawCaseStudy.Output {
        let actor = try await actor()
        let entry = try await CaseStudies.withdraw(UUID(uuidString: input.path.caseStudyId), by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.caseStudy(entry, sides: true))))
    }

    func listOrganizationCaseStudies(_ input: Operations.ListOrganizationCaseStudies.Input) async throws
        -> Operations.ListOrganizationCaseStudies.Output
    {
        let viewer = try await optionalActor()
        let id = try await existingOrganization(input.path.organizationId)
        let entries = try await CaseStudies.confirmed(of: id, on: try req.db)
        return .ok(
            .init(
                body: .json(
                    entries.map { e in
                        DTO.caseStudy(e, sides: viewer.map { [e.authorID, e.partnerID].contains($0.organizationID) } ?? false)
                    })))
    }

    // MARK: Recognition

    func getRecognition(_ input: Operations.GetRecognition.Input) async throws -> Operations.GetRecognition.Output {
        _ = try await optionalActor()
        let id = try await existingOrganization(input.path.organizationId)
        let badges = try await Recognition.badges(of: id, on: try req.db)
        return .ok(.init(body: .json(badges.map { .init(key: .init(rawValue: $0.key)!, title: $0.title, earnedBy: $0.earnedBy) })))
    }

    private func existingOrganization(_ raw: String) async throws -> UUID {
        guard let id = UUID(uuidString: raw), try await Organization.find(id, on: try req.db) != nil else {
            throw Problem.notFound("organization")
        }
        return id
    }
}

extension DTO {
    static func update(_ e: Updates.Entry) -> Components.Schemas.PartnerUpdate {
        .init(
            id: e.id.apiString, organizationId: e.organizationID.apiString, organizationName: e.organizationName, title: e.title,
            body: e.body, bodyHtml: Markdown.html(e.body).text, visibility: .init(rawValue: e.audience.rawValue)!,
            organizationIds: e.namedOrganizations.isEmpty ? nil : e.namedOrganizations.map { $0.id.apiString }, writtenBy: e.writtenBy,
            publishedAt: e.publishedAt)
    }

    /// `sides`: the asker is one of the two organizations, who alone see which partnership it is about.
    static func caseStudy(_ e: CaseStudies.Entry, sides: Bool) -> Components.Schemas.CaseStudy {
        .init(
            id: e.id.apiString, status: .init(rawValue: e.status.rawValue)!, title: e.title, body: e.body,
            bodyHtml: Markdown.html(e.body).text, authorOrganizationId: e.authorID.apiString, authorOrganizationName: e.authorName,
            partnerOrganizationId: e.partnerID.apiString, partnerOrganizationName: e.partnerName,
            partnershipId: sides ? e.partnershipID.apiString : nil, partnerNote: e.partnerNote, editedByPartner: e.editedByPartner,
            confirmedBy: e.status == .confirmed ? "Confirmed by \(e.partnerName)" : nil, createdAt: e.createdAt, decidedAt: e.decidedAt,
            figures: .init(completedCommitments: e.figures.completed, onTime: e.figures.onTime, from: e.figures.from, to: e.figures.to))
    }
}
