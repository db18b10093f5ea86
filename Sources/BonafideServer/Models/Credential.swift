import Fluent
import Foundation

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
