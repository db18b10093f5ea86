import BonafideCore
import Fluent
import Foundation
import SQLKit

extension TrustService {
    /// A stored snapshot as a trust panel reads it, with whether the pair waits for the background recompute.
    private struct PanelRow: Decodable {
        var computed_at: Date
        var expectation: Double
        var uncertainty: Double
        var report: String
        /// 1 when the pair has a row in the queue nobody claimed yet, else nil: the same on every row.
        var waiting: Int?
    }

    /// The one figure a history point needs from a stored report. Decoding the whole assessment for each of up to 200
    /// points read every explanation and parsed its dates.
    private struct ReportBelief: Decodable {
        struct Overall: Decodable { var belief: Double }
        var overall: Overall
    }

    /// What `current` answers, for a subject the caller has read (a partnership's other side, the profile being
    /// shown). The newest snapshot, the history and whether the pair waits come from one read; `current` took four
    /// (the subject, the queue, the newest snapshot, then the newest 200 again) and decoded the newest report twice.
    /// A pair that waits, has no snapshot yet, or whose newest is over a day old goes through `current`, which
    /// recomputes it now.
    static func panel(viewer: UUID, subject: UUID, at now: Date = Date(), on db: any Database) async throws -> (
        Assessment, [HistoryPoint]
    ) {
        guard viewer != subject else { throw Problem(.unprocessableEntity, "Trust is about other organizations, not your own.") }
        // Newest first, ties broken as `latest` breaks them, so the first row is the snapshot `latest` would find (on
        // SQLite this is also the order `history` reads, by the index on (viewer, subject, computed_at)).
        let rows = try await db.sql().raw(
            """
            SELECT s.computed_at, s.expectation, s.uncertainty, s.report,
                   (SELECT 1 FROM trust_queue q
                    WHERE q.viewer_organization_id = \(bind: viewer) AND q.subject_organization_id = \(bind: subject)
                      AND q.claimed_until IS NULL
                    LIMIT 1) AS waiting
            FROM trust_snapshots s
            WHERE s.viewer_organization_id = \(bind: viewer) AND s.subject_organization_id = \(bind: subject)
            ORDER BY s.computed_at DESC, \(storedLastFirst(db))
            LIMIT 200
            """
        ).all(decoding: PanelRow.self)
        guard let newest = rows.first, newest.waiting == nil, now.timeIntervalSince(newest.computed_at) <= 86_400,
            let assessment = try? decoder.decode(Assessment.self, from: Data(newest.report.utf8))
        else { return try await current(viewer: viewer, subject: subject, at: now, on: db) }
        let history = rows.reversed().map { s in
            let belief = (try? decoder.decode(ReportBelief.self, from: Data(s.report.utf8)))?.overall.belief
            return HistoryPoint(at: s.computed_at, expectation: s.expectation, uncertainty: s.uncertainty, belief: belief ?? 0)
        }
        return (assessment, history)
    }
}
