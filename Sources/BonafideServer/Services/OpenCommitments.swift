import BonafideCore
import Fluent
import Foundation
import SQLKit

/// What is open in each of some partnerships, counted by the database: the partnerships list showed it by decoding
/// every open commitment of the page's fifty partnerships as a model (thousands of rows at a hundred times the demo).
struct OpenCommitments: Sendable {
    var open: Int
    var atRisk: Int
    /// Missed, or accepted and past due.
    var overdue: Int
    /// The earliest due date still ahead among those proposed or accepted.
    var nextDue: Date?

    private struct Row: Decodable {
        var partnership_id: UUID
        var open: Int
        var at_risk: Int
        var overdue: Int
        var next_due: Date?
    }

    static let statuses: [CommitmentStatus] = [.proposed, .accepted, .delivered, .missed]

    static func counts(in partnerships: [UUID], at now: Date, on db: any Database) async throws -> [UUID: OpenCommitments] {
        guard !partnerships.isEmpty else { return [:] }
        let statuses = SQLList(Self.statuses.map { SQLBind($0.rawValue) })
        let rows = try await db.sql().raw(
            """
            SELECT partnership_id, COUNT(*) AS open,
                   SUM(CASE WHEN at_risk THEN 1 ELSE 0 END) AS at_risk,
                   SUM(CASE WHEN status = \(bind: CommitmentStatus.missed.rawValue)
                            OR (status = \(bind: CommitmentStatus.accepted.rawValue) AND due_at <= \(bind: now)) THEN 1 ELSE 0 END) AS overdue,
                   MIN(CASE WHEN status IN (\(bind: CommitmentStatus.accepted.rawValue), \(bind: CommitmentStatus.proposed.rawValue))
                            AND due_at > \(bind: now) THEN due_at END) AS next_due
            FROM commitments
            WHERE partnership_id IN (\(SQLList(partnerships.map { SQLBind($0) }))) AND status IN (\(statuses))
            GROUP BY partnership_id
            """
        ).all(decoding: Row.self)
        return Dictionary(
            rows.map { ($0.partnership_id, OpenCommitments(open: $0.open, atRisk: $0.at_risk, overdue: $0.overdue, nextDue: $0.next_due)) },
            uniquingKeysWith: { a, _ in a })
    }
}
