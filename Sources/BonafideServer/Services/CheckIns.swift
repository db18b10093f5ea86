import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Recurring check-ins: partners meet at a time inside both sides' working hours, agree an agenda beforehand and
/// keep notes afterwards. A meeting held and noted is closeness on the record; skipped ones show to both sides.
enum CheckIns {
    static let maxActive = 10

    struct Input: Sendable {
        var title: String?
        var frequency: String
        var firstAt: Date?
        var durationMinutes: Int?
        var videoLink: String?
    }

    /// The start of the next shared working window, at least a day ahead, long enough for the meeting.
    /// `sides`, when the caller read both organizations already (the partnership page), saves reading them again.
    static func suggestion(
        for p: Partnership, minutes: Int = 30, sides known: [UUID: Organization]? = nil, now: Date = Date(), on db: any Database
    ) async throws -> Date? {
        guard let partner = p.$partner.id else { return nil }
        let sides = try await Partnerships.sides(of: p, given: known, on: db)
        guard let a = sides[p.$organization.id], let b = sides[partner] else { return nil }
        return CheckInSchedule.suggestion(Accounts.workingHours(of: a), Accounts.workingHours(of: b), after: now, minutes: minutes)
    }

    static func schedule(_ input: Input, in p: Partnership, by actor: Actor, now: Date = Date(), on db: any Database) async throws
        -> CheckIn
    {
        try Policy.requireActive(p)
        let title = (input.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard title.length <= 120 else { throw Problem.invalid("title", "The title must have at most 120 characters.") }
        guard let frequency = CheckInSchedule.Frequency(rawValue: input.frequency) else {
            throw Problem.invalid("frequency", "Choose weekly, biweekly (every two weeks) or monthly.")
        }
        let minutes = input.durationMinutes ?? 30
        guard (15...240).contains(minutes) else { throw Problem.invalid("durationMinutes", "A check-in lasts 15 to 240 minutes.") }
        let link = (input.videoLink ?? "").trimmingCharacters(in: .whitespaces)
        if !link.isEmpty {
            guard link.utf8.count <= 500, let url = URL(string: link), ["https", "http"].contains(url.scheme?.lowercased() ?? ""),
                url.host?.isEmpty == false
            else { throw Problem.invalid("videoLink", "The video link must be an http(s) address such as https://meet.example.com/abc.") }
        }
        let suggested = try await suggestion(for: p, minutes: minutes, now: now, on: db)
        guard let first = input.firstAt ?? suggested else {
            throw Problem.invalid("firstAt", "The two sides' working hours never overlap: choose the first meeting's time yourself.")
        }
        guard first > now, first < now.addingTimeInterval(366 * 86_400) else {
            throw Problem.invalid("firstAt", "The first meeting must be in the future, within a year.")
        }
        var local = Calendar(identifier: .gregorian)
        local.timeZone = TimeZone(identifier: actor.user.timeZone) ?? .gmt
        // Every month has days 1 to 28; a meeting on the 31st would need a different day in most months.
        if frequency == .monthly, local.component(.day, from: first) > 28 {
            throw Problem.invalid("firstAt", "A monthly check-in starts on day 1 to 28 of a month, so every month has that day.")
        }
        let active = try await CheckIn.query(on: db).filter(\.$partnership.$id == p.id!).filter(\.$cancelledAt == nil).count()
        guard active < maxActive else {
            throw Problem(.conflict, "A partnership can have at most \(maxActive) check-ins; cancel one first.")
        }
        let c = CheckIn()
        c.$partnership.id = p.id!
        c.title = title.isEmpty ? "Check-in" : title
        c.frequencyText = frequency.rawValue
        c.firstAt = first
        c.durationMinutes = minutes
        c.videoLink = link
        c.timeZone = actor.user.timeZone
        c.$createdBy.id = actor.id
        c.createdAt = now
        c.sequence = 0
        let zone = TimeZone(identifier: c.timeZone) ?? .gmt
        let when = first.formatted(Date.FormatStyle(date: .complete, time: .shortened, timeZone: zone))
        try await db.writeTransaction { tx in
            try await c.save(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "checkin.scheduled",
                summary: "\(actor.user.name) scheduled “\(c.title)” \(frequency.label), first on \(when) (\(c.timeZone))", at: now, on: tx)
            let invitation = calendar(of: c, in: p, method: "REQUEST", organizer: actor.user, now: now)
            try await Timeline.notify(
                p, side: nil, except: actor, kind: .checkIn,
                text: "\(actor.user.name) scheduled “\(c.title)” in \(p.name) \(frequency.label), first on \(when)",
                link: SiteURL.checkIns(p.id), detail: c.videoLink.isEmpty ? nil : "Video link: \(c.videoLink)", about: threadKey(c.id),
                key: event, calendar: invitation, at: now, on: tx)
        }
        return c
    }

    static func find(_ id: UUID?, in p: Partnership, on db: any Database) async throws -> CheckIn {
        guard let id, let c = try await CheckIn.find(id, on: db), c.$partnership.id == p.id else { throw Problem.notFound("check-in") }
        return c
    }

    static func cancel(_ c: CheckIn, in p: Partnership, by actor: Actor, now: Date = Date(), on db: any Database) async throws {
        try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(CheckIn.self, c.id!) else { throw Problem.notFound("check-in") }
            guard current.cancelledAt == nil else { throw Problem(.conflict, "This check-in was already cancelled.") }
            current.cancelledAt = now
            current.sequence += 1
            try await current.save(on: tx)
            let event = try await Timeline.append(
                p, actor: actor, kind: "checkin.cancelled", summary: "\(actor.user.name) cancelled the check-in “\(current.title)”",
                at: now,
                on: tx)
            let cancellation = calendar(of: current, in: p, method: "CANCEL", organizer: actor.user, now: now)
            try await Timeline.notify(
                p, side: nil, except: actor, kind: .checkIn, text: "\(actor.user.name) cancelled “\(current.title)” in \(p.name)",
                link: SiteURL.checkIns(p.id), about: threadKey(current.id), key: event, calendar: cancellation, at: now, on: tx)
        }
    }

    /// An agenda point for the next meeting.
    static func addAgenda(_ text: String, to c: CheckIn, in p: Partnership, by actor: Actor, now: Date = Date(), on db: any Database)
        async throws -> CheckInItem
    {
        try Policy.requireActive(p)
        guard c.cancelledAt == nil else { throw Problem(.conflict, "This check-in was cancelled.") }
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2_000).contains(text.length) else { throw Problem.invalid("text", "An agenda point has 1 to 2000 characters.") }
        guard let next = c.schedule.next(after: now) else { throw Problem(.conflict, "This check-in has no meeting ahead.") }
        let item = CheckInItem()
        item.$checkIn.id = c.id!
        item.occursAt = next
        item.kind = "agenda"
        item.$author.id = actor.id
        item.text = text
        item.createdAt = now
        try await db.writeTransaction { tx in try await item.save(on: tx) }
        return item
    }

    /// What became of a meeting that has begun: held (notes required) or skipped. The first answer stands.
    static func record(
        _ c: CheckIn, meeting occursAt: Date, held: Bool, notes: String?, in p: Partnership, by actor: Actor, now: Date = Date(),
        on db: any Database
    ) async throws -> CheckInMeeting {
        guard c.schedule.isMeeting(occursAt) else {
            throw Problem.invalid("occursAt", "That is not one of this check-in's meetings; use a meeting's exact start time.")
        }
        guard occursAt <= now else { throw Problem.invalid("occursAt", "This meeting has not begun yet.") }
        guard c.cancelledAt.map({ occursAt < $0 }) ?? true else {
            throw Problem(.conflict, "The check-in was cancelled before this meeting.")
        }
        let text = (notes ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.length <= 10_000 else { throw Problem.invalid("notes", "Notes have at most 10000 characters.") }
        if held, text.isEmpty { throw Problem.invalid("notes", "Write down what you discussed and agreed; a held check-in needs notes.") }
        let meeting = CheckInMeeting()
        meeting.$checkIn.id = c.id!
        meeting.occursAt = occursAt
        meeting.status = held ? "held" : "skipped"
        meeting.$recordedBy.id = actor.id
        meeting.recordedAt = now
        let zone = TimeZone(identifier: c.timeZone) ?? .gmt
        let when = occursAt.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: zone))
        // Who hears of it is not decided by the record: read before the writer's turn (see PartnershipAudience).
        let audience = try await PartnershipAudience.load(of: p, on: db)
        do {
            try await db.writeTransaction { tx in
                _ = try await tx.lockedRow(CheckIn.self, c.id!)
                if try await CheckInMeeting.query(on: tx).filter(\.$checkIn.$id == c.id!).filter(\.$occursAt == occursAt).first() != nil {
                    throw Problem(.conflict, "This meeting was already recorded.")
                }
                try await meeting.save(on: tx)
                if !text.isEmpty {
                    let item = CheckInItem()
                    item.$checkIn.id = c.id!
                    item.occursAt = occursAt
                    item.kind = "notes"
                    item.$author.id = actor.id
                    item.text = text
                    item.createdAt = now
                    try await item.save(on: tx)
                }
                let summary =
                    held
                    ? "\(actor.user.name) noted the check-in “\(c.title)” of \(when)" : "The check-in “\(c.title)” of \(when) was skipped"
                let event = try await Timeline.append(
                    p, actor: actor, kind: held ? "checkin.held" : "checkin.skipped", summary: summary,
                    reason: held ? nil : text.nilIfEmpty,
                    at: now, audience: audience, on: tx)
                try await Timeline.notify(
                    p, side: p.otherSide(of: actor.organizationID), except: actor, kind: .checkIn, text: "\(summary) (\(p.name))",
                    link: SiteURL.checkIns(p.id), detail: text.nilIfEmpty, about: threadKey(c.id), key: event, at: now,
                    audience: audience, keyIsNew: true, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Problem(.conflict, "This meeting was already recorded.")
        }
        return meeting
    }

    static func threadKey(_ id: UUID?) -> String { "checkin:\(id?.uuidString.lowercased() ?? "")" }

    /// The series as an iCalendar invitation (REQUEST) or cancellation (CANCEL), with both sides' people invited.
    /// Nobody's address is in it: the same file goes to both sides, and the other side's people see names only.
    static func calendar(of c: CheckIn, in p: Partnership, method: String, organizer: User, now: Date) -> String {
        var calendar = ICalendar(name: "Bonafide: \(p.name)", method: method)
        var event = event(of: c, in: p, baseURL: nil)
        event.organizer = organizer.name
        calendar.events = [event]
        return calendar.render(stamp: now)
    }

    /// The series as a recurring event: local start in the organizer's zone, so it keeps its wall-clock time.
    /// The UID is the same in the invitation and in every feed, so calendars treat them as one event.
    static func event(of c: CheckIn, in p: Partnership, baseURL: String?) -> ICalendar.Event {
        ICalendar.Event(
            uid: "checkin-\(c.id!.uuidString.lowercased())@bonafide", sequence: c.sequence, start: c.firstAt,
            end: c.firstAt.addingTimeInterval(Double(c.durationMinutes) * 60), summary: "\(c.title) (\(p.name))",
            description: (c.videoLink.isEmpty ? "Check-in of \(p.name)" : "Video: \(c.videoLink)")
                + (baseURL.map { "\nAgenda and notes: \($0)\(SiteURL.checkIns(p.id))" } ?? ""),
            url: baseURL.map { $0 + SiteURL.checkIns(p.id) }, status: c.cancelledAt == nil ? "CONFIRMED" : "CANCELLED",
            rule: c.frequency.rule, timeZone: TimeZone(identifier: c.timeZone) ?? .gmt, location: c.videoLink.nilIfEmpty)
    }

    struct Overview: Sendable {
        var checkIn: CheckIn
        var next: Date?
        var agenda: [CheckInItem]
        var meetings: [CheckInMeeting]
        var notes: [CheckInItem]
        /// Meetings that began in the last 90 days and are recorded as skipped, or not recorded at all.
        var skipped: Int
        var unrecorded: [Date]
    }

    static func overview(of p: Partnership, now: Date = Date(), on db: any Database) async throws -> [Overview] {
        let series = try await CheckIn.query(on: db).filter(\.$partnership.$id == p.id!).sort(\.$createdAt).all()
        guard !series.isEmpty else { return [] }
        let ids = series.map { $0.id! }
        // The people come joined, not eager-loaded: one query each for the items and the meetings instead of two.
        let items = try await CheckInItem.query(on: db).join(User.self, on: \CheckInItem.$author.$id == \User.$id)
            .filter(\.$checkIn.$id ~~ ids).sort(\.$createdAt).all()
        for i in items { i.$author.value = try i.joined(User.self) }
        let meetings = try await CheckInMeeting.query(on: db).join(User.self, on: \CheckInMeeting.$recordedBy.$id == \User.$id)
            .filter(\.$checkIn.$id ~~ ids).sort(\.$occursAt, .descending).all()
        for m in meetings { m.$recordedBy.value = try m.joined(User.self) }
        return series.map { c in
            let next = c.cancelledAt == nil ? c.schedule.next(after: now) : nil
            let mine = meetings.filter { $0.$checkIn.id == c.id }
            let recorded = Set(mine.map(\.occursAt))
            let recent = c.schedule.meetings(from: now.addingTimeInterval(-90 * 86_400), to: min(now, c.cancelledAt ?? now))
            return Overview(
                checkIn: c, next: next, agenda: items.filter { $0.$checkIn.id == c.id && $0.kind == "agenda" && $0.occursAt == next },
                meetings: mine, notes: items.filter { $0.$checkIn.id == c.id && $0.kind == "notes" },
                skipped: mine.filter { $0.status == "skipped" && $0.occursAt > now.addingTimeInterval(-90 * 86_400) }.count,
                unrecorded: recent.filter { !recorded.contains($0) })
        }
    }

    /// Check-ins held and noted: closeness the viewer saw with the subject (intimacy evidence).
    static func evidence(viewer: UUID, subject: UUID, on db: any Database) async throws -> [TrustEvidence] {
        try await evidence(in: try await TrustService.sharedPartnerships(viewer, subject, on: db), on: db)
    }

    /// The same for partnerships already read: the recompute reads a pair's partnerships once for all its evidence.
    static func evidence(in shared: [TrustService.SharedPartnership], on db: any Database) async throws -> [TrustEvidence] {
        guard !shared.isEmpty else { return [] }
        let held = try await heldMeetings(in: shared.map(\.id), on: db)
        return evidence(from: held)
    }

    /// The same for many pairs' partnerships at once (the background recompute's batch).
    static func evidence(in shared: [TrustService.Pair: [TrustService.SharedPartnership]], on db: any Database) async throws
        -> [TrustService.Pair: [TrustEvidence]]
    {
        let partnerships: [UUID] = Array(Set(shared.values.joined().map(\.id)))
        let meetings = try await heldMeetings(in: partnerships, on: db)
        let held = Dictionary(grouping: meetings, by: \.partnership)
        return shared.mapValues { mine in evidence(from: mine.flatMap { held[$0.id] ?? [] }) }
    }

    /// A meeting held in a check-in, with its series' title.
    struct HeldMeeting: Decodable {
        var partnership: UUID
        var occursAt: Date
        var title: String

        enum CodingKeys: String, CodingKey {
            case partnership = "partnership_id", occursAt = "occurs_at", title
        }
    }

    /// Held meetings with their series' title, one statement per slice of partnerships.
    static func heldMeetings(in partnerships: [UUID], on db: any Database) async throws -> [HeldMeeting] {
        try await TrustService.rows(in: partnerships) { (slice: [UUID]) -> [HeldMeeting] in
            try await db.sql().select().column(SQLColumn("partnership_id", table: "c")).column(SQLColumn("occurs_at", table: "m"))
                .column(SQLColumn("title", table: "c"))
                .from(SQLAlias(SQLIdentifier(CheckInMeeting.schema), as: SQLIdentifier("m")))
                .join(
                    SQLAlias(SQLIdentifier(CheckIn.schema), as: SQLIdentifier("c")), on: SQLColumn("id", table: "c"), .equal,
                    SQLColumn("check_in_id", table: "m")
                )
                .where(SQLColumn("partnership_id", table: "c"), .in, SQLBind.group(slice))
                .where(SQLColumn("status", table: "m"), .equal, SQLBind("held"))
                .all(decoding: HeldMeeting.self)
        }
    }

    static func evidence(from held: [HeldMeeting]) -> [TrustEvidence] {
        held.map {
            TrustEvidence(
                kind: .checkIn, date: $0.occursAt,
                summary: "Met in the check-in “\($0.title)” on \(TrustService.day($0.occursAt)) and kept notes")
        }
    }
}
