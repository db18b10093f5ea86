import Fluent
import Foundation

/// An invitation for a colleague to join an organization with a role.
final class ColleagueInvitation: Model, @unchecked Sendable {
    static let schema = "colleague_invitations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "email") var email: String
    @Enum(key: "role") var role: Role
    @Field(key: "secret_hash") var secretHash: String
    @Parent(key: "invited_by_id") var invitedBy: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "accepted_at") var acceptedAt: Date?

    init() {}

    init(organizationID: UUID, email: String, role: Role, secretHash: String, invitedByID: UUID) {
        self.$organization.id = organizationID
        self.email = email
        self.role = role
        self.secretHash = secretHash
        self.$invitedBy.id = invitedByID
    }
}
