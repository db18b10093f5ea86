import Fluent
import Foundation

final class TrustPending: Model, @unchecked Sendable {
    static let schema = "trust_pending"

    @ID(key: .id) var id: UUID?
    @Parent(key: "viewer_organization_id") var viewer: Organization
    @Parent(key: "subject_organization_id") var subject: Organization
    @Field(key: "queued_at") var queuedAt: Date

    init() {}
}
