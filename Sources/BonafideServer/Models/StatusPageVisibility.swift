import Fluent
import Foundation

/// Who may see an organization's status page.
enum StatusPageVisibility: String, Codable, Sendable, CaseIterable {
    case off, `public`, partners, connected, collaborator
    case trustedReferral = "trusted-referral"

    var label: String {
        switch self {
        case .off: "Off"
        case .public: "Everyone, without signing in"
        case .partners: "The organizations you have partnerships with"
        case .connected: "Organizations in your connected circle or closer"
        case .collaborator: "Organizations in your collaborator circle or closer"
        case .trustedReferral: "Organizations in your trusted referral circle"
        }
    }

    /// Who sees the page, in the terms every shared thing uses; nil when it is off.
    var audience: Audience? {
        switch self {
        case .off: nil
        case .public: .public
        case .partners: .partners
        case .connected: .connected
        case .collaborator: .collaborator
        case .trustedReferral: .trustedReferral
        }
    }
}
