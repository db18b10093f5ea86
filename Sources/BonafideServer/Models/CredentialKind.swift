import Fluent
import Foundation

/// What kind of standing a credential documents.
enum CredentialKind: String, Codable, Sendable, CaseIterable {
    case certification, license, insurance, membership, award

    var title: String {
        switch self {
        case .certification: "Certification"
        case .license: "Licence"
        case .insurance: "Insurance"
        case .membership: "Membership"
        case .award: "Award"
        }
    }
}
