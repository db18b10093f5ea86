import Fluent
import Foundation

/// An encrypted file shared in a partnership. The server knows its size, who uploaded it and who fetched it; the
/// name, type and content are sealed in `header` and the stored chunks.
final class Document: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    /// "Document 3" in the record: the server cannot name it, since the name is encrypted.
    @Field(key: "number") var number: Int
    @Parent(key: "organization_id") var organization: Organization
    @OptionalParent(key: "uploaded_by_id") var uploadedBy: User?
    /// The whole file's bytes as stored (header and chunks).
    @Field(key: "size") var size: Int64
    @Field(key: "header") var header: Data
    /// The stored file's key in the blob store; a re-keyed document gets a new one.
    @Field(key: "storage_key") var storageKey: String
    /// When the content key was last replaced; revocations after it are what a new re-key would cover.
    @OptionalField(key: "rekeyed_at") var rekeyedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    /// The partner's access: until when, how many downloads, or revoked.
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "max_downloads") var maxDownloads: Int?
    @Field(key: "downloads") var downloads: Int
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}
