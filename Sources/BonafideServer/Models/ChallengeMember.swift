import Fluent
import Foundation

/// Someone invited to a challenge from a CSV list, who takes part through a personal link without an account (the
/// link's token is kept only as a digest), or as the account that has confirmed the address.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class ChallengeMember: Model, @unchecked Sendable {
    static let schema = "challenge_members"

    @ID(key: .id) var id: UUID?
    @Parent(key: "challenge_id") var challenge: Challenge
    /// Normalized; unique per challenge.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// SHA-256 of the personal link's token (`Secrets.digest`); for an address an account had confirmed when it was
    /// invited, `Challenges.noLink` and a random id, which no token opens.
    @Field(key: "token_digest") var tokenDigest: String
    @Field(key: "invited_at") var invitedAt: Date

    init() {}
}
