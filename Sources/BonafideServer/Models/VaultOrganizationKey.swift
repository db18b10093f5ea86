import Fluent
import Foundation

/// One version of an organization's vault key pair: documents are encrypted to the active one; retired versions
/// stay so that older documents still open.
final class VaultOrganizationKey: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "vault_organization_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "public_key") var publicKey: String
    /// Hex of the first 8 bytes of SHA-256 of the public key: how a document's header names its recipients.
    @Field(key: "key_id") var keyID: String
    @OptionalParent(key: "created_by_id") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "retired_at") var retiredAt: Date?

    init() {}
}
