import Fluent
import Foundation

/// A signed-in browser. The cookie holds a random secret; only its SHA-256 is stored, so a copy of the
/// database signs nobody in. Ends after 14 idle days or 90 days in all, on sign-out, or when ended from Settings.
// Fluent models are reference types the compiler cannot check for sendability; each instance is confined to
// one request's task, hence @unchecked.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"
    static let idleLifetime: TimeInterval = 14 * 86_400
    static let absoluteLifetime: TimeInterval = 90 * 86_400
    /// Between the password and the second factor.
    static let pendingLifetime: TimeInterval = 10 * 60

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: User
    /// The password was right but the second factor is still to come: not signed in yet.
    @Field(key: "pending_second_factor") var pendingSecondFactor: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "user_agent") var userAgent: String
    @Field(key: "ip") var ip: String
    /// The form token and values shown once on the next page (a new token, an invitation link).
    @Field(key: "data") var data: [String: String]

    init() {}

    func isExpired(at now: Date) -> Bool {
        if pendingSecondFactor { return now.timeIntervalSince(createdAt) > Self.pendingLifetime }
        return now.timeIntervalSince(lastSeenAt) > Self.idleLifetime || now.timeIntervalSince(createdAt) > Self.absoluteLifetime
    }
}
