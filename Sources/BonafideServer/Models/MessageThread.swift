import BonafideCore
import Fluent
import Foundation

final class MessageThread: Model, @unchecked Sendable {
    static let schema = "message_threads"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "subject") var subject: String
    @Parent(key: "created_by_id") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_message_at") var lastMessageAt: Date

    init() {}
}
