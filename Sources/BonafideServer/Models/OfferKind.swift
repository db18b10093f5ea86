import Fluent
import Foundation

enum OfferKind: String, Codable, Sendable, CaseIterable {
    /// Something the offering side would do for the recipient: accepted, it becomes a commitment.
    case offer
    /// Early access to an event or document of the offering side: accepted, its link is revealed.
    case earlyAccess

    var label: String {
        switch self {
        case .offer: "Offer"
        case .earlyAccess: "Early access"
        }
    }
}
