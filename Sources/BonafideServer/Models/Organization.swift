import Fluent
import Foundation

// Fluent models are reference types with property wrappers the compiler cannot check for
// sendability; each instance is confined to one request's task, hence @unchecked.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "capabilities") var capabilities: [String]
    @Field(key: "limitations") var limitations: [String]
    @Field(key: "risks") var risks: [String]
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "languages") var languages: [String]
    @Field(key: "work_start_minute") var workStartMinute: Int
    @Field(key: "work_end_minute") var workEndMinute: Int
    @Field(key: "work_days") var workDays: [Int]
    /// Whether the tone of partnership messages is analysed for this organization's people (opt-in).
    @Field(key: "message_sentiment") var messageSentiment: Bool
    /// Members must sign in with a second factor (TOTP or a passkey); set by owners.
    @Field(key: "require_two_factor") var requireTwoFactor: Bool
    /// Who may see the status page (`StatusPageVisibility`); "off" until its owners choose.
    @Field(key: "status_page") var statusPageText: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, timeZone: String) {
        self.name = name
        self.description = ""
        self.capabilities = []
        self.limitations = []
        self.risks = []
        self.timeZone = timeZone
        self.languages = []
        self.workStartMinute = 9 * 60
        self.workEndMinute = 17 * 60
        self.workDays = [1, 2, 3, 4, 5]
        self.messageSentiment = false
        self.requireTwoFactor = false
        self.statusPageText = StatusPageVisibility.off.rawValue
    }
}

enum Role: String, Codable, Sendable, CaseIterable {
    case owner, admin, member
    var canManage: Bool { self != .member }
}

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

/// A bearer token for the API and CLI; only a SHA-256 of the secret is kept.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "secret_hash") var secretHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    /// Where it was last used from, so an unknown address stands out in Settings.
    @OptionalField(key: "last_used_ip") var lastUsedIP: String?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userID: UUID, name: String, prefix: String, secretHash: String) {
        self.$user.id = userID
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
    }
}

/// An invitation for a colleague to join an organization with a role.
final class ColleagueInvitation: Model, @unchecked Sendable {
    static let schema = "colleague_invitations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "email") var email: String
    @Enum(key: "role") var role: Role
    @Field(key: "secret_hash") var secretHash: String
    @Parent(key: "invited_by_id") var invitedBy: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "accepted_at") var acceptedAt: Date?

    init() {}

    init(organizationID: UUID, email: String, role: Role, secretHash: String, invitedByID: UUID) {
        self.$organization.id = organizationID
        self.email = email
        self.role = role
        self.secretHash = secretHash
        self.$invitedBy.id = invitedByID
    }
}
