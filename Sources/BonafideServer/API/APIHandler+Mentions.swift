import BonafideCore
import Fluent
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func listMentions(_ input: Operations.ListMentions.Input) async throws -> Operations.ListMentions.Output {
        let actor = try await actor()
        let q = input.query
        // The generated code does not enforce the document's minimum and maximum.
        if let limit = q.limit, !(1...200).contains(limit) { throw Problem.invalid("limit", "limit must be from 1 to 200.") }
        if let offset = q.offset, !(0...1_000_000).contains(offset) {
            throw Problem.invalid("offset", "offset must be from 0 to 1000000.")
        }
        let mentions = try await Mentions.list(
            for: actor.organizationID, brandKey: q.brand.map(BrandDirectory.key),
            label: q.label.flatMap { Sentiment.Label(rawValue: $0.rawValue) },
            order: q.order.flatMap { Mentions.Order(rawValue: $0.rawValue) } ?? .recent, limit: q.limit ?? 50, offset: q.offset ?? 0,
            on: try req.db)
        return .ok(.init(body: .json(mentions.map(DTO.mention))))
    }

    func importMentions(_ input: Operations.ImportMentions.Input) async throws -> Operations.ImportMentions.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        try Policy.manageOrganization(actor)
        var inputs = try (body.mentions ?? []).enumerated().map { index, m in
            try Mentions.validated(
                .init(
                    text: m.text, title: m.title ?? "", url: m.url ?? "", author: m.author ?? "", brand: m.brand ?? "",
                    source: m.source ?? "",
                    publishedAt: m.publishedAt), at: "mentions[\(index)]")
        }
        if let file = body.file { inputs += try await Offload.cpu { try Mentions.parseFile(file) } }
        guard !inputs.isEmpty else { throw Problem.invalid("mentions", "Give mentions, or a file with at least one.") }
        let result = try await Mentions.importMentions(
            inputs, source: body.file == nil ? "api" : "file", into: actor.organizationID, on: try req.db)
        return .ok(
            .init(body: .json(.init(imported: result.imported, duplicates: result.duplicates, alerts: result.alerts.map(DTO.mentionAlert))))
        )
    }

    func listMentionBrands(_ input: Operations.ListMentionBrands.Input) async throws -> Operations.ListMentionBrands.Output {
        let actor = try await actor()
        return .ok(.init(body: .json(try await Mentions.brands(for: actor.organizationID, on: try req.db).map(DTO.brand))))
    }

    func listMentionAlerts(_ input: Operations.ListMentionAlerts.Input) async throws -> Operations.ListMentionAlerts.Output {
        let actor = try await actor()
        return .ok(.init(body: .json(try await Mentions.alerts(for: actor.organizationID, on: try req.db).map(DTO.mentionAlert))))
    }

    func listMentionFeeds(_ input: Operations.ListMentionFeeds.Input) async throws -> Operations.ListMentionFeeds.Output {
        let actor = try await actor()
        try Policy.manageOrganization(actor)  // feed addresses may carry access tokens
        return .ok(.init(body: .json(try await MentionFeeds.list(for: actor.organizationID, on: try req.db).map(DTO.feed))))
    }

    func addMentionFeed(_ input: Operations.AddMentionFeed.Input) async throws -> Operations.AddMentionFeed.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        if let bad = body.keywords?.first(where: { $0.contains(",") }) {
            throw Problem.invalid("keywords", "A keyword cannot contain a comma: \"\(bad.prefix(60))\".")
        }
        let feed = try await MentionFeeds.add(
            .init(url: body.url, brand: body.brand ?? "", keywords: (body.keywords ?? []).joined(separator: ",")), by: try await actor(),
            on: try req.db)
        return .created(.init(body: .json(DTO.feed(feed))))
    }

    func removeMentionFeed(_ input: Operations.RemoveMentionFeed.Input) async throws -> Operations.RemoveMentionFeed.Output {
        let actor = try await actor()
        let db = try req.db
        let feed = try await MentionFeeds.feed(UUID(uuidString: input.path.feedId), for: actor, on: db)
        try await MentionFeeds.remove(feed, by: actor, on: db)
        return .noContent(.init())
    }

    func pollMentionFeed(_ input: Operations.PollMentionFeed.Input) async throws -> Operations.PollMentionFeed.Output {
        let actor = try await actor()
        try Policy.manageOrganization(actor)
        let db = try req.db
        let feed = try await MentionFeeds.feed(UUID(uuidString: input.path.feedId), for: actor, on: db)
        let r = try await MentionFeeds.poll(feed, with: req.application.feedFetcher, on: db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        status: r.status, imported: r.imported, duplicates: r.duplicates, filtered: r.filtered, failed: r.failed,
                        feed: DTO.feed(feed)))))
    }
}

extension DTO {
    static func mention(_ m: Mention) -> Components.Schemas.Mention {
        .init(
            id: m.id!.apiString, brand: m.brand, partnerOrganizationId: m.$partner.id?.apiString,
            source: m.source,
            url: m.url, title: m.title, text: m.text, author: m.author, publishedAt: m.publishedAt, importedAt: m.importedAt,
            sentiment: m.sentiment, label: .init(rawValue: Sentiment.label(for: m.sentiment).rawValue)!, drivers: m.drivers.map(\.phrase))
    }

    static func mentionAlert(_ a: MentionAlert) -> Components.Schemas.MentionAlert {
        .init(
            brand: a.brand, weekStart: a.weekStart, mean: a.mean, n: a.n, baselineMean: a.baselineMean, baselineN: a.baselineN,
            createdAt: a.createdAt, message: Mentions.describe(a))
    }

    static func mean(_ e: MeanEstimate) -> Components.Schemas.MeanSentiment {
        .init(n: e.n, mean: e.mean, ci95: e.interval.map { [$0.lowerBound, $0.upperBound] })
    }

    static func brand(_ b: Mentions.BrandSummary) -> Components.Schemas.BrandSentiment {
        .init(
            brand: b.brand, key: b.key, partnerOrganizationId: b.partnerID?.apiString, overall: mean(b.overall),
            positive: b.positive, neutral: b.neutral, negative: b.negative, lastMonth: mean(b.lastMonth), monthBefore: mean(b.monthBefore),
            monthChange: .init(rawValue: b.monthChange.rawValue)!,
            weeks: b.weeks.map { w in
                .init(
                    weekStart: w.start, n: w.estimate.n, mean: w.estimate.mean,
                    ci95: w.estimate.interval.map { [$0.lowerBound, $0.upperBound] },
                    change: .init(rawValue: w.change.rawValue)!)
            },
            mostPositive: b.mostPositive.map(mention), mostNegative: b.mostNegative.map(mention), alerts: b.alerts.map(mentionAlert))
    }

    static func feed(_ f: MentionFeed) -> Components.Schemas.MentionFeed {
        .init(
            id: f.id!.apiString, url: f.url, brand: f.brand, partnerOrganizationId: f.$partner.id?.apiString,
            keywords: f.keywordList,
            lastPolledAt: f.lastPolledAt, lastStatus: f.lastStatus, createdAt: f.createdAt)
    }
}
