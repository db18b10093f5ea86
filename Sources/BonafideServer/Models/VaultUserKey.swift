import Fluent
import Foundation

/// A person's vault key pair: the public key, and the private key wrapped under a passphrase only they know.
final class VaultUserKey: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "vault_user_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "public_key") var publicKey: String
    @Field(key: "wrapped_private_key") var wrappedPrivateKey: String
    @Field(key: "salt") var salt: String
    @Field(key: "iterations") var iterations: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
