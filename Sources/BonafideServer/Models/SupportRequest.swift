import Fluent
import Foundation

/// A question or problem one organization (the requester) brings to another (the provider), answered in a thread.
/// The first answer is measured against the provider's promise (`dueAt`), which is what its figures and the
/// requester's trust in it are made of.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class SupportRequest: Model, @unchecked Sendable {
    static let schema = "support_requests"

    @ID(key: .id) var id: UUID?
    @Parent(key: "provider_organization_id") var provider: Organization
    @Parent(key: "requester_organization_id") var requester: Organization
    @OptionalParent(key: "requester_id") var requesterUser: User?
    @OptionalParent(key: "partnership_id") var partnership: Partnership?
    @Field(key: "subject") var subject: String
    /// Plain text, shown escaped.
    @Field(key: "body") var body: String
    @Enum(key: "priority") var priority: SupportPriority
    @Enum(key: "status") var status: SupportStatus
    /// The promise `dueAt` was computed from, in words ("1 working day"), kept as it was when the request was opened.
    @Field(key: "promise") var promise: String
    @Field(key: "created_at") var createdAt: Date
    /// When the first answer is due.
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "first_response_at") var firstResponseAt: Date?
    @OptionalParent(key: "first_response_by") var firstResponseBy: User?
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    /// The first answer came (or has not come) after `dueAt`: set by the answer or by the sweep, never unset.
    @Field(key: "late") var late: Bool

    init() {}
}
