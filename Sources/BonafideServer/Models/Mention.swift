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
