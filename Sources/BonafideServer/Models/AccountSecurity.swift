import Fluent
import Foundation

// Fluent models are reference types the compiler cannot check for sendability; each instance is confined to
// one request's task, hence @unchecked.

/// One of ten single-use codes that sign in when the authenticator app is lost; only a SHA-256 is kept.
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A WebAuthn credential (passkey): the public key and signature counter the authenticator registered.
final class Passkey: Model, @unchecked Sendable {
    static let schema = "passkeys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    /// base64url of the credential id, as browsers send it back.
    @Field(key: "credential_id") var credentialID: String
    /// base64 of the COSE public key.
    @Field(key: "public_key") var publicKey: String
    @Field(key: "sign_count") var signCount: Int64
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}
}

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

/// Every confirmation request a holder sent an issuer, kept when the credential is deleted so that deleting and
/// adding it again does not reset the limits.
final class CredentialRequest: Model, @unchecked Sendable {
    static let schema = "credential_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "holder_id") var holderID: UUID
    @Field(key: "issuer_id") var issuerID: UUID
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "declined_at") var declinedAt: Date?

    init() {}
}
