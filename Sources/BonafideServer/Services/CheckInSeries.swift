import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A check-in series as the partnership page's card shows it: the series, its next meeting's agenda, its notes and
/// which recent meetings were skipped or not recorded. Read in one plain query (the series joined to its agenda
/// points, notes and recorded meetings) instead of three through Fluent's query builder and reflection; the API keeps
/// `CheckIns.overview`, which returns the full models.
struct CheckInSeries: Sendable {
    /// An agenda point or a note: its words and who wrote them.
    struct Point: Sendable, Equatable {
        var occursAt: Date
        var text: String
        var author: String
    }

    var id: UUID
    var title: String
    var frequency: CheckInSchedule.Frequency
    var durationMinutes: Int
    var videoLink: String
    var cancelledAt: Date?
    var next: Date?
    var agenda: [Point]
    /// Oldest first, as written.
    var notes: [Point]
    /// Meetings that began in the last 90 days and are recorded as skipped, or not recorded at all.
    var skipped: Int
    var unrecorded: [Date]

    /// The partnership's series, oldest first, as `CheckIns.overview` computes them.
    static func all(of partnershipID: UUID, now: Date = Date(), on db: any Database) async throws -> [CheckInSeries] {
        // Each series comes once with nothing after it, or once per agenda point, note and recorded meeting; only the
        // columns the card shows. People come joined (inner), as the overview's joins read them. Each part of the
        // union keeps to the partnership's series itself: SQLite builds the union whole before joining it, and
        // without that it read every agenda point and meeting of every partnership on each view of a page.
        let rows = try await db.sql().raw(rowsQuery(of: partnershipID)).all()
        var series: [CheckInSeries] = []
        var schedules: [CheckInSchedule] = []
        var recorded: [[(occursAt: Date, status: String)]] = []
        var items: [[(kind: String, point: Point)]] = []
        for row in rows {
            let id = try row.decodeUUID(column: "id")
            if series.last?.id != id {
                let frequencyText = try row.decode(column: "frequency", as: String.self)
                let zone = try row.decode(column: "time_zone", as: String.self)
                let frequency = CheckInSchedule.Frequency(rawValue: frequencyText) ?? .weekly
                let first = try row.decode(column: "first_at", as: Date.self)
                schedules.append(CheckInSchedule(frequency: frequency, first: first, timeZone: TimeZone(identifier: zone) ?? .gmt))
                series.append(
                    try CheckInSeries(
                        id: id, title: row.decode(column: "title", as: String.self), frequency: frequency,
                        durationMinutes: row.decode(column: "duration_minutes", as: Int.self),
                        videoLink: row.decode(column: "video_link", as: String.self),
                        cancelledAt: row.decodeIfPresent(column: "cancelled_at", as: Date.self), next: nil, agenda: [], notes: [],
                        skipped: 0, unrecorded: []))
                recorded.append([])
                items.append([])
            }
            guard let part = try row.decodeIfPresent(column: "part", as: String.self) else { continue }
            let kind = try row.decode(column: "kind", as: String.self)
            let occursAt = try row.decode(column: "occurs_at", as: Date.self)
            if part == "meeting" {
                recorded[recorded.count - 1].append((occursAt: occursAt, status: kind))
            } else {
                let point = try Point(
                    occursAt: occursAt, text: row.decode(column: "text", as: String.self),
                    author: row.decode(column: "author_name", as: String.self))
                items[items.count - 1].append((kind: kind, point: point))
            }
        }
        let recent = now.addingTimeInterval(-90 * 86_400)
        for index in series.indices {
            let schedule = schedules[index]
            let next = series[index].cancelledAt == nil ? schedule.next(after: now) : nil
            let held = Set(recorded[index].map(\.occursAt))
            series[index].next = next
            series[index].agenda = items[index].filter { $0.kind == "agenda" && $0.point.occursAt == next }.map(\.point)
            series[index].notes = items[index].filter { $0.kind == "notes" }.map(\.point)
            series[index].skipped = recorded[index].filter { $0.status == "skipped" && $0.occursAt > recent }.count
            series[index].unrecorded = schedule.meetings(from: recent, to: min(now, series[index].cancelledAt ?? now))
                .filter { !held.contains($0) }
        }
        return series
    }

    /// The statement of `all(of:now:on:)` (`QueryPlanTests` reads its plan).
    static func rowsQuery(of partnershipID: UUID) -> SQLQueryString {
        """
        SELECT c.id, c.title, c.frequency, c.first_at, c.duration_minutes, c.video_link, c.time_zone, c.cancelled_at,
          x.part, x.kind, x.occurs_at, x.text, x.author_name
        FROM check_ins c LEFT JOIN (
          SELECT i.check_in_id, 'item' AS part, i.kind, i.occurs_at, i.text, u.name AS author_name, i.created_at AS sort_at
          FROM check_ins ci JOIN check_in_items i ON i.check_in_id = ci.id JOIN users u ON u.id = i.author_id
          WHERE ci.partnership_id = \(bind: partnershipID)
          UNION ALL
          SELECT m.check_in_id, 'meeting' AS part, m.status AS kind, m.occurs_at, NULL AS text, NULL AS author_name,
            m.recorded_at AS sort_at
          FROM check_ins cm JOIN check_in_meetings m ON m.check_in_id = cm.id JOIN users r ON r.id = m.recorded_by_id
          WHERE cm.partnership_id = \(bind: partnershipID)
        ) x ON x.check_in_id = c.id
        WHERE c.partnership_id = \(bind: partnershipID)
        ORDER BY c.created_at, c.id, x.sort_at
        """
    }
}
