import BonafideCore
import Fluent
import Foundation
import SQLKit

extension TrustService {
    /// A stored snapshot as a trust panel reads it, with whether the pair waits for the background recompute, read
    /// column by column (`SQLRow+Columns`): up to 200 of them.
    private struct PanelRow {
        var computed_at: Date
        var expectation: Double
        var uncertainty: Double
        var report: String
        /// 1 when the pair has a row in the queue nobody claimed yet, else nil: the same on every row.
        var waiting: Int?

        init(row: any SQLRow) throws {
            computed_at = try row.decode(column: "computed_at", as: Date.self)
            expectation = try row.decode(column: "expectation", as: Double.self)
            uncertainty = try row.decode(column: "uncertainty", as: Double.self)
            report = try row.decode(column: "report", as: String.self)
            waiting = try row.decodeIfPresent(column: "waiting", as: Int.self)
        }
    }

    /// The one figure a history point needs from a stored report. Decoding the whole assessment for each of up to 200
    /// points read every explanation and parsed its dates.
    private struct ReportBelief: Decodable {
        struct Overall: Decodable { var belief: Double }
        var overall: Overall
    }

    /// The key of a stored report's overall opinion with its opening brace, as `encoder` writes it.
    private static let overallKey = Array(#""overall":{"#.utf8)

    private static let beliefKey = Array(#""belief":"#.utf8)

    /// The JSON number right after `key` in an opinion's text (which holds only numbers, so it ends at `,` or `}`).
    private static func number(after key: [UInt8], in bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
        var at = bytes.startIndex
        while at + key.count <= bytes.endIndex {
            if bytes[at] == key[0], bytes[at..<(at + key.count)].elementsEqual(key) {
                let digits = bytes[(at + key.count)...].prefix { $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "}") }
                return Double(String(decoding: digits, as: UTF8.self))
            }
            at += 1
        }
        return nil
    }

    /// A stored report's overall belief, decoded from the overall opinion's own text rather than the whole report's:
    /// even to find one key, `JSONDecoder` first reads through every explanation of the report, for each of up to 200
    /// history points. The same decoder reads the same number, so the figure is the one the whole report gives.
    /// Outside a string no other key is `overall` (the assessment's only one is at the top), and inside one every quote
    /// is escaped, so the one `"overall":{` in the text is that key; an opinion holds only numbers, so its first `}`
    /// ends it. Its `belief` is a JSON number, which `Double`'s own parser reads to the same value `JSONDecoder` does
    /// (both round correctly) without a decoder's setup for each point. A report where either is not found is decoded
    /// whole, as before.
    static func overallBelief(ofReport report: String) -> Double? {
        var text = report
        var belief: Double?
        let opinion: Data? = text.withUTF8 { bytes -> Data? in
            let key = overallKey
            guard bytes.count >= key.count else { return nil }
            // The key comes near the end (keys are sorted; after it only the pair's ids, a name and a figure).
            var start = bytes.count - key.count
            while start >= 0 {
                if bytes[start] == key[0], bytes[start..<(start + key.count)].elementsEqual(key) {
                    let open = start + key.count - 1
                    guard let close = bytes[open...].firstIndex(of: UInt8(ascii: "}")) else { return nil }
                    belief = number(after: beliefKey, in: bytes[open...close])
                    return Data(bytes[open...close])
                }
                start -= 1
            }
            return nil
        }
        if let belief { return belief }
        if let opinion, let overall = try? decoder.decode(ReportBelief.Overall.self, from: opinion) { return overall.belief }
        return (try? decoder.decode(ReportBelief.self, from: Data(report.utf8)))?.overall.belief
    }

    static let panelReports = PanelReportMemo()

    /// What `current` answers, for a subject the caller has read (a partnership's other side, the profile being
    /// shown). The newest snapshot, the history and whether the pair waits come from one read; `current` took four
    /// (the subject, the queue, the newest snapshot, then the newest 200 again) and decoded the newest report twice.
    /// A pair that waits, has no snapshot yet, or whose newest is over a day old goes through `current`, which
    /// recomputes it now.
    /// The newest report is decoded only as far as the panel shows it (`PanelReport`).
    static func panel(viewer: UUID, subject: UUID, at now: Date = Date(), on db: any Database) async throws -> (
        PanelReport, [HistoryPoint]
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
        ).all().map(PanelRow.init(row:))
        guard let newest = rows.first, newest.waiting == nil, now.timeIntervalSince(newest.computed_at) <= 86_400,
            let report = panelReports.report(of: newest.report, { try? decoder.decode(PanelReport.self, from: Data($0.utf8)) })
        else {
            let (assessment, history) = try await current(viewer: viewer, subject: subject, at: now, on: db)
            return (PanelReport(assessment), history)
        }
        let history = rows.reversed().map { s in
            HistoryPoint(
                at: s.computed_at, expectation: s.expectation, uncertainty: s.uncertainty, belief: overallBelief(ofReport: s.report) ?? 0)
        }
        return (report, history)
    }
}
