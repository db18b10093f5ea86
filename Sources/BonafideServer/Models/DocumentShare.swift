import Fluent
import Foundation

/// A document shared beyond its partnership, with an organization in the sharer's circles. `header` wraps the content
/// key for that organization's key alone; access lasts while the organization stays in `circle` or closer.
final class DocumentShare: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "document_shares"

    @ID(key: .id) var id: UUID?
    @Parent(key: "document_id") var document: Document
    @Parent(key: "organization_id") var organization: Organization
    /// The circle the organization had to be in, and must stay in.
    @Enum(key: "circle") var circle: Circle
    @Field(key: "header") var header: Data
    @OptionalParent(key: "created_by_id") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "max_downloads") var maxDownloads: Int?
    @Field(key: "downloads") var downloads: Int
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}
