import Fluent
import Foundation

/// A link to a document for someone without an account: its key lives in the URL fragment, never here; `header`
/// wraps the content key for that key alone.
final class DocumentLink: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "document_links"

    @ID(key: .id) var id: UUID?
    @Parent(key: "document_id") var document: Document
    @Field(key: "header") var header: Data
    /// The salt the browser stretches the password with; nil when the link has no password.
    @OptionalField(key: "password_salt") var passwordSalt: String?
    @OptionalParent(key: "created_by_id") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "max_downloads") var maxDownloads: Int?
    @Field(key: "downloads") var downloads: Int
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}
