import Fluent
import Foundation

enum OutboxStatus: String, Codable, Sendable {
    /// Waiting for the SMTP sender (or for a mail server to be configured).
    case queued
    /// Accepted by the mail server.
    case sent
    /// Refused for good by the mail server, or still failing after every retry.
    case failed
    /// A notification the person wants in their daily digest, not yet in one.
    case digest
    /// Went out as part of a digest mail.
    case digested
}
