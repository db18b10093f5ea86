import Fluent
import Foundation

/// One organization's public thank-you to another (a partner, past or present, or one it keeps in its circles),
/// shown on the thanked one's profile only once that organization consents. Named `ThankYou` because `Thanks` is
/// the service that gives, decides and lists them.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class ThankYou: Model, @unchecked Sendable {
    static let schema = "thanks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "from_organization_id") var fromOrganization: Organization
    @Parent(key: "to_organization_id") var toOrganization: Organization
    /// Plain text, shown escaped, never as Markdown: a line of thanks needs no markup.
    @Field(key: "text") var text: String
    @Enum(key: "status") var status: ThanksStatus
    @OptionalParent(key: "written_by") var writtenBy: User?
    @Field(key: "created_at") var createdAt: Date
    @OptionalParent(key: "decided_by") var decidedBy: User?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}
}
