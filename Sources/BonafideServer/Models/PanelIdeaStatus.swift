import Fluent
import Foundation

/// Where an idea stands with the organization.
enum PanelIdeaStatus: String, Codable, Sendable, CaseIterable {
    case proposed
    case planned
    case done
    case declined

    var label: String {
        switch self {
        case .proposed: "Proposed"
        case .planned: "Planned"
        case .done: "Done"
        case .declined: "Declined"
        }
    }
}
