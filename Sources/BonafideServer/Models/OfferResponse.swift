import Fluent
import Foundation

/// One organization's answer to an offer: at most one per organization (a unique index holds it).
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class OfferResponse: Model, @unchecked Sendable {
    static let schema = "offer_responses"

    @ID(key: .id) var id: UUID?
    @Parent(key: "offer_id") var offer: Offer
    @Parent(key: "organization_id") var organization: Organization
    @Enum(key: "status") var status: OfferDecision
    @Field(key: "note") var note: String
    /// The commitment an accepted offer became, when the two had a partnership to hold it.
    @OptionalParent(key: "commitment_id") var commitment: Commitment?
    @OptionalParent(key: "decided_by") var decidedBy: User?
    @Field(key: "decided_at") var decidedAt: Date

    init() {}
}
