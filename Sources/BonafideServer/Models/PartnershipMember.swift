import BonafideCore
import Fluent
import Foundation

final class PartnershipMember: Model, @unchecked Sendable {
    static let schema = "partnership_members"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Parent(key: "user_id") var user: User
    @Parent(key: "organization_id") var organization: Organization
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(partnershipID: UUID, userID: UUID, organizationID: UUID) {
        self.$partnership.id = partnershipID
        self.$user.id = userID
        self.$organization.id = organizationID
    }
}
