import Fluent
import Foundation

/// One part of an organization's profile and who may read it. Sections backed by the organization's own fields
/// (about, capabilities, limitations, known risks, languages, working hours) keep only their audience here.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class ProfileSection: Model, @unchecked Sendable {
    static let schema = "profile_sections"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "name") var name: String
    @Field(key: "title") var title: String
    @Field(key: "content") var content: String
    @Enum(key: "audience") var audience: Audience
    @Field(key: "updated_at") var updatedAt: Date
    @Parent(key: "updated_by") var updatedBy: User

    init() {}
}
