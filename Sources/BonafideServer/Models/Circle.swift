import Fluent
import Foundation

/// How close an organization keeps another, from the loosest to the closest; the closer, the more trust it expresses.
enum Circle: String, Codable, Sendable, CaseIterable, Comparable {
    case follow
    case connected
    case collaborator
    case trustedReferral = "trusted-referral"

    var title: String {
        switch self {
        case .follow: "Following"
        case .connected: "Connected"
        case .collaborator: "Collaborators"
        case .trustedReferral: "Trusted referrals"
        }
    }

    /// What placing someone here says, as trust evidence: 0 for following (interest, not trust) up to 1.
    var closeness: Double { Double(Self.allCases.firstIndex(of: self)!) / Double(Self.allCases.count - 1) }

    static func < (a: Circle, b: Circle) -> Bool { a.closeness < b.closeness }
}
