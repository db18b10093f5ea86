import BonafideCore
import Fluent
import Foundation
import SQLKit

extension Commitments {
    /// How many commitments an organization owned and saw accepted as complete, and how many of those it completed by
    /// their due date.
    struct CompletionRecord: Sendable, Equatable {
        var completed: Int
        var onTime: Int
    }

    /// Each organization's completion record, counted in the database: a search shows a line of figures per result,
    /// and loading every completed commitment of each (hundreds, as models) cost more than the rest of the search.
    /// Organizations with none are absent.
    static func completionRecords(ownedBy organizations: [UUID], on db: any Database) async throws -> [UUID: CompletionRecord] {
        struct Row: Decodable {
            var owner_organization_id: UUID
            var completed: Int
            var on_time: Int
        }
        let owners = Array(Set(organizations))
        guard !owners.isEmpty else { return [:] }
        let sql = try db.sql()
        var records: [UUID: CompletionRecord] = [:]
        // 500 binds a statement stay far below the parameter limits of both databases.
        for start in stride(from: 0, to: owners.count, by: 500) {
            let chunk = Array(owners[start..<min(start + 500, owners.count)])
            let rows = try await sql.select().column("owner_organization_id")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "completed")
                .column(SQLQueryString("COUNT(CASE WHEN completed_at IS NOT NULL AND completed_at <= due_at THEN 1 END)"), as: "on_time")
                .from(Commitment.schema).where("owner_organization_id", .in, chunk)
                .where("status", .equal, CommitmentStatus.completed.rawValue).groupBy("owner_organization_id")
                .all(decoding: Row.self)
            for r in rows { records[r.owner_organization_id] = CompletionRecord(completed: r.completed, onTime: r.on_time) }
        }
        return records
    }
}
