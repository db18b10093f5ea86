import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// RSS and Atom feeds an organization follows for mentions, polled on a schedule.
enum MentionFeeds {
    static let maxItemsPerPoll = 500
    static let concurrentPolls = 4

    struct Draft: Sendable {
        var url: String
        var brand: String = ""
        var keywords: String = ""
    }

    static func add(_ draft: Draft, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> MentionFeed {
        try Policy.manageOrganization(actor)
        let url = draft.url.trimmingCharacters(in: .whitespacesAndNewlines)
        guard url.length <= 2_000, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            let host = parsed.host, !host.isEmpty
        else { throw Problem.invalid("url", "Give the feed's http(s) address, e.g. https://example.com/reviews.rss.") }
        let brand = draft.brand.trimmingCharacters(in: .whitespacesAndNewlines)
        guard brand.length <= 100 else { throw Problem.invalid("brand", "The brand must have at most 100 characters.") }
        let keywords = draft.keywords.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard keywords.count <= 20, keywords.allSatisfy({ $0.count <= 60 }) else {
            throw Problem.invalid("keywords", "At most 20 keywords of up to 60 characters, separated by commas.")
        }
        let existing = try await MentionFeed.query(on: db).filter(\.$organization.$id == actor.organizationID).all()
        guard !existing.contains(where: { $0.url == url }) else { throw Problem(.conflict, "You already follow this feed.") }
        guard existing.count < Mentions.maxFeedsPerOrganization else {
            throw Problem(.conflict, "An organization can follow at most \(Mentions.maxFeedsPerOrganization) feeds.")
        }
        let (name, partner) = try await BrandDirectory.load(for: actor.organizationID, on: db).resolve(brand, partner: nil)
        let feed = MentionFeed()
        feed.$organization.id = actor.organizationID
        feed.url = url
        feed.brand = name
        feed.$partner.id = partner
        feed.keywords = keywords.joined(separator: ", ")
        feed.lastStatus = "not polled yet"
        feed.$createdBy.id = actor.id
        feed.createdAt = now
        do {
            try await feed.create(on: db)
        } catch  where Mentions.isUniqueViolation(error) {
            throw Problem(.conflict, "You already follow this feed.")
        }
        return feed
    }

    static func list(for organization: UUID, on db: any Database) async throws -> [MentionFeed] {
        try await MentionFeed.query(on: db).filter(\.$organization.$id == organization).sort(\.$createdAt).all()
    }

    /// A feed of the actor's organization, or not found.
    static func feed(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> MentionFeed {
        guard let id, let feed = try await MentionFeed.find(id, on: db), feed.$organization.id == actor.organizationID else {
            throw Problem.notFound("feed")
        }
        return feed
    }

    /// Stops following a feed; the mentions it brought stay.
    static func remove(_ feed: MentionFeed, by actor: Actor, on db: any Database) async throws {
        try Policy.manageOrganization(actor)
        try await feed.delete(on: db)
    }

    struct PollResult: Sendable {
        var status: String
        var imported = 0
        var duplicates = 0
        var filtered = 0
        var failed = false
    }

    /// Fetches a feed (conditionally), imports its new items and records what happened on the feed.
    @discardableResult
    static func poll(_ feed: MentionFeed, with fetcher: FeedFetcher, at now: Date = Date(), on db: any Database) async throws
        -> PollResult
    {
        var result: PollResult
        do {
            switch try await fetcher.fetch(feed.url, etag: feed.etag, lastModified: feed.lastModified) {
            case .notModified:
                result = PollResult(status: "not modified since the last poll")
            case .fetched(let data, let etag, let lastModified):
                let parsed = try FeedParser.parse(data)
                let keywords = feed.keywordList.map { $0.lowercased() }
                var inputs: [Mentions.Input] = []
                var filtered = 0
                for item in parsed.items.prefix(maxItemsPerPoll) {
                    let haystack = (item.title + " " + item.text).lowercased()
                    guard keywords.isEmpty || keywords.contains(where: haystack.contains) else {
                        filtered += 1
                        continue
                    }
                    let link = item.link.flatMap { URL(string: $0, relativeTo: URL(string: feed.url))?.absoluteURL.absoluteString }
                    var input = Mentions.Input(
                        text: String(item.text.prefix(Mentions.maxTextLength)), title: String(item.title.prefix(500)),
                        url: link.map { $0.count <= 2_000 && ($0.hasPrefix("http://") || $0.hasPrefix("https://")) ? $0 : "" } ?? "",
                        author: String((item.author ?? "").prefix(200)), source: String((URL(string: feed.url)?.host ?? "feed").prefix(60)),
                        publishedAt: item.published.map { min($0, now) }, guid: item.guid)
                    if input.text.isEmpty && input.title.isEmpty { continue }
                    input.text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
                    inputs.append(input)
                }
                let imported = try await Mentions.importMentions(
                    inputs, source: "feed", feed: feed, into: feed.$organization.id, at: now, on: db)
                feed.etag = etag
                feed.lastModified = lastModified
                result = PollResult(
                    status: "\(imported.imported) new, \(imported.duplicates) already known"
                        + (filtered > 0 ? ", \(filtered) without a keyword" : "") + " (\(parsed.format.rawValue))",
                    imported: imported.imported, duplicates: imported.duplicates, filtered: filtered)
            }
        } catch let error as FeedFetcher.Failure {
            result = PollResult(status: error.description, failed: true)
        } catch let error as FeedError {
            result = PollResult(status: error.description, failed: true)
        }
        feed.lastPolledAt = now
        feed.lastStatus = String(result.status.prefix(500))
        try await feed.save(on: db)
        return result
    }

    /// Polls every feed not polled within `interval`; one failing feed does not stop the others.
    static func pollDue(every interval: TimeInterval, with fetcher: FeedFetcher, at now: Date = Date(), on db: any Database, logger: Logger)
        async throws -> Int
    {
        let cutoff = now.addingTimeInterval(-interval + 1)
        let candidates = try await MentionFeed.query(on: db)
            .group(.or) { $0.filter(\.$lastPolledAt == nil).filter(\.$lastPolledAt <= cutoff) }
            .sort(\.$lastPolledAt).limit(100).all()
        // Every server runs this job: each feed is claimed by moving its poll time while it is still due, which only
        // one of them can do, so a feed is fetched once per interval however many servers there are.
        let sql = try db.sql()
        let stillDue: SQLQueryString = "last_polled_at IS NULL OR last_polled_at <= \(bind: cutoff)"
        struct Claimed: Decodable { var id: UUID }
        var due: [MentionFeed] = []
        for feed in candidates {
            let claimed = try await sql.update(MentionFeed.schema).set("last_polled_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(feed.id)).where(SQLGroupExpression(stillDue))
                .returning("id").all(decoding: Claimed.self)
            if !claimed.isEmpty { due.append(feed) }
        }
        // A few at a time, so one slow or dead feed does not hold up everyone else's. Each poll gives back its feed's
        // id once it has run its course, failed or not; one cut off by shutdown gives nil.
        let claims = due.map { (id: $0.id!, polledBefore: $0.lastPolledAt) }
        let polled = try await withThrowingTaskGroup(of: UUID?.self, returning: Set<UUID>.self) { group in
            var next = due.makeIterator()
            func start() {
                guard !Task.isCancelled, let feed = next.next() else { return }
                group.addTask {
                    let result: PollResult
                    do {
                        result = try await poll(feed, with: fetcher, at: Date(), on: db)
                    } catch  where Task.isCancelled && BackgroundJobs.isCancellation(error) {
                        // Shutdown ends the whole pass, which the job reports as such; not a failure of this feed.
                        return nil
                    } catch {
                        // A database error on one feed must not stop the others; it is retried on the next pass.
                        logger.warning("feed \(feed.id?.uuidString ?? "") poll failed: \(String(reflecting: error).prefix(200))")
                        return feed.id
                    }
                    if result.failed {
                        logger.notice("feed \(feed.id?.uuidString ?? "") could not be polled: \(result.status)")
                    } else if result.imported > 0 {
                        logger.info("feed \(feed.id?.uuidString ?? ""): \(result.status)")
                    }
                    return feed.id
                }
            }
            for _ in 0..<concurrentPolls { start() }
            var polled = Set<UUID>()
            while let finished = try await group.next() {
                if let id = finished { polled.insert(id) }
                start()
            }
            return polled
        }
        // Feeds claimed but not polled (cut off, or not started once shutdown came) would otherwise wait a whole
        // interval; their claims are handed back so that another server polls them at its next pass. Only a claim still
        // this pass's: someone's "poll now", or another server once the interval passed (a long pass, a short interval),
        // may have polled one since, and its time must stand.
        let unpolled = claims.filter { !polled.contains($0.id) }
        if !unpolled.isEmpty {
            try await release(unpolled, claimedAt: now, on: db)
            throw CancellationError()
        }
        return due.count
    }

    /// Puts back the poll times claimed feeds had before the pass claimed them, where the claim is still the pass's.
    private static func release(_ feeds: [(id: UUID, polledBefore: Date?)], claimedAt: Date, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            for feed in feeds {
                try await MentionFeed.query(on: tx).filter(\.$id == feed.id).filter(\.$lastPolledAt == claimedAt)
                    .set(\.$lastPolledAt, to: feed.polledBefore).update()
            }
        }
    }
}

extension Application {
    private struct FeedFetcherKey: StorageKey { typealias Value = FeedFetcher }

    /// The HTTP client feeds are fetched with; created at start-up and shut down with the server.
    var feedFetcher: FeedFetcher {
        get {
            guard let fetcher = storage[FeedFetcherKey.self] else { fatalError("configure() sets up the feed fetcher") }
            return fetcher
        }
        set { storage[FeedFetcherKey.self] = newValue }
    }
}

/// Shuts the feed client down with the application.
struct FeedFetcherLifecycle: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        try? await app.feedFetcher.client.shutdown()
    }
}
