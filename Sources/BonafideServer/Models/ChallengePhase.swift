import Foundation

/// Where a challenge stands in its time box: entries are taken only while it is open.
enum ChallengePhase: String, Codable, Sendable, CaseIterable {
    case upcoming
    case open
    case closed

    var label: String {
        switch self {
        case .upcoming: "Opens soon"
        case .open: "Open for entries"
        case .closed: "Closed"
        }
    }
}
