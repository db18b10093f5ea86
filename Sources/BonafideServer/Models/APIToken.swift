import Fluent
import Foundation

/// A bearer token for the API and CLI; only a SHA-256 of the secret is kept.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "secret_hash") var secretHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    /// Where it was last used from, so an unknown address stands out in Settings.
    @OptionalField(key: "last_used_ip") var lastUsedIP: String?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userID: UUID, name: String, prefix: String, secretHash: String) {
        self.$user.id = userID
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
    }
}
