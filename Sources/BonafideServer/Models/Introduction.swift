import Fluent
import Foundation

/// A request to be introduced to an organization through a contact both know, who accepts (with a personal note
/// to the target) or declines.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class Introduction: Model, @unchecked Sendable {
    static let schema = "introductions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "requester_organization_id") var requester: Organization
    @Parent(key: "requested_by") var requestedBy: User
    @Parent(key: "target_organization_id") var target: Organization
    @Parent(key: "via_organization_id") var via: Organization
    @Field(key: "message") var message: String
    @Enum(key: "status") var status: IntroductionStatus
    /// Part of a run of near-identical requests to many organizations.
    @Field(key: "blast") var blast: Bool
    @OptionalField(key: "introducer_note") var introducerNote: String?
    @OptionalParent(key: "decided_by") var decidedBy: User?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
