import BonafideCore
import Fluent
import Foundation

/// One entry of a partnership's timeline: every state change appends one, in the same transaction.
final class PartnershipEvent: Model, @unchecked Sendable {
    static let schema = "partnership_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @OptionalParent(key: "actor_id") var actor: User?
    @Field(key: "kind") var kind: String
    @Field(key: "summary") var summary: String
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "commitment_id") var commitmentID: UUID?
    @OptionalField(key: "incident_id") var incidentID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(
        partnershipID: UUID, actorID: UUID?, kind: String, summary: String, reason: String? = nil,
        commitmentID: UUID? = nil, at date: Date
    ) {
        self.$partnership.id = partnershipID
        self.$actor.id = actorID
        self.kind = kind
        self.summary = summary
        self.reason = reason
        self.commitmentID = commitmentID
        self.createdAt = date
    }
}
