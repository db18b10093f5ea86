import Foundation

/// Where a thank-you stands: nobody but its two organizations sees it until the one thanked agrees to show it.
enum ThanksStatus: String, Codable, Sendable, CaseIterable {
    case awaitingConsent
    case shown
    case declined
    case withdrawn

    var label: String {
        switch self {
        case .awaitingConsent: "Waiting for consent"
        case .shown: "Shown on the profile"
        case .declined: "Declined"
        case .withdrawn: "Withdrawn"
        }
    }

    /// How a refusal says it was settled: "This thank-you was already declined."
    var settled: String {
        switch self {
        case .awaitingConsent: "is still waiting for consent"
        case .shown: "was already accepted and is shown"
        case .declined: "was already declined"
        case .withdrawn: "was withdrawn"
        }
    }
}
