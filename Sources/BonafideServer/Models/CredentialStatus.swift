import Fluent
import Foundation

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
