import BonafideCore
import Fluent
import Foundation

/// Something that went wrong in a partnership, raised by the affected side or disclosed by the responsible
/// one, and handled in the open: acknowledged, explained, fixed with an improvement plan, accepted.
// See Organization for why Fluent models are @unchecked Sendable.
final class Incident: Model, @unchecked Sendable {
    static let schema = "incidents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Parent(key: "responsible_organization_id") var responsible: Organization
    @Parent(key: "affected_organization_id") var affected: Organization
    @Parent(key: "raised_by") var raisedBy: User
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Enum(key: "severity") var severity: IncidentSeverity
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "raised_at") var raisedAt: Date
    @Field(key: "self_reported") var selfReported: Bool
    @Enum(key: "status") var status: IncidentStatus
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "root_cause") var rootCause: String?
    @OptionalField(key: "improvement_plan") var improvementPlan: String?
    @Field(key: "reopen_count") var reopenCount: Int
    @OptionalField(key: "reopened_at") var reopenedAt: Date?
    /// Set when the responsible side publishes its account (title, severity, dates, root cause, plan) on its profile.
    @OptionalField(key: "published_at") var publishedAt: Date?
    /// When the responsible side was reminded that the acknowledgement deadline is near.
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    /// The handling verdict once it is on the record ("handledOpenly", "mishandled", or "none" when the incident
    /// ended without one); nil while it can still change.
    @OptionalField(key: "verdict") var verdict: String?

    init() {}

    var state: IncidentState {
        get {
            IncidentState(
                status: status, severity: severity, raisedAt: raisedAt, selfReported: selfReported, acknowledgedAt: acknowledgedAt,
                resolvedAt: resolvedAt, closedAt: closedAt, rootCause: rootCause, improvementPlan: improvementPlan,
                reopenCount: reopenCount, reopenedAt: reopenedAt)
        }
        set {
            status = newValue.status
            acknowledgedAt = newValue.acknowledgedAt
            resolvedAt = newValue.resolvedAt
            closedAt = newValue.closedAt
            rootCause = newValue.rootCause
            improvementPlan = newValue.improvementPlan
            reopenCount = newValue.reopenCount
            reopenedAt = newValue.reopenedAt
        }
    }
}
