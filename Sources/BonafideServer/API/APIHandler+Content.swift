import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Guides and resources

    func listOrganizationContent(_ input: Operations.ListOrganizationContent.Input) async throws
        -> Operations.ListOrganizationContent.Output
    {
        let viewer = try await optionalActor()
        let db = try req.db
        guard let id = UUID(uuidString: input.path.organizationId), let organization = try await Organization.find(id, on: db) else {
            throw Problem.notFound("organization")
        }
        let entries = try await ProfileContent.visible(of: organization, to: viewer, on: db)
        return .ok(.init(body: .json(entries.map(DTO.contentItem))))
    }

    func createContentItem(_ input: Operations.CreateContentItem.Input) async throws -> Operations.CreateContentItem.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let kind = ContentKind(rawValue: b.kind.rawValue) else { throw Problem.invalid("kind", "Unknown kind.") }
        guard let audience = Audience(rawValue: b.visibility.rawValue) else { throw Problem.invalid("visibility", "Unknown visibility.") }
        let draft = ProfileContent.Draft(
            kind: kind, title: b.title, summary: b.description ?? "", body: b.body ?? "", url: b.url ?? "",
            documentID: try optionalID(b.documentId, field: "documentId"), audience: audience, pinned: b.pinned ?? false,
            publishedAt: b.publishedAt)
        let entry = try await ProfileContent.create(draft, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.contentItem(entry))))
    }

    func getContentItem(_ input: Operations.GetContentItem.Input) async throws -> Operations.GetContentItem.Output {
        let viewer = try await optionalActor()
        let entry = try await ProfileContent.find(UUID(uuidString: input.path.contentId), for: viewer, on: try req.db)
        return .ok(.init(body: .json(DTO.contentItem(entry))))
    }

    func updateContentItem(_ input: Operations.UpdateContentItem.Input) async throws -> Operations.UpdateContentItem.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        var changes = ProfileContent.Changes(
            title: b.title, summary: b.description, body: b.body, url: b.url, documentID: try optionalID(b.documentId, field: "documentId"),
            pinned: b.pinned, publishedAt: b.publishedAt)
        if let visibility = b.visibility {
            guard let audience = Audience(rawValue: visibility.rawValue) else { throw Problem.invalid("visibility", "Unknown visibility.") }
            changes.audience = audience
        }
        let entry = try await ProfileContent.change(UUID(uuidString: input.path.contentId), changes, by: actor, on: try req.db)
        return .ok(.init(body: .json(DTO.contentItem(entry))))
    }

    func deleteContentItem(_ input: Operations.DeleteContentItem.Input) async throws -> Operations.DeleteContentItem.Output {
        try await ProfileContent.remove(UUID(uuidString: input.path.contentId), by: try await actor(), on: try req.db)
        return .noContent(.init())
    }
}

extension DTO {
    static func contentItem(_ e: ProfileContent.Entry) -> Components.Schemas.ContentItem {
        let guide = e.kind == .guide
        return .init(
            id: e.id.apiString, organizationId: e.organizationID.apiString, organizationName: e.organizationName,
            kind: .init(rawValue: e.kind.rawValue)!, title: e.title, description: e.summary, body: guide ? e.body : nil,
            bodyHtml: guide ? Markdown.html(e.body).text : nil, url: e.url, visibility: .init(rawValue: e.audience.rawValue)!,
            pinned: e.pinned, publishedAt: e.publishedAt, updatedAt: e.updatedAt, whitepaper: e.whitepaper.map(DTO.contentWhitepaper))
    }

    static func contentWhitepaper(_ w: ProfileContent.Whitepaper) -> Components.Schemas.ContentWhitepaper {
        .init(readable: w.readable, note: w.note, link: w.link, documentId: w.documentID.map(\.apiString), source: w.source)
    }
}
