import Fluent
import Foundation

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
