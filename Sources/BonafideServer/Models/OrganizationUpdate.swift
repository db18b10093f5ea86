import Fluent
import Foundation

/// News an organization shares with an audience it chooses (partners, a circle, everyone, or organizations it names):
/// written in Markdown, delivered in the app, by mail and, when public, in an Atom feed.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class OrganizationUpdate: Model, @unchecked Sendable {
    static let schema = "organization_updates"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Enum(key: "audience") var audience: UpdateAudience
    @OptionalParent(key: "written_by") var writtenBy: User?
    @Field(key: "published_at") var publishedAt: Date
    /// People told of it when it was published, and their organizations: the start of its figures, kept because
    /// who may read it (and who works there) changes afterwards.
    @Field(key: "reached") var reached: Int
    @Field(key: "reached_organizations") var reachedOrganizations: Int

    init() {}
}
