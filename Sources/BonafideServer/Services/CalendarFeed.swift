import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Calendars people subscribe to: their partnerships' commitment due dates and incident review dates, at a
/// secret address (a signed token naming the person and a version, so a reset ends the old address at once).
enum CalendarFeed {
    static func token(user: UUID, version: Int, key: [UInt8]) -> String {
        SignedToken.make(["calendar", user.uuidString.lowercased(), String(version)], key: key)
    }

    static func url(for user: UUID, baseURL: String, key: [UInt8], on db: any Database) async throws -> String {
        let version = try await Notifier.settings(of: user, on: db).calendarVersion
        return "\(baseURL)/calendar/\(token(user: user, version: version, key: key)).ics"
    }

    /// A new address; the old one answers 404 from now on.
    static func reset(for user: UUID, baseURL: String, key: [UInt8], on db: any Database) async throws -> String {
        let version = try await db.writeTransaction { tx in
            let row = try await Notifier.lockedSettings(of: user, now: Date(), on: tx)
            row.calendarVersion += 1
            try await row.save(on: tx)
            return row.calendarVersion
        }
        return "\(baseURL)/calendar/\(token(user: user, version: version, key: key)).ics"
    }

    /// The person a calendar token stands for, if it is genuine and current.
    static func owner(of token: String, key: [UInt8], on db: any Database) async throws -> User? {
        let bare = token.hasSuffix(".ics") ? String(token.dropLast(4)) : token
        guard let f = SignedToken.open(bare, key: key, fields: 3), f[0] == "calendar", let id = UUID(uuidString: f[1]),
            let version = Int(f[2]), let user = try await User.find(id, on: db)
        else { return nil }
        return try await Notifier.settings(of: id, on: db).calendarVersion == version ? user : nil
    }

    static func personal(for user: User, baseURL: String, host: String, now: Date = Date(), on db: any Database) async throws -> String {
        let partnerships = try await PartnershipMember.query(on: db).filter(\.$user.$id == user.id!).all(\.$partnership.$id)
        var calendar = try await build(
            name: "Bonafide: \(user.name)", partnerships: partnerships, baseURL: baseURL, host: host, on: db)
        // The events the person registered for, beside their partnerships' dates.
        calendar.events += try await Events.calendarEntries(for: user.id!, baseURL: baseURL, on: db)
        return calendar.render(stamp: now)
    }

    static func partnership(_ p: Partnership, baseURL: String, host: String, now: Date = Date(), on db: any Database) async throws -> String
    {
        try await build(name: "Bonafide: \(p.name)", partnerships: [p.id!], baseURL: baseURL, host: host, on: db).render(stamp: now)
    }

    private static func build(name: String, partnerships ids: [UUID], baseURL: String, host: String, on db: any Database) async throws
        -> ICalendar
    {
        var calendar = ICalendar(name: name)
        guard !ids.isEmpty else { return calendar }
        let partnerships = Dictionary(
            try await Partnership.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let commitments = try await Commitment.query(on: db).filter(\.$partnership.$id ~~ ids).with(\.$owner).sort(\.$dueAt).all()
        let incidents = try await Incident.query(on: db).filter(\.$partnership.$id ~~ ids).sort(\.$raisedAt).all()
        let changes = try await changeCounts(of: ids, on: db)
        let named = Set(commitments.flatMap { [$0.$ownerOrganization.id, $0.$recipientOrganization.id] })
        let organizations = Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ named).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        for c in commitments {
            let p = partnerships[c.$partnership.id]
            let status: String =
                switch c.status {
                case .declined, .withdrawn: "CANCELLED"
                case .proposed: "TENTATIVE"
                default: "CONFIRMED"
                }
            let state: String =
                switch c.status {
                case .completed: "completed"
                case .delivered: "delivered, waiting for acceptance"
                case .missed: "missed"
                case .accepted: c.atRisk ? "accepted, at risk" : "accepted"
                default: c.status.rawValue
                }
            let owner = "\(c.owner.name) (\(organizations[c.$ownerOrganization.id] ?? ""))"
            calendar.events.append(
                .init(
                    uid: "commitment-\(c.id!.uuidString.lowercased())@\(host)", sequence: max(0, (changes[c.id!] ?? 1) - 1),
                    start: c.dueAt, end: nil, summary: "Due: \(c.title)" + (c.status == .completed ? " (done)" : ""),
                    description: "\(p?.name ?? "Partnership"): “\(c.title)”, owned by \(owner), for "
                        + "\(organizations[c.$recipientOrganization.id] ?? "the partner"). State: \(state). Due in \(c.timeZone).\n"
                        + "\(baseURL)\(SiteURL.commitment(c.$partnership.id, c.id))",
                    url: baseURL + SiteURL.commitment(c.$partnership.id, c.id), status: status, organizer: c.owner.name))
        }
        let checkIns = try await CheckIn.query(on: db).filter(\.$partnership.$id ~~ ids).sort(\.$createdAt).all()
        for c in checkIns {
            guard let p = partnerships[c.$partnership.id] else { continue }
            calendar.events.append(CheckIns.event(of: c, in: p, baseURL: baseURL))
        }
        for i in incidents {
            let (title, when): (String, Date?) =
                switch i.status {
                case .open:
                    (
                        "Acknowledge the incident “\(i.title)” (counts as mishandled after this)",
                        i.raisedAt.addingTimeInterval(IncidentLifecycle.mishandledAfter)
                    )
                case .acknowledged:
                    ("Resolve the incident “\(i.title)”", (i.reopenedAt ?? i.raisedAt).addingTimeInterval(IncidentLifecycle.resolveWithin))
                case .resolved:
                    ("Review the fix of the incident “\(i.title)”", i.resolvedAt?.addingTimeInterval(IncidentLifecycle.acceptedAfter))
                default: ("", nil)
                }
            guard let when else { continue }
            calendar.events.append(
                .init(
                    uid: "incident-\(i.id!.uuidString.lowercased())-\(i.status.rawValue)@\(host)", sequence: i.reopenCount,
                    start: when, end: nil, summary: title,
                    description: "\(partnerships[i.$partnership.id]?.name ?? "Partnership"), \(i.severity.rawValue) incident. "
                        + "\(baseURL)\(SiteURL.incident(i.$partnership.id, i.id))",
                    url: baseURL + SiteURL.incident(i.$partnership.id, i.id), status: "CONFIRMED"))
        }
        return calendar
    }

    /// How many times each commitment changed (its log entries): its SEQUENCE, so calendars take the newest.
    private static func changeCounts(of partnerships: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        struct Row: Decodable {
            var commitment_id: UUID
            var n: Int
        }
        let rows = try await sql.select().column("commitment_id").column(
            SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n"))
        )
        .from(PartnershipEvent.schema).where("partnership_id", .in, partnerships).where("commitment_id", .isNot, SQLLiteral.null)
        .groupBy("commitment_id").all(decoding: Row.self)
        return Dictionary(rows.map { ($0.commitment_id, $0.n) }, uniquingKeysWith: +)
    }
}
