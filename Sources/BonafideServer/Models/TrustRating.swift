import Fluent
import Foundation

// Fluent models are reference types with property wrappers; @unchecked Sendable because each instance is
// used by one request or job at a time and never shared while mutable.

final class TrustRating: Model, @unchecked Sendable {
    static let schema = "trust_ratings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "rater_organization_id") var rater: Organization
    @Parent(key: "subject_organization_id") var subject: Organization
    @Field(key: "rating") var rating: Int
    @Field(key: "comment") var comment: String
    @Parent(key: "author_id") var author: User
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
