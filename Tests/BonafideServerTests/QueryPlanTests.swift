import FluentKit
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// Statements run on every post or page view that once read a whole table: each must reach its rows through an
/// index. SQLite's plans are read here (PostgreSQL plans from its own statistics, and reads what it reads there).
@Suite struct QueryPlanTests {
    struct Step: Decodable { var detail: String }

    /// The steps of the statement's plan, as `EXPLAIN QUERY PLAN` names them.
    private func plan(_ statement: SQLQueryString, on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("EXPLAIN QUERY PLAN \(statement)").all(decoding: Step.self).map(\.detail)
    }

    /// The steps that read a whole table or index ("SCAN messages", "SCAN i USING COVERING INDEX ..."; SQLite names a
    /// table by its alias when it has one), but the one constant row a statement without FROM is read from.
    private func wholeReads(in steps: [String]) -> [String] {
        steps.filter { $0.hasPrefix("SCAN ") && $0 != "SCAN CONSTANT ROW" }
    }

    @Test func everyPostAndPageViewReachesItsRowsThroughAnIndex() async throws {
        guard !isPostgres else { return }
        try await withTestApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let (a, b, c) = (UUID(), UUID(), UUID())
            let answering = try await plan(Messages.answeringOpenRequests(in: a, of: b, from: c, at: Date()), on: sql)
            #expect(wholeReads(in: answering).isEmpty, "\(answering)")
            // Only the partnership's open requests: not its every message by the index on (partnership, time).
            #expect(answering.contains { $0.contains("messages_requests") }, "\(answering)")
            let checkIns = try await plan(CheckInSeries.rowsQuery(of: a), on: sql)
            #expect(wholeReads(in: checkIns).isEmpty, "\(checkIns)")
            // The newest document events by the partial index, in its order: not every event of the partnership.
            let documentLog = try await plan(DocumentsCard.logQuery(of: a), on: sql)
            #expect(documentLog.contains { $0.contains("events_partnership_documents") }, "\(documentLog)")
            #expect(!documentLog.contains { $0.contains("TEMP B-TREE") }, "\(documentLog)")
            let checklist = try await plan(Onboarding.checklist(of: a), on: sql)
            #expect(wholeReads(in: checklist).isEmpty, "\(checklist)")
        }
    }
}
