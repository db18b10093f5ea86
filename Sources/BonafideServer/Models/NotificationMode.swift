import BonafideCore
import Fluent
import Foundation

/// How a person wants one kind of notification by mail.
enum NotificationMode: String, Codable, Sendable, CaseIterable {
    case immediately, digest, off

    var label: String {
        switch self {
        case .immediately: "Immediately"
        case .digest: "In the daily digest"
        case .off: "Not by mail"
        }
    }
}
