import BonafideCore
import Foundation
import SQLKit

extension IncidentSummary {
    /// An incident row read column by column (`SQLRow+Columns`), as `all(decoding:)` read it through `SQLRowDecoder`:
    /// the dashboard's and the partnership page's incidents. `DashboardReadsTests` compares the two.
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        partnershipId = try row.decodeUUID(column: "partnership_id")
        title = try row.decode(column: "title", as: String.self)
        responsibleOrganizationId = try row.decodeUUID(column: "responsible_organization_id")
        selfReported = try row.decode(column: "self_reported", as: Bool.self)
        let severityName = try row.decode(column: "severity", as: String.self)
        guard let severity = IncidentSeverity(rawValue: severityName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown incident severity \"\(severityName)\"."))
        }
        self.severity = severity
        let statusName = try row.decode(column: "status", as: String.self)
        guard let status = IncidentStatus(rawValue: statusName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown incident status \"\(statusName)\"."))
        }
        self.status = status
        raisedAt = try row.decode(column: "raised_at", as: Date.self)
        acknowledgedAt = try row.decodeIfPresent(column: "acknowledged_at", as: Date.self)
        resolvedAt = try row.decodeIfPresent(column: "resolved_at", as: Date.self)
        closedAt = try row.decodeIfPresent(column: "closed_at", as: Date.self)
        rootCause = try row.decodeIfPresent(column: "root_cause", as: String.self)
        improvementPlan = try row.decodeIfPresent(column: "improvement_plan", as: String.self)
        reopenCount = try row.decode(column: "reopen_count", as: Int.self)
        reopenedAt = try row.decodeIfPresent(column: "reopened_at", as: Date.self)
    }
}
