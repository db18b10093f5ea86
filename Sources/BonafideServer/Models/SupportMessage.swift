import Fluent
import Foundation

/// One message in a support request's thread, from either side.
// @unchecked: as above.
final class SupportMessage: Model, @unchecked Sendable {
    static let schema = "support_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "request_id") var request: SupportRequest
    @Parent(key: "organization_id") var organization: Organization
    @OptionalParent(key: "author_id") var author: User?
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
