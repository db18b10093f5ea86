import Fluent
import Foundation

/// An organization key's private half sealed (HPKE) to one member's vault key.
final class VaultGrant: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "vault_grants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_key_id") var organizationKey: VaultOrganizationKey
    @Parent(key: "user_id") var user: User
    @Field(key: "sealed") var sealed: String
    @OptionalParent(key: "granted_by_id") var grantedBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
