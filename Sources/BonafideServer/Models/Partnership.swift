import BonafideCore
import Fluent
import Foundation

// See Organization for why Fluent models are @unchecked Sendable.
final class Partnership: Model, @unchecked Sendable {
    static let schema = "partnerships"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Parent(key: "organization_id") var organization: Organization
    @OptionalParent(key: "partner_organization_id") var partner: Organization?
    @Enum(key: "status") var status: PartnershipStatus
    @OptionalField(key: "invited_email") var invitedEmail: String?
    @OptionalField(key: "invitation_secret_hash") var invitationSecretHash: String?
    @Parent(key: "created_by_id") var createdBy: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, organizationID: UUID, createdByID: UUID) {
        self.name = name
        self.$organization.id = organizationID
        self.status = .active
        self.$createdBy.id = createdByID
    }

    func side(of organizationID: UUID) -> Bool {
        $organization.id == organizationID || $partner.id == organizationID
    }

    func otherSide(of organizationID: UUID) -> UUID? {
        $organization.id == organizationID ? $partner.id : $organization.id
    }
}
