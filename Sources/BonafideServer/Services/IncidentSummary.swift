import BonafideCore
import Fluent
import Foundation
import SQLKit

/// An incident as a partnership page and the dashboards list it: its title, sides, severity, state and the facts its
/// handling is judged on, decoded straight into values. The page read each incident as a model joined with the whole
/// user row of who raised it, which it never shows.
struct IncidentSummary: Decodable, Sendable {
    var id: UUID
    var partnershipId: UUID
    var title: String
    var responsibleOrganizationId: UUID
    var selfReported: Bool
    var severity: IncidentSeverity
    var status: IncidentStatus
    var raisedAt: Date
    var acknowledgedAt: Date?
    var resolvedAt: Date?
    var closedAt: Date?
    var rootCause: String?
    var improvementPlan: String?
    var reopenCount: Int
    var reopenedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, title, severity, status
        case partnershipId = "partnership_id"
        case responsibleOrganizationId = "responsible_organization_id", selfReported = "self_reported"
        case raisedAt = "raised_at", acknowledgedAt = "acknowledged_at", resolvedAt = "resolved_at", closedAt = "closed_at"
        case rootCause = "root_cause", improvementPlan = "improvement_plan", reopenCount = "reopen_count"
        case reopenedAt = "reopened_at"
    }

    /// What `IncidentLifecycle` decides on, as `Incident.state` gives it.
    var state: IncidentState {
        IncidentState(
            status: status, severity: severity, raisedAt: raisedAt, selfReported: selfReported, acknowledgedAt: acknowledgedAt,
            resolvedAt: resolvedAt, closedAt: closedAt, rootCause: rootCause, improvementPlan: improvementPlan,
            reopenCount: reopenCount, reopenedAt: reopenedAt)
    }

    /// The partnership's incidents, newest raised first, at most 500 (as `Incidents.list(in:on:)`).
    static func all(in partnershipID: UUID, on db: any Database) async throws -> [IncidentSummary] {
        try await db.sql().raw(
            """
            SELECT id, partnership_id, title, responsible_organization_id, self_reported, severity, status, raised_at, acknowledged_at,
                   resolved_at, closed_at, root_cause, improvement_plan, reopen_count, reopened_at
            FROM incidents
            WHERE partnership_id = \(bind: partnershipID)
            ORDER BY raised_at DESC
            LIMIT 500
            """
        ).all().map(IncidentSummary.init(row:))
    }
}
