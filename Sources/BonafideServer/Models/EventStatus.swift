import Foundation

/// Whether an event still takes place. A cancelled one keeps its registrations and questions, for the record.
enum EventStatus: String, Codable, Sendable, CaseIterable {
    case scheduled
    case cancelled

    var label: String {
        switch self {
        case .scheduled: "Scheduled"
        case .cancelled: "Cancelled"
        }
    }
}
