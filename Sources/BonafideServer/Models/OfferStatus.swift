import Fluent
import Foundation

enum OfferStatus: String, Codable, Sendable, CaseIterable {
    case open
    case withdrawn
}
