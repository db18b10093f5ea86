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

    /// The owner's relation whose people form the audience; nil for the two that need no relation.
    var memberRelation: String? {
        switch self {
        case .public, .signedIn: nil
        case .partners: "partnerMember"
        case .connected: "connectedMember"
        case .collaborator: "collaboratorMember"
        case .trustedReferral: "trustedReferralMember"
        }
    }

    /// The tuple subject that holds this audience for an organization's thing.
    func grantee(of organization: UUID) -> String {
        switch self {
        case .public: "*"
        case .signedIn: "user:*"
        default: "organization:\(Access.key(organization))#\(memberRelation ?? "")"
        }
    }

    /// The audience of a circle and the closer ones; nil for following, which grants nothing.
    init?(circle: Circle) {
        switch circle {
        case .follow: return nil
        case .connected: self = .connected
        case .collaborator: self = .collaborator
        case .trustedReferral: self = .trustedReferral
        }
    }

    /// The audience a stored grantee stands for.
    init?(grantee: String) {
        if grantee == "*" {
            self = .public
        } else if grantee == "user:*" {
            self = .signedIn
        } else if let match = Self.allCases.first(where: { a in a.memberRelation.map { grantee.hasSuffix("#\($0)") } ?? false }) {
            self = match
        } else {
            return nil
        }
    }
}
