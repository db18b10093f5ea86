import BonafideCore
import Fluent
import Foundation

final class Notification: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "text") var text: String
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}

    init(userID: UUID, text: String, link: String, at date: Date) {
        self.$user.id = userID
        self.text = text
        self.link = link
        self.createdAt = date
    }
}
