import BonafideCore
import Fluent
import Foundation

enum PartnershipStatus: String, Codable, Sendable, CaseIterable {
    case invited, active, declined, ended
}
