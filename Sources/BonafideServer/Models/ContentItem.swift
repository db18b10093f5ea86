import Fluent
import Foundation

/// One of an organization's guides and resources, listed on its profile for the audience it chose: a guide written
/// here, a video or an article elsewhere, or a whitepaper kept in its vault.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class ContentItem: Model, @unchecked Sendable {
    static let schema = "content_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Enum(key: "kind") var kind: ContentKind
    @Field(key: "title") var title: String
    /// What it is about, shown in lists. Not called `description`: that is every model's `CustomStringConvertible` text.
    @Field(key: "summary") var summary: String
    /// A guide's Markdown; empty for the other kinds.
    @Field(key: "body") var body: String
    /// A video's or an article's http(s) address.
    @OptionalField(key: "url") var url: String?
    /// A whitepaper's document; nil once the document left the vault.
    @OptionalParent(key: "document_id") var document: Document?
    @Enum(key: "audience") var audience: Audience
    /// Pinned items come first, then the newest.
    @Field(key: "pinned") var pinned: Bool
    @Field(key: "published_at") var publishedAt: Date
    @OptionalParent(key: "created_by") var createdBy: User?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    init() {}
}
