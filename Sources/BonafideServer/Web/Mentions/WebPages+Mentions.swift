import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func mentions(_ req: Request) async throws -> HTML {
        let model = try await MentionsPage.load(
            for: try req.requireActor(), brand: try? req.query.get(String.self, at: "brand"), page: req.query[Int.self, at: "page"] ?? 0,
            feedPollSeconds: req.application.bonafide.feedPollSeconds, csrf: req.csrfToken, on: req.db)
        return try await page(req, "Mentions", model.render())
    }

    static func importMentions(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentions()) {
            try Policy.manageOrganization(actor)
            var text = field(req, "text")
            if let file = try? req.content.get(File.self, at: "file"), file.data.readableBytes > 0 {
                text = String(buffer: file.data)
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Problem.invalid("file", "Choose a CSV or JSON file, or paste its contents.")
            }
            let upload = text
            let inputs = try await Offload.cpu { try Mentions.parseFile(upload) }
            let r = try await Mentions.importMentions(inputs, source: "file", into: actor.organizationID, on: req.db)
            req.flash(
                "Imported \(r.imported) mention\(r.imported == 1 ? "" : "s"); \(r.duplicates) already known."
                    + (r.alerts.isEmpty ? "" : " " + r.alerts.map(Mentions.describe).joined(separator: " ")))
            return SiteURL.mentions()
        }
    }

    static func addFeed(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentionFeeds) {
            _ = try await MentionFeeds.add(
                .init(url: field(req, "url"), brand: field(req, "brand"), keywords: field(req, "keywords")), by: actor, on: req.db)
            req.flash("Following the feed; it is read within a minute, or now with “Poll now”.")
            return SiteURL.mentionFeeds
        }
    }

    static func pollFeed(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentionFeeds) {
            try Policy.manageOrganization(actor)
            let feed = try await MentionFeeds.feed(uuid(req, "fid"), for: actor, on: req.db)
            let r = try await MentionFeeds.poll(feed, with: req.application.feedFetcher, on: req.db)
            req.flash(r.failed ? "The feed could not be read: \(r.status)" : "Polled: \(r.status).", error: r.failed)
            return SiteURL.mentionFeeds
        }
    }

    static func removeFeed(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentionFeeds) {
            let feed = try await MentionFeeds.feed(uuid(req, "fid"), for: actor, on: req.db)
            try await MentionFeeds.remove(feed, by: actor, on: req.db)
            req.flash("No longer following \(feed.url); its mentions stay.")
            return SiteURL.mentionFeeds
        }
    }
}
