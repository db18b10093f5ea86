import Fluent
import Foundation

/// Where a request stands: waiting for the provider, answered (waiting for the requester), or settled.
enum SupportStatus: String, Codable, Sendable, CaseIterable {
    case open
    case answered
    case resolved

    var label: String {
        switch self {
        case .open: "Waiting for an answer"
        case .answered: "Answered"
        case .resolved: "Resolved"
        }
    }
}
