import Fluent
import Foundation

/// A time-boxed prompt an organization puts to a community it chooses (its partners, a circle, everyone): people
/// answer with one entry each between `opensAt` and `closesAt`, and the organization highlights the entries that stand
/// out.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class Challenge: Model, @unchecked Sendable {
    static let schema = "challenges"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    /// Markdown.
    @Field(key: "prompt") var prompt: String
    @Field(key: "opens_at") var opensAt: Date
    @Field(key: "closes_at") var closesAt: Date
    /// When the organization closed it before `closesAt`; nil while it runs its full time.
    @OptionalField(key: "closed_at") var closedAt: Date?
    /// The organizer's IANA zone: the time box is spoken of in it to people without an account.
    @Field(key: "time_zone") var timeZone: String
    @Enum(key: "audience") var audience: Audience
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
