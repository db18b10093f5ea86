import Fluent
import Foundation

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
