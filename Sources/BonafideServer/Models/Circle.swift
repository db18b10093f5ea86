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

// See Organization for why Fluent models are @unchecked Sendable.
final class CirclePlacement: Model, @unchecked Sendable {
    static let schema = "circle_placements"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Parent(key: "member_id") var member: Organization
    @Enum(key: "circle") var circle: Circle
    @Field(key: "note") var note: String
    @Parent(key: "placed_by") var placedBy: User
    @Field(key: "placed_at") var placedAt: Date

    init() {}
}

final class Testimonial: Model, @unchecked Sendable {
    static let schema = "testimonials"

    @ID(key: .id) var id: UUID?
    @Parent(key: "author_organization_id") var author: Organization
    @Parent(key: "subject_organization_id") var subject: Organization
    /// The partnership in which the subject delivered work to the author: what entitles the author to speak.
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "text") var text: String
    @Field(key: "sentiment") var sentiment: Double
    @Field(key: "drivers") var drivers: String
    @Parent(key: "written_by") var writtenBy: User
    @Field(key: "written_at") var writtenAt: Date

    init() {}
}
