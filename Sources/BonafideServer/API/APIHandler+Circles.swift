import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func listCircles(_ input: Operations.ListCircles.Input) async throws -> Operations.ListCircles.Output {
        let actor = try await actor()
        let members = try await Circles.members(of: actor.organizationID, on: try req.db)
        return .ok(.init(body: .json(members.map(DTO.circleMember))))
    }

    func placeInCircle(_ input: Operations.PlaceInCircle.Input) async throws -> Operations.PlaceInCircle.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let member = UUID(uuidString: input.path.organizationId) else { throw Problem.notFound("organization") }
        let db = try req.db
        try await Circles.place(member, in: Circle(rawValue: body.circle.rawValue)!, note: body.note ?? "", by: actor, on: db)
        guard let placed = try await Circles.members(of: actor.organizationID, on: db).first(where: { $0.organizationID == member }) else {
            throw Problem(.conflict, "The placement was removed meanwhile; try again.")
        }
        return .ok(.init(body: .json(DTO.circleMember(placed))))
    }

    func removeFromCircle(_ input: Operations.RemoveFromCircle.Input) async throws -> Operations.RemoveFromCircle.Output {
        let actor = try await actor()
        guard let member = UUID(uuidString: input.path.organizationId), try await Circles.remove(member, by: actor, on: try req.db) else {
            throw Problem(.notFound, "That organization is not in your circles.")
        }
        return .noContent(.init())
    }

    func listTestimonials(_ input: Operations.ListTestimonials.Input) async throws -> Operations.ListTestimonials.Output {
        _ = try await actor()
        let db = try req.db
        guard let subject = UUID(uuidString: input.path.organizationId), try await Organization.find(subject, on: db) != nil else {
            throw Problem.notFound("organization")
        }
        return .ok(.init(body: .json(try await Testimonials.about(subject, on: db).map(DTO.testimonial))))
    }

    func writeTestimonial(_ input: Operations.WriteTestimonial.Input) async throws -> Operations.WriteTestimonial.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let subject = UUID(uuidString: input.path.organizationId) else { throw Problem.notFound("organization") }
        let db = try req.db
        let written = try await Testimonials.write(about: subject, text: body.text, by: actor, on: db)
        guard let entry = try await Testimonials.entry(written.id!, on: db) else {
            throw Problem(.conflict, "The testimonial was withdrawn meanwhile; try again.")
        }
        return .ok(.init(body: .json(DTO.testimonial(entry))))
    }

    func withdrawTestimonial(_ input: Operations.WithdrawTestimonial.Input) async throws -> Operations.WithdrawTestimonial.Output {
        let actor = try await actor()
        guard let subject = UUID(uuidString: input.path.organizationId),
            try await Testimonials.withdraw(about: subject, by: actor, on: try req.db)
        else {
            throw Problem(.notFound, "Your organization has no testimonial about them.")
        }
        return .noContent(.init())
    }
}

extension DTO {
    static func circleMember(_ m: Circles.Member) -> Components.Schemas.CircleMember {
        .init(
            organizationId: m.organizationID.apiString, organizationName: m.name, circle: .init(rawValue: m.circle.rawValue)!,
            note: m.note, placedAt: m.placedAt, placedBy: m.placedBy)
    }

    static func testimonial(_ t: Testimonials.Entry) -> Components.Schemas.Testimonial {
        .init(
            id: t.id.apiString, authorOrganizationId: t.authorID.apiString,
            authorOrganizationName: t.authorName,
            organizationId: t.subjectID.apiString, text: t.text, sentiment: t.sentiment,
            label: .init(rawValue: Sentiment.label(for: t.sentiment).rawValue)!, drivers: t.drivers.map(\.phrase), writtenBy: t.writtenBy,
            writtenAt: t.writtenAt, basis: t.basis)
    }
}

extension API {
    func listReferralLinks(_ input: Operations.ListReferralLinks.Input) async throws -> Operations.ListReferralLinks.Output {
        let links = try await Referrals.links(of: try await actor(), on: try req.db)
        return .ok(.init(body: .json(links.map { DTO.referralLink($0, link: nil) })))
    }

    func createReferralLink(_ input: Operations.CreateReferralLink.Input) async throws -> Operations.CreateReferralLink.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let db = try req.db
        let (link, token) = try await Referrals.create(note: body.note ?? "", days: body.expiresInDays ?? 30, by: actor, on: db)
        try await link.$createdBy.load(on: db)
        return .created(
            .init(body: .json(DTO.referralLink(link, link: try req.application.bonafide.baseURL + SiteURL.referralList(token)))))
    }

    func revokeReferralLink(_ input: Operations.RevokeReferralLink.Input) async throws -> Operations.RevokeReferralLink.Output {
        try await Referrals.revoke(UUID(uuidString: input.path.referralLinkId), by: try await actor(), on: try req.db)
        return .noContent(.init())
    }

    func openReferralList(_ input: Operations.OpenReferralList.Input) async throws -> Operations.OpenReferralList.Output {
        let list = try await Referrals.open(token: input.path.token, on: try req.db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        referrer: list.referrer, note: list.note, expiresAt: list.expiresAt,
                        organizations: list.entries.map { e in
                            .init(
                                id: e.organizationID.apiString, name: e.name, note: e.note,
                                sections: .init(
                                    additionalProperties: Dictionary(
                                        e.sections.map { ($0.name, $0.content) }, uniquingKeysWith: { a, _ in a })))
                        }))))
    }
}

extension DTO {
    static func referralLink(_ l: ReferralLink, link: String?, now: Date = Date()) -> Components.Schemas.ReferralLink {
        .init(
            id: l.id!.apiString, link: link, note: l.note, expiresAt: l.expiresAt, revokedAt: l.revokedAt, views: l.views,
            lastViewedAt: l.lastViewedAt, createdAt: l.createdAt, createdBy: l.createdBy.name,
            active: l.revokedAt == nil && l.expiresAt > now)
    }
}

extension API {
    func listIntroductions(_ input: Operations.ListIntroductions.Input) async throws -> Operations.ListIntroductions.Output {
        .ok(.init(body: .json(try await Introductions.involving(try await actor(), on: try req.db).map(DTO.introduction))))
    }

    func requestIntroduction(_ input: Operations.RequestIntroduction.Input) async throws -> Operations.RequestIntroduction.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let db = try req.db
        let i = try await Introductions.request(
            target: UUID(uuidString: body.targetOrganizationId), via: UUID(uuidString: body.viaOrganizationId), message: body.message,
            by: actor,
            on: db)
        guard let entry = try await Introductions.involving(actor, on: db).first(where: { $0.id == i.id }) else {
            throw Problem.notFound("introduction")
        }
        return .created(.init(body: .json(DTO.introduction(entry))))
    }

    func listIntroductionContacts(_ input: Operations.ListIntroductionContacts.Input) async throws
        -> Operations.ListIntroductionContacts.Output
    {
        let actor = try await actor()
        guard let target = UUID(uuidString: input.query.targetOrganizationId) else { throw Problem.notFound("organization") }
        let contacts = try await Introductions.sharedContacts(of: actor, and: target, on: try req.db)
        return .ok(.init(body: .json(contacts.map { .init(id: $0.id.apiString, name: $0.name) })))
    }

    func decideIntroduction(_ input: Operations.DecideIntroduction.Input) async throws -> Operations.DecideIntroduction.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let db = try req.db
        let i = try await Introductions.decide(
            UUID(uuidString: input.path.introductionId), accept: body.decision == .accept, note: body.note ?? "", by: actor, on: db)
        guard let entry = try await Introductions.involving(actor, on: db).first(where: { $0.id == i.id }) else {
            throw Problem.notFound("introduction")
        }
        return .ok(.init(body: .json(DTO.introduction(entry))))
    }
}

extension DTO {
    static func introduction(_ e: Introductions.Entry) -> Components.Schemas.Introduction {
        .init(
            id: e.id.apiString, requesterOrganizationId: e.requesterID.apiString, requester: e.requester, requestedBy: e.requestedBy,
            targetOrganizationId: e.targetID.apiString, target: e.target, viaOrganizationId: e.viaID.apiString, via: e.via,
            message: e.message, status: .init(rawValue: e.status.rawValue)!, introducerNote: e.introducerNote, decidedAt: e.decidedAt,
            createdAt: e.createdAt)
    }
}
