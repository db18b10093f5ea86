import Fluent
import Foundation

enum SupportPriority: String, Codable, Sendable, CaseIterable {
    case normal
    case urgent

    var label: String {
        switch self {
        case .normal: "Normal"
        case .urgent: "Urgent"
        }
    }
}
