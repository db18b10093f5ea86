import Fluent
import Foundation

// Fluent models are reference types with property wrappers; @unchecked Sendable because each instance is
// used by one request or job at a time and never shared while mutable.

enum SurveyKind: String, Codable, Sendable, CaseIterable {
    case nps, csat

    var scale: ClosedRange<Int> { self == .nps ? 0...10 : 1...5 }

    var defaultQuestion: String {
        switch self {
        case .nps: "How likely are you to recommend us to a friend or colleague?"
        case .csat: "How satisfied are you with our work together?"
        }
    }
}
