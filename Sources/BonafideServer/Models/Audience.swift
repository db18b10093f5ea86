import Foundation

/// Who may see something an organization shares (a profile section, and more to come): from everyone to its
/// closest circle. Each level is one tuple in `Access`; the organization's own people always see everything.
enum Audience: String, Codable, Sendable, CaseIterable {
    case `public`
    case signedIn
    case partners
    case connected
    case collaborator
    case trustedReferral

    var label: String {
        switch self {
        case .public: "Everyone, without signing in"
        case .signedIn: "Anyone signed in to Bonafide"
        case .partners: "Organizations you have (or had) a partnership with"
        case .connected: "Your connected circle or closer"
        case .collaborator: "Your collaborator circle or closer"
        case .trustedReferral: "Your trusted referral circle"
        }
    }

    /// The tuple subject that holds this audience for an organization's thing.
    func grantee(of organization: UUID) -> String {
        let owner = "organization:\(Access.key(organization))"
        switch self {
        case .public: return "*"
        case .signedIn: return "user:*"
        case .partners: return "\(owner)#partnerMember"
        case .connected: return "\(owner)#connectedMember"
        case .collaborator: return "\(owner)#collaboratorMember"
        case .trustedReferral: return "\(owner)#trustedReferralMember"
        }
    }
}
