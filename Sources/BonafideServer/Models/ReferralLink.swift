import Fluent
import Foundation

/// A link to an organization's trusted-referral circle as a page a client can open without an account. Only the
/// token's digest is stored; the link is shown once.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class ReferralLink: Model, @unchecked Sendable {
    static let schema = "referral_links"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "token_hash") var tokenHash: String
    /// Whom it is for and what to say to them ("For Bakery Ltd: people we trust for your relaunch").
    @Field(key: "note") var note: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @Field(key: "views") var views: Int
    @OptionalField(key: "last_viewed_at") var lastViewedAt: Date?
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
