import Fluent
import Foundation

/// A standing feedback panel ("feedback committee") of an organization: customers and partners it invited propose
/// ideas, vote and comment; the organization decides and says what it did.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class FeedbackPanel: Model, @unchecked Sendable {
    static let schema = "feedback_panels"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    @Field(key: "purpose") var purpose: String
    @Enum(key: "status") var status: PanelStatus
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
