import Fluent
import Foundation

/// A link sent by mail: to verify an address or to set a new password. Single use, short-lived; only a
/// SHA-256 of its secret is kept.
final class AccountLink: Model, @unchecked Sendable {
    static let schema = "account_links"

    enum Purpose: String, Codable, Sendable {
        case verifyEmail, resetPassword
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Enum(key: "purpose") var purpose: Purpose
    @Field(key: "token_hash") var tokenHash: String
    /// The address the link was sent to: verifying it proves this address, not whatever the account says now.
    @Field(key: "email") var email: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
