import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func listProfileSections(_ input: Operations.ListProfileSections.Input) async throws -> Operations.ListProfileSections.Output {
        let actor = try await actor()
        let db = try req.db
        guard let org = try await Organization.find(actor.organizationID, on: db) else { throw Problem.notFound("organization") }
        return .ok(.init(body: .json(try await ProfileSections.all(of: org, on: db).map(DTO.profileSection))))
    }

    func setProfileSection(_ input: Operations.SetProfileSection.Input) async throws -> Operations.SetProfileSection.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let section = try await ProfileSections.set(
            input.path.section, content: body.content, audience: body.visibility.flatMap { Audience(rawValue: $0.rawValue) },
            title: body.title, by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.profileSection(section))))
    }

    func removeProfileSection(_ input: Operations.RemoveProfileSection.Input) async throws -> Operations.RemoveProfileSection.Output {
        try await ProfileSections.remove(input.path.section, by: try await actor(), on: try req.db)
        return .noContent(.init())
    }

    func getOrganizationProfile(_ input: Operations.GetOrganizationProfile.Input) async throws -> Operations.GetOrganizationProfile.Output {
        let viewer = try await optionalActor()
        let db = try req.db
        guard let id = UUID(uuidString: input.path.organizationId), let org = try await Organization.find(id, on: db) else {
            throw Problem.notFound("organization")
        }
        let visible = try await ProfileSections.visible(of: org, to: viewer.map { .person($0) } ?? .anyone, on: db).map(\.section)
        return .ok(
            .init(
                body: .json(
                    .init(
                        organizationId: id.apiString, name: org.name,
                        sections: .init(
                            additionalProperties: Dictionary(visible.map { ($0.name, $0.content) }, uniquingKeysWith: { a, _ in a })),
                        entries: visible.map { .init(name: $0.name, title: $0.title, content: $0.content) }))))
    }

    func explainAccess(_ input: Operations.ExplainAccess.Input) async throws -> Operations.ExplainAccess.Output {
        let actor = try await actor()
        try Policy.manageOrganization(actor)
        let db = try req.db
        let q = input.query
        let subject = try await explanationSubject(q.subject, for: actor)
        let relation: String, object: Access.Object
        var sectionTitle: String?
        switch (q.action, q.resource) {
        case (.read, let r) where r.hasPrefix("section:"):
            guard let org = try await Organization.find(actor.organizationID, on: db),
                let section = try await ProfileSections.all(of: org, on: db).first(where: { "section:\($0.name)" == r })
            else { throw Problem.notFound("section") }
            relation = "reader"
            sectionTitle = section.title
            object = .shared(organization: actor.organizationID, name: section.name, audience: section.audience)
        case (.view, let r) where r.hasPrefix("partnership:"):
            // Only about a partnership the asker sees; any other is not found.
            let partnership = try await Policy.partnership(UUID(uuidString: String(r.dropFirst("partnership:".count))), for: actor, on: db)
            relation = "viewer"
            object = .partnership(partnership)
        case (.manage, "organization"):
            relation = "manager"
            object = .organization(actor.organizationID)
        default:
            throw Problem.invalid(
                "resource",
                "Ask read of section:{name}, view of partnership:{id}, or manage of organization; \"\(q.resource.prefix(60))\" with \(q.action.rawValue) is none of these."
            )
        }
        let decision = try await Access.check(subject, relation, object, on: db)
        let because = try await Access.explain(decision, subject: subject, object: object, sectionTitle: sectionTitle, on: db)
        return .ok(
            .init(body: .json(.init(allowed: decision.allowed, because: because, relations: decision.allowed ? decision.because : []))))
    }

    func listVisibleToSubject(_ input: Operations.ListVisibleToSubject.Input) async throws -> Operations.ListVisibleToSubject.Output {
        let actor = try await actor()
        try Policy.manageOrganization(actor)
        let q = input.query
        guard let organization = try await Organization.find(actor.organizationID, on: try req.db) else {
            throw Problem.notFound("organization")
        }
        guard (1...100).contains(q.limit ?? 50) else { throw Problem.invalid("limit", "The limit is 1 to 100.") }
        let subject = try await explanationSubject(q.subject, for: actor)
        if q._type == .partnership, case .person = subject {
        } else if q._type == .partnership {
            throw Problem.invalid("subject", "Partnerships are seen by people: ask for user:{id} of your organization.")
        }
        let page = try await Access.visible(
            to: subject, ofType: q._type == .section ? .section : .partnership,
            of: organization, after: q.after, limit: q.limit ?? 50, on: try req.db)
        return .ok(.init(body: .json(.init(items: page.items.map { .init(resource: $0.resource, title: $0.title) }, next: page.next))))
    }

    /// "organization:{id}" (any existing organization's people), "user:{id}" (a person of the asker's organization),
    /// or "anyone".
    private func explanationSubject(_ raw: String, for actor: Actor) async throws -> Access.Subject {
        let db = try req.db
        if raw == "anyone" { return .anyone }
        if raw.hasPrefix("organization:"), let id = UUID(uuidString: String(raw.dropFirst("organization:".count))) {
            guard try await Organization.find(id, on: db) != nil else { throw Problem.notFound("organization") }
            return .members(of: id)
        }
        if raw.hasPrefix("user:"), let id = UUID(uuidString: String(raw.dropFirst("user:".count))) {
            guard let user = try await User.find(id, on: db), user.$organization.id == actor.organizationID else {
                throw Problem.notFound("user")
            }
            return .person(Actor(user: user))
        }
        throw Problem.invalid("subject", "The subject is organization:{id}, user:{id} of your organization, or anyone.")
    }
}

extension DTO {
    static func profileSection(_ s: ProfileSections.Section) -> Components.Schemas.ProfileSection {
        .init(
            name: s.name, title: s.title, content: s.content, visibility: .init(rawValue: s.audience.rawValue)!, custom: s.custom,
            updatedAt: s.updatedAt)
    }
}

extension API {
    func searchOrganizations(_ input: Operations.SearchOrganizations.Input) async throws -> Operations.SearchOrganizations.Output {
        let actor = try await actor()
        let q = input.query
        let results = try await OrganizationSearch.search(
            .init(
                skill: q.skill ?? "", language: q.language ?? "", overlapHours: q.overlapHours, minTrust: q.minTrust,
                verifiedOnly: q.verifiedOnly ?? false, limit: q.limit ?? 20), by: actor, memo: req.application.trustReachMemo,
            on: try req.db)
        return .ok(
            .init(
                body: .json(
                    results.map {
                        .init(
                            id: $0.id.apiString, name: $0.name, score: ($0.score * 10).rounded() / 10,
                            uncertainty: ($0.uncertainty * 1000).rounded() / 1000,
                            stranger: $0.stranger, depth: $0.depth, why: $0.why, unknown: $0.unknown)
                    })))
    }
}
