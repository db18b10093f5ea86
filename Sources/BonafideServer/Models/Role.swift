import Fluent
import Foundation

enum Role: String, Codable, Sendable, CaseIterable {
    case owner, admin, member
    var canManage: Bool { self != .member }
}
