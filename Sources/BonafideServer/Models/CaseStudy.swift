import Fluent
import Foundation

/// What one organization tells of its work with a partner, tied to a real partnership's completed commitments and
/// published only once the partner confirms it (possibly in the partner's own words).
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class CaseStudy: Model, @unchecked Sendable {
    static let schema = "case_studies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "author_organization_id") var author: Organization
    @Parent(key: "partner_organization_id") var partner: Organization
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Enum(key: "status") var status: CaseStudyStatus
    @OptionalField(key: "partner_note") var partnerNote: String?
    /// The partner confirmed it with their own changes to the text.
    @Field(key: "edited_by_partner") var editedByPartner: Bool
    @OptionalParent(key: "written_by") var writtenBy: User?
    @Field(key: "created_at") var createdAt: Date
    @OptionalParent(key: "decided_by") var decidedBy: User?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "withdrawn_by_organization_id") var withdrawnBy: UUID?
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}
}
