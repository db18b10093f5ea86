import BonafideCore
import Fluent
import Foundation
import SQLKit

/// What events send: mails to people registered without an account, invitations for calendars, the reminder a day
/// before, the personal calendar feed's entries and the follow-up survey for attendees.
extension Events {
    static let reminderLead: TimeInterval = 24 * 3_600

    /// Tells everyone registered: people with an account through `Notifier` (in the app, by mail as they chose),
    /// people registered by address by a plain mail, since there is no account to notify.
    static func tellRegistrants(
        _ event: LiveEvent, text: String, detail: String, key: String, calendar: String?, at now: Date, on tx: any Database
    ) async throws {
        let registrations = try await EventRegistration.query(on: tx).filter(\.$event.$id == event.id!).filter(\.$cancelledAt == nil)
            .sort(\.$registeredAt).all()
        try await Notifier.notify(
            registrations.compactMap { $0.$user.id },
            of: .init(
                kind: .event, text: text, link: SiteURL.event(event.id), detail: detail, about: thread(event), key: key, calendar: calendar),
            at: now, on: tx)
        for r in registrations where r.$user.id == nil {
            let body = """
                Hello \(r.name),

                \(text).

                \(detail)

                Your personal link for the event (questions, votes, cancelling) is in the confirmation mail you received when you registered.
                """
            try await mail(r, about: event, kind: noticeKind, subject: text, body: body, calendar: calendar, at: now, on: tx)
        }
    }

    /// A mail to an address without an account, from the event's organization, through the outbox.
    static func mail(
        _ registration: EventRegistration, about event: LiveEvent, kind: String, subject: String, body: String, calendar: String?,
        at now: Date, on db: any Database
    ) async throws {
        let m = OutboxMessage()
        m.$organization.id = event.$organization.id
        m.toEmail = registration.email
        m.subject = String(subject.prefix(200))
        m.body = body
        m.kind = kind
        m.createdAt = now
        m.threadKey = thread(event)
        m.calendar = calendar
        try await m.save(on: db)
    }

    // MARK: Calendars

    /// The event as an iCalendar invitation (REQUEST) or cancellation (CANCEL), for one person's mail.
    static func invitation(_ event: LiveEvent, organizer: String, method: String, baseURL: String?, now: Date) -> String {
        var calendar = ICalendar(name: "Bonafide: \(organizer)", method: method)
        var entry = calendarEvent(event, organizer: organizer, baseURL: baseURL)
        // A cancellation cancels the event in that calendar, whether the event was called off or one seat given back.
        if method == "CANCEL" { entry.status = "CANCELLED" }
        calendar.events = [entry]
        return calendar.render(stamp: now)
    }

    /// Local times in the organizer's zone (TZID), as they announced it; the UID is the same in the invitation and
    /// the feed, so calendars treat them as one event.
    static func calendarEvent(_ event: LiveEvent, organizer: String, baseURL: String?) -> ICalendar.Event {
        let page = baseURL.map { $0 + SiteURL.event(event.id) }
        return ICalendar.Event(
            uid: "event-\(Access.key(event.id!))@bonafide", sequence: event.sequence, start: event.startsAt, end: event.endsAt,
            summary: event.title,
            description: "\(organizer): \(event.title)\nJoin: \(event.videoLink)" + (page.map { "\nQuestions and details: \($0)" } ?? ""),
            url: page, status: event.status == .cancelled ? "CANCELLED" : "CONFIRMED", organizer: organizer,
            timeZone: TimeZone(identifier: event.timeZone) ?? .gmt, location: event.videoLink)
    }

    /// The events the person registered for (and did not cancel), for their personal calendar feed.
    static func calendarEntries(for user: UUID, baseURL: String, on db: any Database) async throws -> [ICalendar.Event] {
        let ids = try await EventRegistration.query(on: db).filter(\.$user.$id == user).filter(\.$cancelledAt == nil).all(\.$event.$id)
        guard !ids.isEmpty else { return [] }
        let events = try await LiveEvent.query(on: db).filter(\.$id ~~ ids).with(\.$organization).sort(\.$startsAt).all()
        return events.map { calendarEvent($0, organizer: $0.organization.name, baseURL: baseURL) }
    }

    // MARK: Reminders

    /// Reminds everyone registered for an event that starts within 24 hours, once. Every server runs this job:
    /// each event is claimed by setting `reminded_at` where it is still empty, which only one UPDATE can do, in
    /// the same transaction as the mails, so a failure leaves it to the next pass rather than unsent.
    @discardableResult
    static func sendReminders(now: Date = Date(), baseURL: String, batch: Int = 100, on db: any Database) async throws -> Int {
        let due = try await LiveEvent.query(on: db).filter(\.$status == .scheduled).filter(\.$remindedAt == nil)
            .filter(\.$startsAt > now).filter(\.$startsAt <= now.addingTimeInterval(reminderLead)).sort(\.$startsAt).limit(batch)
            .all(\.$id)
        var reminded = 0
        for id in due {
            reminded += try await db.writeTransaction { tx in
                let claimed = try await tx.sql().update(LiveEvent.schema).set("reminded_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(id)).where("reminded_at", .is, SQLLiteral.null)
                    .returning("id").all(decoding: ClaimedRow.self)
                guard !claimed.isEmpty, let event = try await LiveEvent.find(id, on: tx), event.status == .scheduled else { return 0 }
                let organizer = try await Organization.find(event.$organization.id, on: tx)?.name ?? ""
                try await tellRegistrants(
                    event, text: "Reminder: “\(event.title)” starts \(Clock(event.timeZone).format(event.startsAt))",
                    detail: "\(organizer): \(when(event)), \(event.durationMinutes) minutes.\nJoin: \(event.videoLink)\n"
                        + "Details and questions: \(baseURL)\(SiteURL.event(event.id))",
                    key: "event-reminder|\(Access.key(id))", calendar: nil, at: now, on: tx)
                return 1
            }
        }
        return reminded
    }

    // MARK: Follow-up survey

    /// A CSAT or NPS survey (`Surveys`) of the attendees, sent at once with their personal answer links. It goes
    /// through the survey service's own steps (create, add recipients, send), which are not one transaction: a
    /// failure midway leaves a survey the organizer sees on the surveys page and can send from there.
    static func followUpSurvey(
        _ id: UUID?, kind: String, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database
    ) async throws -> (survey: Survey, invited: Int) {
        let event = try await organized(id, by: actor, on: db)
        guard SurveyKind(rawValue: kind) != nil else {
            throw Problem.invalid("kind", "The kind must be nps (0-10, would you recommend us) or csat (1-5, how satisfied).")
        }
        guard now >= event.endsAt else { throw Problem(.conflict, "A follow-up survey goes out once the event is over.") }
        let attendees = try await EventRegistration.query(on: db).filter(\.$event.$id == event.id!).filter(\.$attended == true)
            .sort(\.$registeredAt).all()
        guard !attendees.isEmpty else { throw Problem(.conflict, "Mark who attended first: the survey goes to the attendees.") }
        let survey = try await Surveys.create(
            .init(title: String("Follow-up: \(event.title)".prefix(200)), kind: kind, question: nil, campaign: "Events"), by: actor,
            at: now, on: db)
        let segment = String(event.title.prefix(100))
        _ = try await Surveys.addRecipients(
            attendees.map { Surveys.RecipientInput(email: $0.email, name: $0.name, segment: segment) }, partners: false, to: survey,
            by: actor, at: now, on: db)
        let invited = try await Surveys.send(survey, by: actor, baseURL: baseURL, at: now, on: db)
        return (survey, invited)
    }
}

/// The id an `UPDATE … RETURNING id` claimed.
private struct ClaimedRow: Decodable { var id: UUID }
