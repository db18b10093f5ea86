import Fluent
import Foundation

/// Every confirmation request a holder sent an issuer, kept when the credential is deleted so that deleting and
/// adding it again does not reset the limits.
final class CredentialRequest: Model, @unchecked Sendable {
    static let schema = "credential_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "holder_id") var holderID: UUID
    @Field(key: "issuer_id") var issuerID: UUID
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "declined_at") var declinedAt: Date?

    init() {}
}
