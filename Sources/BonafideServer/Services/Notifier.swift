import BonafideCore
import Crypto
import Fluent
import Foundation
import SQLKit

/// Tells people what happened: a notification in the app and, as each person chose, a mail at once (held through
/// their quiet hours), a line in their daily digest, or nothing. Callers pass the transaction their change runs
/// in, so the change, the notification and the queued mail land together or not at all.
enum Notifier {
    struct Event: Sendable {
        var kind: NotificationKind
        /// One line, as the bell shows it; the mail's subject.
        var text: String
        /// The page to act on (a path of the web app).
        var link: String
        /// What the mail says beyond the line: a reason, the message itself.
        var detail: String? = nil
        /// What the mail is about ("commitment:ID"), so one thing's mails thread together.
        var about: String? = nil
        /// The event's identity: with the person, at most one mail (the dedupe key).
        var key: String
        /// An iCalendar invitation to attach.
        var calendar: String? = nil
        /// The key names an event made in the caller's transaction and not yet notified there: no mail can carry it
        /// yet, so the dedupe read is skipped (it would be one more statement on SQLite's one writer).
        var keyIsNew = false
    }

    static let mailKind = "notification"
    static let digestKind = "digest"

    static func notify(_ userIDs: [UUID], of event: Event, at now: Date = Date(), on db: any Database) async throws {
        let ids = Array(Set(userIDs))
        guard !ids.isEmpty else { return }
        let users = try await User.query(on: db).filter(\.$id ~~ ids).all()
        let chosen = try await settings(of: ids, on: db)
        try await notify(users, settings: chosen, of: event, at: now, on: db)
    }

    /// The same, for people and settings the caller read before its transaction (`PartnershipAudience`); each
    /// person once. Missing settings mean the defaults.
    static func notify(
        _ users: [User], settings: [UUID: NotificationSettings], of event: Event, at now: Date = Date(), on db: any Database
    ) async throws {
        guard !users.isEmpty else { return }
        var already = Set<String>()
        if !event.keyIsNew {
            let keys = users.map { dedupeKey(event.key, $0.id!) }
            already = Set(try await OutboxMessage.query(on: db).filter(\.$dedupeKey ~~ keys).all(\.$dedupeKey).compactMap { $0 })
            already.formUnion(PendingWrites.deferredMailKeys(among: keys))
        }
        // Rows are gathered and inserted together: this runs inside write transactions, where on SQLite each statement
        // waits its turn on the one writer, and on PostgreSQL each holds the transaction's row locks for a round trip.
        var notifications: [Notification] = []
        var mails: [OutboxMessage] = []
        for user in users {
            let key = dedupeKey(event.key, user.id!)
            guard !already.contains(key) else { continue }
            notifications.append(Notification(userID: user.id!, text: event.text, link: event.link, at: now))
            let preference = settings[user.id!]
            let mode = preference?.mode(for: event.kind) ?? .immediately
            guard mode != .off else { continue }
            let mail = OutboxMessage()
            mail.$organization.id = user.$organization.id
            mail.toEmail = user.email
            mail.subject = String(event.text.prefix(200))
            mail.body = event.detail ?? ""
            mail.kind = mailKind
            mail.createdAt = now
            mail.userID = user.id
            mail.eventKind = event.kind.rawValue
            mail.link = event.link
            mail.threadKey = event.about
            mail.dedupeKey = key
            mail.calendar = event.calendar
            // An invitation with a calendar file is not folded into a digest: the file would be lost.
            if mode == .digest, event.calendar == nil {
                mail.status = .digest
            } else {
                let schedule = (preference ?? NotificationSettings(userID: user.id!)).schedule(timeZone: user.timeZone)
                let when = schedule.nextAllowed(from: now)
                if when > now { mail.nextAttemptAt = when }
            }
            mails.append(mail)
        }
        // Sent together: on PostgreSQL one round trip instead of two (see `CombinedWrites`). Of a new key nothing in
        // the transaction reads the rows again (no dedupe read), so they go out with its other deferred writes.
        try await PendingWrites.write(on: db, deferring: event.keyIsNew) { writes in
            let notified = try notifications.insert(into: &writes)
            let queued = try mails.insert(into: &writes)
            return {
                try notified()
                try queued()
            }
        }
        if event.keyIsNew { PendingWrites.noteMailKeys(mails.compactMap(\.dedupeKey)) }
    }

    static func dedupeKey(_ event: String, _ user: UUID) -> String { "\(event)|\(user.uuidString.lowercased())" }

    /// The people's settings rows by person; one without a row is absent (the defaults). One plain query, each row
    /// loaded property by property (`NotificationSettings.load(from:)`): every write that tells people reads them.
    static func settings(of users: [UUID], on db: any Database) async throws -> [UUID: NotificationSettings] {
        guard !users.isEmpty else { return [:] }
        let rows = try await db.sql().raw("SELECT * FROM notification_settings WHERE user_id IN \(SQLBind.group(users))").all()
        let found = try rows.map { try NotificationSettings.load(from: RowOutput(row: $0)) }
        return Dictionary(found.map { ($0.$user.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The person's settings, made with the defaults when they have none yet.
    static func settings(of user: UUID, now: Date = Date(), on db: any Database) async throws -> NotificationSettings {
        if let found = try await NotificationSettings.query(on: db).filter(\.$user.$id == user).first() { return found }
        let fresh = NotificationSettings(userID: user)
        fresh.lastDigestAt = now  // the first digest goes out at the next digest hour, not at once
        return fresh
    }

    /// The person's settings row, made if missing and locked for the rest of the transaction: two changes at once
    /// (a settings save and an unsubscribe click) both land, one after the other.
    static func lockedSettings(of user: UUID, now: Date, on tx: any Database) async throws -> NotificationSettings {
        if let sql = tx as? any SQLDatabase {
            // Made with the defaults unless it exists; two first changes at once cannot both insert.
            try await sql.insert(into: NotificationSettings.schema)
                .columns("id", "user_id", "digest_hour", "work_days", "modes", "calendar_version", "last_digest_at")
                .values(
                    SQLBind(UUID()), SQLBind(user), SQLBind(8), SQLBind("1,2,3,4,5,6,7"), SQLBind("{}"), SQLBind(0), SQLBind(now)
                )
                .ignoringConflicts(with: ["user_id"])
                .run()
        }
        guard let id = try await NotificationSettings.query(on: tx).filter(\.$user.$id == user).first()?.id,
            let row = try await tx.lockedRow(NotificationSettings.self, id)
        else { throw Problem.notFound("person") }
        return row
    }

    // MARK: Digests

    /// One digest mail per person whose digest hour has come and who has notifications waiting for it.
    @discardableResult
    static func composeDigests(now: Date = Date(), on db: any Database) async throws -> Int {
        let waiting = try await OutboxMessage.query(on: db).filter(\.$status == .digest).field(\.$userID).unique().all()
        let userIDs = waiting.compactMap(\.userID)
        guard !userIDs.isEmpty else { return 0 }
        let users = try await User.query(on: db).filter(\.$id ~~ userIDs).all()
        let settings = try await settings(of: userIDs, on: db)
        var composed = 0
        for user in users {
            let preference = settings[user.id!] ?? NotificationSettings(userID: user.id!)
            let moment = preference.schedule(timeZone: user.timeZone).latestDigestMoment(atOrBefore: now)
            guard (preference.lastDigestAt ?? .distantPast) < moment else { continue }
            do {
                composed += try await composeDigest(for: user, preference: preference, moment: moment, now: now, on: db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // Another server composed this digest at the same moment: its dedupe key is taken, so it goes once.
                continue
            }
        }
        return composed
    }

    private static func composeDigest(
        for user: User, preference: NotificationSettings, moment: Date, now: Date, on db: any Database
    ) async throws -> Int {
        try await db.writeTransaction { tx in
            let items = try await OutboxMessage.query(on: tx).filter(\.$userID == user.id!).filter(\.$status == .digest)
                .sort(\.$createdAt).all()
            guard !items.isEmpty else { return 0 }
            let key = "digest|\(user.id!.uuidString.lowercased())|\(Int(moment.timeIntervalSince1970))"
            guard try await OutboxMessage.query(on: tx).filter(\.$dedupeKey == key).count() == 0 else { return 0 }
            let digest = OutboxMessage()
            digest.$organization.id = user.$organization.id
            digest.toEmail = user.email
            digest.subject = "Your Bonafide digest: \(items.count) update\(items.count == 1 ? "" : "s")"
            digest.body = DigestItem.encode(items.map { DigestItem(text: $0.subject, link: $0.link ?? "/", detail: $0.body) })
            digest.kind = digestKind
            digest.eventKind = digestKind
            digest.userID = user.id
            digest.link = SiteURL.notifications()
            digest.createdAt = now
            digest.dedupeKey = key
            // The digest hour is the person's choice; a day off or quiet hours still hold it.
            let when = preference.schedule(timeZone: user.timeZone).nextAllowed(from: now)
            if when > now { digest.nextAttemptAt = when }
            try await digest.save(on: tx)
            try await OutboxMessage.query(on: tx).filter(\.$id ~~ items.map { $0.id! }).set(\.$status, to: .digested)
                .set(\.$sentAt, to: now).update()
            let row = try await NotificationSettings.query(on: tx).filter(\.$user.$id == user.id!).first() ?? preference
            row.lastDigestAt = now
            try await row.save(on: tx)
            return 1
        }
    }

    struct DigestItem: Codable, Sendable, Equatable {
        var text: String
        var link: String
        var detail: String

        static func encode(_ items: [DigestItem]) -> String {
            String(decoding: (try? JSONEncoder().encode(items)) ?? Data("[]".utf8), as: UTF8.self)
        }
        static func decode(_ text: String) -> [DigestItem] { (try? JSONDecoder().decode([DigestItem].self, from: Data(text.utf8))) ?? [] }
    }

    // MARK: Reminders that come with time

    /// Commitments due within 48 hours (both sides are told once per due date) and questions that waited two of
    /// the asked side's working days without an answer (that side is reminded once).
    @discardableResult
    static func sweepReminders(now: Date = Date(), batch: Int = 200, on db: any Database) async throws -> Int {
        var sent = 0
        let dueSoon = try await Commitment.query(on: db).filter(\.$status == .accepted).filter(\.$dueSoonNotifiedAt == nil)
            .filter(\.$dueAt > now).filter(\.$dueAt <= now.addingTimeInterval(48 * 3_600)).sort(\.$dueAt).limit(batch).all(\.$id)
        for id in dueSoon {
            sent += try await db.writeTransaction { tx in
                guard let c = try await tx.lockedRow(Commitment.self, id), c.status == .accepted, c.dueSoonNotifiedAt == nil,
                    let p = try await Partnership.find(c.$partnership.id, on: tx)
                else { return 0 }
                c.dueSoonNotifiedAt = now
                try await c.save(on: tx)
                let members = try await PartnershipMember.query(on: tx).filter(\.$partnership.$id == p.id!).all(\.$user.$id)
                try await notify(
                    members,
                    of: Event(
                        kind: .commitmentDueSoon, text: "“\(c.title)” in \(p.name) is due \(TrustService.day(c.dueAt))",
                        link: SiteURL.commitment(p.id, c.id), detail: "Due \(dueText(c.dueAt, zone: c.timeZone)).",
                        about: "commitment:\(c.id!.uuidString.lowercased())",
                        key: "dueSoon|\(c.id!.uuidString.lowercased())|\(Int(c.dueAt.timeIntervalSince1970))"),
                    at: now, on: tx)
                return 1
            }
        }
        let waiting = try await Message.query(on: db).filter(\.$needsResponse == true).filter(\.$respondedAt == nil)
            .filter(\.$remindedAt == nil).filter(\.$createdAt <= now.addingTimeInterval(-2 * 86_400)).sort(\.$createdAt)
            .limit(5 * batch).all()
        for message in waiting {
            guard let p = try await Partnership.find(message.$partnership.id, on: db), p.status == .active,
                let askedSide = p.otherSide(of: message.$organization.id),
                let asked = try await Organization.find(askedSide, on: db)
            else {
                // Nobody to remind (the partnership ended): settled for good, so it stops coming up.
                try await db.writeTransaction { tx in
                    try await Message.query(on: tx).filter(\.$id == message.id!).set(\.$remindedAt, to: now).update()
                }
                continue
            }
            let week = MailSchedule(workDays: Set(asked.workDays), timeZone: TimeZone(identifier: asked.timeZone) ?? .gmt)
            guard week.adding(workingDays: 2, to: message.createdAt) <= now else { continue }
            sent += try await db.writeTransaction { tx in
                guard let m = try await tx.lockedRow(Message.self, message.id!), m.remindedAt == nil, m.respondedAt == nil,
                    let thread = try await MessageThread.find(m.$thread.id, on: tx)
                else { return 0 }
                m.remindedAt = now
                try await m.save(on: tx)
                let members = try await PartnershipMember.query(on: tx).filter(\.$partnership.$id == p.id!)
                    .filter(\.$organization.$id == askedSide).all(\.$user.$id)
                try await notify(
                    members,
                    of: Event(
                        kind: .messageReminder, text: "“\(thread.subject)” in \(p.name) still waits for your side's answer",
                        link: SiteURL.thread(p.id, thread.id), detail: m.body, about: "thread:\(thread.id!.uuidString.lowercased())",
                        key: "reminder|\(m.id!.uuidString.lowercased())"),
                    at: now, on: tx)
                return 1
            }
        }
        return sent
    }

    static func dueText(_ date: Date, zone: String) -> String {
        let style = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: TimeZone(identifier: zone) ?? .gmt)
        return "\(date.formatted(style)) (\(zone))"
    }
}

extension UUID {
    /// A stable identity for an event that has no row of its own (a reminder): the same text, the same UUID.
    static func derived(_ text: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data(text.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5 style: name-based
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
