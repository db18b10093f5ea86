import BonafideCore
import Fluent
import Foundation

// Fluent models are reference types with property wrappers; @unchecked Sendable because each instance is
// used by one request or job at a time and never shared while mutable.

/// A public mention of a brand or partner: a review, a post, an article, with its sentiment.
final class Mention: Model, @unchecked Sendable {
    static let schema = "mentions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    /// The brand as shown: the organization's own name, a partner's name, or a product name.
    @Field(key: "brand") var brand: String
    /// The brand folded for grouping ("Northwind" and "northwind " are one brand).
    @Field(key: "brand_key") var brandKey: String
    @OptionalParent(key: "partner_organization_id") var partner: Organization?
    /// Where it came from: csv, json, api or feed.
    @Field(key: "source") var source: String
    @OptionalParent(key: "feed_id") var feed: MentionFeed?
    @Field(key: "url") var url: String
    @Field(key: "title") var title: String
    @Field(key: "text") var text: String
    @Field(key: "author") var author: String
    @Field(key: "published_at") var publishedAt: Date
    @Field(key: "imported_at") var importedAt: Date
    @Field(key: "sentiment") var sentiment: Double
    /// The phrases that drove the score, as JSON (`[Sentiment.Driver]`).
    @Field(key: "drivers") var driversJSON: String
    @Field(key: "dedupe_key") var dedupeKey: String

    init() {}

    var drivers: [Sentiment.Driver] { StoredDrivers.decode(driversJSON) }
}

/// An RSS or Atom feed polled for mentions of one brand.
final class MentionFeed: Model, @unchecked Sendable {
    static let schema = "mention_feeds"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "url") var url: String
    @Field(key: "brand") var brand: String
    @OptionalParent(key: "partner_organization_id") var partner: Organization?
    /// Comma-separated words; when set, only items containing one of them are kept.
    @Field(key: "keywords") var keywords: String
    /// Validators from the last answer, sent back so an unchanged feed costs a 304.
    @OptionalField(key: "etag") var etag: String?
    @OptionalField(key: "last_modified") var lastModified: String?
    @OptionalField(key: "last_polled_at") var lastPolledAt: Date?
    /// What the last poll did, in words ("12 new, 3 already known", "not modified", or the error).
    @Field(key: "last_status") var lastStatus: String
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// The keywords as written.
    var keywordList: [String] {
        keywords.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// A week in which a brand's mean sentiment fell clearly below the four weeks before it.
final class MentionAlert: Model, @unchecked Sendable {
    static let schema = "mention_alerts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "brand") var brand: String
    @Field(key: "brand_key") var brandKey: String
    @Field(key: "week_start") var weekStart: Date
    @Field(key: "mean") var mean: Double
    @Field(key: "n") var n: Int
    @Field(key: "baseline_mean") var baselineMean: Double
    @Field(key: "baseline_n") var baselineN: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
