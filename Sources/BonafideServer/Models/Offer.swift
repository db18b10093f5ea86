import Fluent
import Foundation

/// An offer or early access an organization makes to those it works with: partners or a circle, optionally only
/// those it has known for long enough, each told with a line about their own relationship.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class Offer: Model, @unchecked Sendable {
    static let schema = "offers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    /// Markdown. Not called `description`: that is every model's `CustomStringConvertible` text.
    @Field(key: "details") var details: String
    @Enum(key: "kind") var kind: OfferKind
    @Enum(key: "audience") var audience: Audience
    /// Only organizations whose relationship with the offering one is at least this many days old.
    @Field(key: "min_relationship_days") var minRelationshipDays: Int
    /// The note every recipient reads after the line about their own relationship; may be empty.
    @Field(key: "personal_note") var personalNote: String
    @OptionalParent(key: "linked_event_id") var linkedEvent: LiveEvent?
    @OptionalParent(key: "linked_document_id") var linkedDocument: Document?
    @Field(key: "valid_until") var validUntil: Date
    @Enum(key: "status") var status: OfferStatus
    @OptionalParent(key: "created_by") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
