import Fluent
import Foundation

final class ServerKey: Model, @unchecked Sendable {
    static let schema = "server_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "secret") var secret: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
