import BonafideCore
import Crypto
import Fluent
import Foundation
import SQLKit

/// Brand sentiment: mentions and reviews imported from files or polled from feeds, de-duplicated, scored, and
/// followed week by week per brand and partner, with an alert when a week falls clearly below the month before.
enum Mentions {
    static let maxPerImport = 5_000
    static let maxTextLength = 10_000
    static let maxFeedsPerOrganization = 50
    static let maxBrands = 20
    /// Weekly means are compared with the four weeks before; a drop must be clear (Welch's 95% interval) and at
    /// least this large on the -1..1 scale.
    static let minimumDrop = 0.15
    static let minimumWeekCount = 3
    static let baselineWeeks = 4
    static let minimumBaselineCount = 5
    /// Drops in weeks older than this are recorded but nobody is notified: they are history, not news.
    static let notifyWithin: TimeInterval = 14 * 86_400

    struct Input: Sendable, Equatable {
        var text: String
        var title = ""
        var url = ""
        var author = ""
        var brand = ""
        var source = ""
        var publishedAt: Date?
        /// The feed's id for the item, used for de-duplication when there is no link.
        var guid: String?
    }

    struct ImportResult: Sendable {
        var imported = 0
        var duplicates = 0
        var alerts: [MentionAlert] = []
    }

    // MARK: Reading files

    /// A CSV with a header row naming `text` (or review, comment, body, content) and optionally title, url (or
    /// link), author, brand (or partner), source and date (or published, published_at). Quoted fields may span lines.
    static func parseCSV(_ text: String) throws -> [Input] {
        let records: [CSV.Record]
        do { records = try CSV.records(text) } catch { throw Problem.invalid("file", error.message) }
        guard let header = records.first else {
            throw Problem.invalid("file", "The file is empty: give a header row naming a text column, then one mention a row.")
        }
        let columns = header.fields.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        func column(_ names: String...) -> Int? { names.lazy.compactMap { columns.firstIndex(of: $0) }.first }
        guard let textColumn = column("text", "review", "comment", "body", "content", "mention") else {
            throw Problem.invalid(
                "file",
                "Line \(header.line): the header row must name a text column (text, review, comment, body or content); "
                    + "optional columns: title, url, author, brand, source, date.")
        }
        let titleColumn = column("title", "headline")
        let urlColumn = column("url", "link")
        let authorColumn = column("author", "name", "reviewer")
        let brandColumn = column("brand", "partner")
        let sourceColumn = column("source", "site")
        let dateColumn = column("date", "published", "published_at", "publishedat", "created_at", "time")
        guard records.count - 1 <= maxPerImport else {
            throw Problem.invalid("file", "At most \(maxPerImport) mentions at a time; split the file.")
        }
        return try records.dropFirst().map { r in
            let where_ = "Line \(r.line)"
            var date: Date?
            let rawDate = r.field(dateColumn)
            if !rawDate.isEmpty {
                guard let parsed = FeedParser.date(rawDate) else {
                    throw Problem.invalid(
                        "file", "\(where_): \"\(rawDate.prefix(40))\" is not a date; use 2026-11-21, 2026-11-21T09:30:00Z or an RSS date.")
                }
                date = parsed
            }
            return try validated(
                Input(
                    text: r.field(textColumn), title: r.field(titleColumn), url: r.field(urlColumn), author: r.field(authorColumn),
                    brand: r.field(brandColumn), source: r.field(sourceColumn), publishedAt: date),
                at: where_)
        }
    }

    private struct JSONMention: Decodable {
        var text: String?
        var title: String?
        var url: String?
        var link: String?
        var author: String?
        var brand: String?
        var source: String?
        var publishedAt: String?
        var date: String?
    }

    /// A JSON array of objects (or `{"mentions": [...]}`) with `text` and optionally title, url, author, brand,
    /// source and publishedAt (or date).
    static func parseJSON(_ data: Data) throws -> [Input] {
        struct Wrapped: Decodable { var mentions: [JSONMention] }
        let items: [JSONMention]
        do {
            if data.first(where: { !$0.isASCIIWhitespace }) == UInt8(ascii: "[") {
                items = try JSONDecoder().decode([JSONMention].self, from: data)
            } else {
                items = try JSONDecoder().decode(Wrapped.self, from: data).mentions
            }
        } catch {
            throw Problem.invalid(
                "file", "The JSON must be an array of mentions, or {\"mentions\": [...]}, each with a text string: \(describe(error)).")
        }
        guard items.count <= maxPerImport else {
            throw Problem.invalid("file", "At most \(maxPerImport) mentions at a time; split the file.")
        }
        return try items.enumerated().map { index, m in
            let where_ = "Mention \(index + 1)"
            var date: Date?
            if let raw = m.publishedAt ?? m.date, !raw.isEmpty {
                guard let parsed = FeedParser.date(raw) else {
                    throw Problem.invalid("file", "\(where_): \"\(raw.prefix(40))\" is not a date; use 2026-11-21 or 2026-11-21T09:30:00Z.")
                }
                date = parsed
            }
            return try validated(
                Input(
                    text: m.text ?? "", title: m.title ?? "", url: m.url ?? m.link ?? "", author: m.author ?? "", brand: m.brand ?? "",
                    source: m.source ?? "", publishedAt: date),
                at: where_)
        }
    }

    /// JSON when the file starts with `[` or `{`, CSV otherwise.
    static func parseFile(_ text: String) throws -> [Input] {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let first = body.first { !$0.isWhitespace }
        if first == "[" || first == "{" { return try parseJSON(Data(body.utf8)) }
        return try parseCSV(body)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.keyNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            let path = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? c.debugDescription : "at \(path): \(c.debugDescription)"
        default: return "\(error)"
        }
    }

    /// Trims and checks one mention; `place` says which ("Line 4", "mentions[2]") in the error.
    static func validated(_ input: Input, at place: String, now: Date = Date()) throws -> Input {
        var m = input
        m.text = m.text.trimmingCharacters(in: .whitespacesAndNewlines)
        m.title = m.title.trimmingCharacters(in: .whitespacesAndNewlines)
        m.url = m.url.trimmingCharacters(in: .whitespacesAndNewlines)
        m.author = m.author.trimmingCharacters(in: .whitespacesAndNewlines)
        m.brand = m.brand.trimmingCharacters(in: .whitespacesAndNewlines)
        m.source = m.source.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !m.text.isEmpty || !m.title.isEmpty else { throw Problem.invalid("mentions", "\(place): the text is empty.") }
        guard m.text.count <= maxTextLength else {
            throw Problem.invalid("mentions", "\(place): the text has \(m.text.count) characters; at most \(maxTextLength).")
        }
        guard m.title.length <= 500, m.author.length <= 200, m.brand.length <= 100, m.source.length <= 60 else {
            throw Problem.invalid(
                "mentions", "\(place): titles have at most 500 characters, authors 200, brands 100 and sources 60.")
        }
        if !m.url.isEmpty {
            guard m.url.length <= 2_000, let u = URL(string: m.url), ["http", "https"].contains(u.scheme?.lowercased() ?? ""),
                u.host != nil
            else { throw Problem.invalid("mentions", "\(place): \"\(m.url.prefix(80))\" is not an http(s) link.") }
        }
        if let date = m.publishedAt, date > now.addingTimeInterval(86_400) {
            throw Problem.invalid("mentions", "\(place): the date is in the future.")
        }
        return m
    }

    // MARK: Importing

    /// Scores and stores mentions for an organization, skipping any it already has (same link, same feed item, or
    /// same brand, author and text), then checks the affected brands for a drop.
    static func importMentions(
        _ inputs: [Input], source defaultSource: String, feed: MentionFeed? = nil, into organization: UUID, at now: Date = Date(),
        on db: any Database
    ) async throws -> ImportResult {
        guard inputs.count <= maxPerImport else {
            throw Problem.invalid("mentions", "At most \(maxPerImport) mentions at a time; split the file.")
        }
        let brands = try await BrandDirectory.load(for: organization, on: db)
        var candidates: [String: Mention] = [:]
        var order: [String] = []
        var result = ImportResult()
        let scores = try await Offload.cpu {
            inputs.map { SentimentAnalyzer.shared.analyze(sentimentText(title: $0.title, text: $0.text)) }
        }
        for (input, scored) in zip(inputs, scores) {
            let (brand, partner) = brands.resolve(feed?.brand ?? input.brand, partner: feed?.$partner.id)
            let key = dedupeKey(input, brandKey: BrandDirectory.key(brand), feedURL: feed?.url)
            guard candidates[key] == nil else {
                result.duplicates += 1
                continue
            }
            let m = Mention()
            m.$organization.id = organization
            m.brand = brand
            m.brandKey = BrandDirectory.key(brand)
            m.$partner.id = partner
            m.source = input.source.isEmpty ? defaultSource : input.source
            m.$feed.id = feed?.id
            m.url = input.url
            m.title = input.title
            m.text = input.text
            m.author = input.author
            m.publishedAt = input.publishedAt ?? now
            m.importedAt = now
            m.sentiment = scored.score
            m.driversJSON = StoredDrivers.json(scored.drivers)
            m.dedupeKey = key
            candidates[key] = m
            order.append(key)
        }
        // Concurrent imports of the same mention meet at the unique index: re-read what exists and retry.
        for attempt in 1...3 {
            let known = try await existingKeys(order, in: organization, on: db)
            let fresh = order.filter { !known.contains($0) }.compactMap { candidates[$0] }
            do {
                try await db.writeTransaction { tx in
                    for chunk in stride(from: 0, to: fresh.count, by: 500) {
                        try await Array(fresh[chunk..<min(chunk + 500, fresh.count)]).create(on: tx)
                    }
                }
                result.imported = fresh.count
                result.duplicates += order.count - fresh.count
                break
            } catch  where attempt < 3 && isUniqueViolation(error) {
                for m in fresh { m.id = nil }
                continue
            }
        }
        if result.imported > 0 {
            let touched = Set(order.compactMap { candidates[$0] }.map(\.brandKey))
            result.alerts = try await checkForDrops(in: organization, brandKeys: touched, at: now, on: db)
        }
        return result
    }

    static func sentimentText(title: String, text: String) -> String {
        if title.isEmpty || text.hasPrefix(title) { return text }
        if text.isEmpty { return title }
        let end = title.last.map { ".!?".contains($0) } ?? false
        return title + (end ? " " : ". ") + text
    }

    static func isUniqueViolation(_ error: any Error) -> Bool {
        let text = String(reflecting: error).lowercased()
        return text.contains("unique") || text.contains("duplicate key") || text.contains("23505")
    }

    private static func existingKeys(_ keys: [String], in organization: UUID, on db: any Database) async throws -> Set<String> {
        var known: Set<String> = []
        for chunk in stride(from: 0, to: keys.count, by: 500) {
            let slice = Array(keys[chunk..<min(chunk + 500, keys.count)])
            let rows = try await Mention.query(on: db).filter(\.$organization.$id == organization).filter(\.$dedupeKey ~~ slice)
                .field(\.$dedupeKey).all()
            for row in rows { known.insert(row.dedupeKey) }
        }
        return known
    }

    /// The same link (ignoring tracking parameters, fragments and a trailing slash), else the same feed item, else
    /// the same brand, author and text (ignoring case and spacing) is the same mention.
    static func dedupeKey(_ m: Input, brandKey: String, feedURL: String?) -> String {
        let identity: String
        if let url = normalizedURL(m.url) {
            identity = "url " + url
        } else if let guid = m.guid, !guid.isEmpty {
            identity = "item " + (feedURL ?? "") + " " + guid
        } else {
            let words = (m.title + " " + m.text).lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            identity = "text " + brandKey + " " + m.author.lowercased() + " " + words
        }
        return SHA256.hash(data: Data(identity.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func normalizedURL(_ raw: String) -> String? {
        guard !raw.isEmpty, var c = URLComponents(string: raw), let host = c.host, !host.isEmpty else { return nil }
        c.scheme = c.scheme?.lowercased()
        c.host = host.lowercased()
        c.fragment = nil
        let tracking: Set<String> = ["fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src"]
        let kept = (c.queryItems ?? []).filter { item in
            let name = item.name.lowercased()
            return !name.hasPrefix("utm_") && !tracking.contains(name)
        }
        c.queryItems = kept.isEmpty ? nil : kept.sorted { $0.name < $1.name }
        if c.path.count > 1, c.path.hasSuffix("/") { c.path.removeLast() }
        if c.path == "/" { c.path = "" }
        if (c.scheme == "https" && c.port == 443) || (c.scheme == "http" && c.port == 80) { c.port = nil }
        return c.string
    }

    // MARK: Drops and alerts

    struct Week: Sendable {
        var start: Date
        var estimate: MeanEstimate
        /// Against the four weeks before it, pooled.
        var change: Change
        var baseline: MeanEstimate
    }

    static var calendar: Calendar {
        var c = Calendar(identifier: .iso8601)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }

    static func weekStart(_ date: Date) -> Date { calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? date }

    /// Weekly means of the last `count` weeks up to `now` (ISO weeks, UTC), each compared with the four weeks before.
    static func weeks(_ points: [(date: Date, score: Double)], count: Int, now: Date) -> [Week] {
        let current = weekStart(now)
        let first = calendar.date(byAdding: .weekOfYear, value: -(count - 1 + baselineWeeks), to: current)!
        var byWeek: [Date: [Double]] = [:]
        for p in points where p.date >= first && p.date < calendar.date(byAdding: .weekOfYear, value: 1, to: current)! {
            byWeek[weekStart(p.date), default: []].append(p.score)
        }
        return (0..<count).map { back in
            let start = calendar.date(byAdding: .weekOfYear, value: -(count - 1 - back), to: current)!
            let estimate = MeanEstimate(byWeek[start] ?? [])
            let baseline = MeanEstimate(
                (1...baselineWeeks).flatMap { byWeek[calendar.date(byAdding: .weekOfYear, value: -$0, to: start)!] ?? [] })
            let change =
                estimate.n >= minimumWeekCount && baseline.n >= minimumBaselineCount
                ? estimate.change(since: baseline, minimum: minimumDrop) : .notEnoughData
            return Week(start: start, estimate: estimate, change: change, baseline: baseline)
        }
    }

    /// Records an alert for every week of the last half year whose mean dropped clearly; people who manage the
    /// organization are notified of new ones from the last two weeks. Returns the new alerts.
    static func checkForDrops(in organization: UUID, brandKeys: Set<String>, at now: Date, on db: any Database) async throws
        -> [MentionAlert]
    {
        let horizon = 26
        let since = calendar.date(byAdding: .weekOfYear, value: -(horizon + baselineWeeks), to: weekStart(now))!
        var created: [MentionAlert] = []
        for key in brandKeys.sorted() {
            let rows = try await Mention.query(on: db).filter(\.$organization.$id == organization).filter(\.$brandKey == key)
                .filter(\.$publishedAt >= since).field(\.$brand).field(\.$publishedAt).field(\.$sentiment).all()
            guard let brand = rows.last?.brand else { continue }
            let drops = weeks(rows.map { ($0.publishedAt, $0.sentiment) }, count: horizon, now: now).filter { $0.change == .down }
            guard !drops.isEmpty else { continue }
            let known = Set(
                try await MentionAlert.query(on: db).filter(\.$organization.$id == organization).filter(\.$brandKey == key).all()
                    .map(\.weekStart))
            for week in drops where !known.contains(week.start) {
                let alert = MentionAlert()
                alert.$organization.id = organization
                alert.brand = brand
                alert.brandKey = key
                alert.weekStart = week.start
                alert.mean = week.estimate.mean ?? 0
                alert.n = week.estimate.n
                alert.baselineMean = week.baseline.mean ?? 0
                alert.baselineN = week.baseline.n
                alert.createdAt = now
                do {
                    try await alert.create(on: db)
                } catch  where isUniqueViolation(error) {
                    continue  // another import recorded it first
                }
                created.append(alert)
                if week.start >= now.addingTimeInterval(-notifyWithin) {
                    try await notifyManagers(of: organization, about: alert, on: db)
                }
            }
        }
        return created
    }

    static func describe(_ alert: MentionAlert) -> String {
        let week = alert.weekStart.formatted(.iso8601.year().month().day())
        return String(
            format:
                "Sentiment about %@ dropped in the week of %@: %+.2f over %d mention%@, against %+.2f over %d in the four weeks before.",
            alert.brand, week, alert.mean, alert.n, alert.n == 1 ? "" : "s", alert.baselineMean, alert.baselineN)
    }

    private static func notifyManagers(of organization: UUID, about alert: MentionAlert, on db: any Database) async throws {
        try await Notifier.notify(
            try await Accounts.managers(of: organization, on: db),
            of: .init(
                kind: .mentionAlert, text: describe(alert), link: SiteURL.mentions(brand: alert.brandKey),
                key: "mention-alert|\(alert.id?.uuidString.lowercased() ?? UUID().uuidString)"),
            at: alert.createdAt, on: db)
    }

    // MARK: Reading

    enum Order: String, Sendable { case recent, positive, negative }

    static func list(
        for organization: UUID, brandKey: String? = nil, label: Sentiment.Label? = nil, order: Order = .recent, limit: Int = 50,
        offset: Int = 0, on db: any Database
    ) async throws -> [Mention] {
        var query = Mention.query(on: db).filter(\.$organization.$id == organization)
        if let brandKey { query = query.filter(\.$brandKey == brandKey) }
        switch label {
        case .positive: query = query.filter(\.$sentiment >= 0.05)
        case .negative: query = query.filter(\.$sentiment <= -0.05)
        case .neutral: query = query.filter(\.$sentiment > -0.05).filter(\.$sentiment < 0.05)
        case nil: break
        }
        switch order {
        case .recent: query = query.sort(\.$publishedAt, .descending)
        case .positive: query = query.sort(\.$sentiment, .descending).sort(\.$publishedAt, .descending)
        case .negative: query = query.sort(\.$sentiment, .ascending).sort(\.$publishedAt, .descending)
        }
        return try await query.sort(\.$id).range(offset..<(offset + limit)).all()
    }

    static func alerts(for organization: UUID, limit: Int = 100, on db: any Database) async throws -> [MentionAlert] {
        try await MentionAlert.query(on: db).filter(\.$organization.$id == organization).sort(\.$weekStart, .descending)
            .sort(\.$brandKey).limit(limit).all()
    }

    /// One brand's standing: all-time counts, the last 30 days against the 30 before, twelve weeks, the extremes.
    struct BrandSummary: Sendable {
        var brand: String
        var key: String
        var partnerID: UUID?
        var overall: MeanEstimate
        var positive: Int
        var neutral: Int
        var negative: Int
        var lastMonth: MeanEstimate
        var monthBefore: MeanEstimate
        var monthChange: Change
        var weeks: [Week]
        var mostPositive: [Mention]
        var mostNegative: [Mention]
        var alerts: [MentionAlert]
    }

    static func brands(for organization: UUID, only key: String? = nil, at now: Date = Date(), on db: any Database) async throws
        -> [BrandSummary]
    {
        guard let sql = db as? any SQLDatabase else { return [] }
        var totals = sql.select()
            .column("brand_key").column(SQLFunction("MAX", args: SQLColumn("brand")), as: "brand")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .column(SQLFunction("SUM", args: SQLColumn("sentiment")), as: "total")
            .column(SQLFunction("SUM", args: SQLBinaryExpression(SQLColumn("sentiment"), .multiply, SQLColumn("sentiment"))), as: "squares")
            .column(SQLRaw("SUM(CASE WHEN sentiment >= 0.05 THEN 1 ELSE 0 END)"), as: "positive")
            .column(SQLRaw("SUM(CASE WHEN sentiment <= -0.05 THEN 1 ELSE 0 END)"), as: "negative")
            .from("mentions").where("organization_id", .equal, SQLBind(organization))
        if let key { totals = totals.where("brand_key", .equal, SQLBind(key)) }
        // The most mentioned brands first, at most `maxBrands`: brands are free text, and each costs a few queries.
        let rows = try await totals.groupBy("brand_key").orderBy(SQLRaw("COUNT(*)"), SQLDirection.descending).orderBy("brand_key")
            .limit(maxBrands).all()
        let weekCount = 12
        let since = min(
            now.addingTimeInterval(-60 * 86_400),
            calendar.date(byAdding: .weekOfYear, value: -(weekCount - 1 + baselineWeeks), to: weekStart(now))!)
        let alerts = try await MentionAlert.query(on: db).filter(\.$organization.$id == organization).sort(\.$weekStart, .descending)
            .all()
        let directory = try await BrandDirectory.load(for: organization, on: db)
        var out: [BrandSummary] = []
        for row in rows {
            let brandKey = try row.decode(column: "brand_key", as: String.self)
            let n = try row.decode(column: "n", as: Int.self)
            let positive = try row.decode(column: "positive", as: Int?.self) ?? 0
            let negative = try row.decode(column: "negative", as: Int?.self) ?? 0
            let recent = try await Mention.query(on: db).filter(\.$organization.$id == organization).filter(\.$brandKey == brandKey)
                .filter(\.$publishedAt >= since).field(\.$publishedAt).field(\.$sentiment).all()
                .map { (date: $0.publishedAt, score: $0.sentiment) }
            let monthAgo = now.addingTimeInterval(-30 * 86_400)
            let twoMonthsAgo = now.addingTimeInterval(-60 * 86_400)
            let lastMonth = MeanEstimate(recent.filter { $0.date >= monthAgo && $0.date <= now }.map(\.score))
            let monthBefore = MeanEstimate(recent.filter { $0.date >= twoMonthsAgo && $0.date < monthAgo }.map(\.score))
            out.append(
                BrandSummary(
                    brand: try row.decode(column: "brand", as: String.self), key: brandKey,
                    partnerID: directory.partners[brandKey]?.id,
                    overall: MeanEstimate(
                        n: n, sum: try row.decode(column: "total", as: Double?.self) ?? 0,
                        sumOfSquares: try row.decode(column: "squares", as: Double?.self) ?? 0),
                    positive: positive, neutral: n - positive - negative, negative: negative, lastMonth: lastMonth,
                    monthBefore: monthBefore, monthChange: lastMonth.change(since: monthBefore, minimum: minimumDrop),
                    weeks: weeks(recent, count: weekCount, now: now),
                    mostPositive: try await list(
                        for: organization, brandKey: brandKey, label: .positive, order: .positive, limit: 3, on: db),
                    mostNegative: try await list(
                        for: organization, brandKey: brandKey, label: .negative, order: .negative, limit: 3, on: db),
                    alerts: alerts.filter { $0.brandKey == brandKey }))
        }
        return out.sorted { $0.overall.n > $1.overall.n }
    }
}

/// The brands an organization follows: its own name and its partners' names resolve to those; anything else is a
/// brand of its own (a product, a competitor).
struct BrandDirectory: Sendable {
    var ownName: String
    var partners: [String: (name: String, id: UUID)]

    static func key(_ brand: String) -> String {
        brand.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func load(for organization: UUID, on db: any Database) async throws -> BrandDirectory {
        let own = try await Organization.find(organization, on: db)?.name ?? ""
        let ids = try await Partnerships.activePartnerIDs(of: organization, on: db)
        var partners: [String: (name: String, id: UUID)] = [:]
        if !ids.isEmpty {
            for org in try await Organization.query(on: db).filter(\.$id ~~ ids).all() {
                partners[key(org.name)] = (org.name, org.id!)
            }
        }
        return BrandDirectory(ownName: own, partners: partners)
    }

    /// The brand as shown and the partner it is, if any. A feed's partner wins; an empty brand is the organization.
    func resolve(_ brand: String, partner: UUID?) -> (String, UUID?) {
        if let partner, let match = partners.values.first(where: { $0.id == partner }) { return (match.name, partner) }
        let k = Self.key(brand)
        if k.isEmpty || k == Self.key(ownName) { return (ownName, nil) }
        if let match = partners[k] { return (match.name, match.id) }
        return (brand, nil)
    }
}

extension UInt8 {
    fileprivate var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
