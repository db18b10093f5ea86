import Fluent
import Foundation

enum IntroductionStatus: String, Codable, Sendable {
    /// Waiting for the shared contact to decide.
    case requested
    case accepted
    case declined
    /// Never delivered: it read the same as the requester's other recent requests (a blast).
    case refused
}
