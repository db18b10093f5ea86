import Fluent
import Foundation

/// What kind of standing a credential documents.
enum CredentialKind: String, Codable, Sendable, CaseIterable {
    case certification, license, insurance, membership, award

    var title: String {
        switch self {
        case .certification: "Certification"
        case .license: "Licence"
        case .insurance: "Insurance"
        case .membership: "Membership"
        case .award: "Award"
        }
    }
}

/// Where a credential stands. Only `verified` (and unexpired) credentials count as evidence.
enum CredentialStatus: String, Codable, Sendable, CaseIterable {
    /// Stated by the holder; the issuer is not on Bonafide, so nobody has confirmed it.
    case claimed
    /// Waiting for the issuing organization to confirm it.
    case pending
    /// Confirmed by the issuing organization.
    case verified
    /// The issuing organization said it did not issue it.
    case declined
    /// Confirmed once, then withdrawn by the issuer.
    case revoked
}

// See Organization for why Fluent models are @unchecked Sendable.
final class Credential: Model, @unchecked Sendable {
    static let schema = "credentials"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var holder: Organization
    @Enum(key: "kind") var kind: CredentialKind
    @Field(key: "title") var title: String
    @Field(key: "issuer_name") var issuerName: String
    @OptionalParent(key: "issuer_organization_id") var issuer: Organization?
    @Field(key: "identifier") var identifier: String
    @OptionalField(key: "valid_until") var validUntil: Date?
    @Enum(key: "status") var status: CredentialStatus
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalParent(key: "decided_by") var decidedBy: User?
    @OptionalField(key: "decision_note") var decisionNote: String?
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func isExpired(at now: Date) -> Bool { validUntil.map { $0 < now } ?? false }
}
