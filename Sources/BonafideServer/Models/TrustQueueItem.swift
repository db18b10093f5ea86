import Fluent
import Foundation

/// A pair whose trust evidence changed since its last snapshot. `claimedUntil` is set while a server recomputes it:
/// past that moment (the server died) any server may take it again.
final class TrustQueueItem: Model, @unchecked Sendable {
    // @unchecked: Fluent models are mutable reference types; each instance stays within one task.
    static let schema = "trust_queue"

    @ID(key: .id) var id: UUID?
    @Parent(key: "viewer_organization_id") var viewer: Organization
    @Parent(key: "subject_organization_id") var subject: Organization
    @Field(key: "queued_at") var queuedAt: Date
    @OptionalField(key: "claimed_until") var claimedUntil: Date?

    init() {}
}
