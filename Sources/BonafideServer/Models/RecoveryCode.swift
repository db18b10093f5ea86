import Fluent
import Foundation

// Fluent models are reference types the compiler cannot check for sendability; each instance is confined to
// one request's task, hence @unchecked.

/// One of ten single-use codes that sign in when the authenticator app is lost; only a SHA-256 is kept.
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
