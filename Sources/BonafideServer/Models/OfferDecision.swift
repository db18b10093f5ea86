import Fluent
import Foundation

enum OfferDecision: String, Codable, Sendable, CaseIterable {
    case accepted
    case declined
}
