import Foundation

/// Where a case study stands: nobody but its two sides sees it until the partner confirms it.
enum CaseStudyStatus: String, Codable, Sendable, CaseIterable {
    case awaitingPartner
    case confirmed
    case declined
    case withdrawn

    var label: String {
        switch self {
        case .awaitingPartner: "Waiting for the partner to confirm"
        case .confirmed: "Confirmed"
        case .declined: "Declined by the partner"
        case .withdrawn: "Withdrawn"
        }
    }
}
