import Fluent
import Foundation

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "time_zone") var timeZone: String
    @Parent(key: "organization_id") var organization: Organization
    @Enum(key: "role") var role: Role
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// When the person proved they read mail at `email`; nil until then (and again after a change of address).
    @OptionalField(key: "email_verified_at") var emailVerifiedAt: Date?
    @OptionalField(key: "password_changed_at") var passwordChangedAt: Date?
    /// The TOTP secret, sealed with the server's key (`SecretBox`); nil without an authenticator app.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// Set once the person proved the app works; until then the secret is only a proposal.
    @OptionalField(key: "totp_confirmed_at") var totpConfirmedAt: Date?
    /// The last time step a code was accepted for: a code is good once, and never for an earlier step.
    @OptionalField(key: "totp_last_counter") var totpLastCounter: Int64?

    init() {}

    init(email: String, name: String, passwordHash: String, timeZone: String, organizationID: UUID, role: Role) {
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.timeZone = timeZone
        self.$organization.id = organizationID
        self.role = role
    }
}
