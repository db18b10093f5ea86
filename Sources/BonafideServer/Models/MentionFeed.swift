import BonafideCore
import Fluent
import Foundation

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
