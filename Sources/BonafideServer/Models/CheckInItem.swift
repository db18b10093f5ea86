import BonafideCore
import Fluent
import Foundation

/// An agenda point for a meeting (before) or its notes (after), by either side.
final class CheckInItem: Model, @unchecked Sendable {
    // @unchecked: see CheckIn.
    static let schema = "check_in_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "check_in_id") var checkIn: CheckIn
    @Field(key: "occurs_at") var occursAt: Date
    @Field(key: "kind") var kind: String
    @Parent(key: "author_id") var author: User
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
