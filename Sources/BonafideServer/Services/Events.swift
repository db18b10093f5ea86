import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Webinars and live Q&A. Who may see an event is the same question as who may read an update (`Access`, `.shared`
/// with the event's audience), so a circle change shows or hides it at once. Signed-in people register with their
/// account; for a public event anyone registers with an address and a name and then acts through a personal link
/// (its token is mailed and shown once, and kept only as a digest). Seats are counted on the locked event row, so
/// two people taking the last seat at once get one seat and one 409.
enum Events {
    static let maxTitle = 200
    static let maxDescription = 20_000
    static let maxName = 100
    static let maxLink = 500
    static let maxCapacity = 100_000
    static let durations = 5...(24 * 60)
    /// How far ahead an event may be planned.
    static let horizon: TimeInterval = 5 * 366 * 86_400
    /// The newest events considered for a list; older ones are still found by their address.
    static let listWindow = 500
    /// Registrations without an account per client address in ten minutes: each writes a mail to any address.
    static let registrationsPerClient = 10
    /// The personal link's token starts with this, so a survey or invitation token is never looked up here.
    static let linkPrefix = "ev_"
    /// The confirmation mail with the personal link: a secret, blanked once delivered (`InvitationMail.secretKinds`).
    static let confirmationKind = "event-registration"
    /// Reminders, cancellations and recordings mailed to people registered without an account.
    static let noticeKind = "event-notice"

    struct Draft: Sendable {
        var title: String
        var description: String
        var startsAt: Date?
        var durationMinutes: Int
        var timeZone: String
        var capacity: Int?
        var videoLink: String
        var audience: Audience
    }

    struct Entry: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var title: String
        var description: String
        var startsAt: Date
        var durationMinutes: Int
        var timeZone: String
        var capacity: Int?
        /// Active registrations.
        var registered: Int
        var videoLink: String
        var recordingLink: String?
        var audience: Audience
        var status: EventStatus
        var createdAt: Date

        var endsAt: Date { startsAt.addingTimeInterval(Double(durationMinutes) * 60) }
        var seatsLeft: Int? { capacity.map { max(0, $0 - registered) } }
    }

    /// One registration as its person and the organizer see it.
    struct Seat: Sendable {
        var id: UUID
        var eventID: UUID
        var name: String
        var email: String
        var withAccount: Bool
        var registeredAt: Date
        var cancelledAt: Date?
        var attended: Bool?

        var active: Bool { cancelledAt == nil }
    }

    /// An event as one viewer sees it.
    struct View: Sendable {
        var entry: Entry
        /// The viewer's organization holds it.
        var own: Bool
        /// Owners and admins of that organization: they answer, mark attendance, set the recording, cancel.
        var organizer: Bool
        /// The viewer's registration, active or cancelled.
        var seat: Seat?

        /// The way in is for those registered and the organizer's people, not for everyone who may see the event.
        var videoLink: String? { own || seat?.active == true ? entry.videoLink : nil }
    }

    /// Who acts on an event's questions and registration: a signed-in person, or the holder of a personal link.
    enum Participant: Sendable {
        case person(Actor)
        case link(String)
    }

    // MARK: Creating and reading

    static func create(_ draft: Draft, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        try Policy.manageOrganization(actor)
        let d = try validated(draft, now: now)
        let organizationID = actor.organizationID
        return try await db.writeTransaction { tx in
            guard let organization = try await Organization.find(organizationID, on: tx) else { throw Problem.notFound("organization") }
            let event = LiveEvent()
            event.$organization.id = organizationID
            event.title = d.title
            event.details = d.description
            event.startsAt = d.startsAt!
            event.durationMinutes = d.durationMinutes
            event.timeZone = d.timeZone
            event.capacity = d.capacity
            event.videoLink = d.videoLink
            event.recordingLink = nil
            event.audience = d.audience
            event.status = .scheduled
            event.$createdBy.id = actor.id
            event.createdAt = now
            event.sequence = 0
            try await event.save(on: tx)
            return entry(event, organizationName: organization.name, registered: 0)
        }
    }

    /// The events the subject may see: upcoming and running ones soonest first, then past ones latest first.
    static func visible(
        to subject: Access.Subject, from organization: UUID? = nil, limit: Int = 100, now: Date = Date(), on db: any Database
    ) async throws -> [Entry] {
        var query = LiveEvent.query(on: db).with(\.$organization)
        if let organization { query = query.filter(\.$organization.$id == organization) }
        let candidates = try await query.sort(\.$startsAt, .descending).sort(\.$id).limit(listWindow).all()
        let decisions = try await Access.check(subject, "reader", candidates.map(object), on: db)
        let allowed = zip(candidates, decisions).filter { $0.1.allowed }.map { $0.0 }
        let counts = try await registeredCounts(allowed.compactMap(\.id), on: db)
        let upcoming = allowed.filter { $0.endsAt >= now }.sorted { $0.startsAt < $1.startsAt }
        let past = allowed.filter { $0.endsAt < now }
        return (upcoming + past).prefix(limit).map { entry($0, organizationName: $0.organization.name, registered: counts[$0.id!] ?? 0) }
    }

    /// The event, if the subject may see it; otherwise it is not found.
    static func visibleEvent(_ id: UUID?, for subject: Access.Subject, on db: any Database) async throws -> LiveEvent {
        guard let id, let event = try await LiveEvent.find(id, on: db),
            try await Access.check(subject, "reader", object(event), on: db).allowed
        else { throw Problem.notFound("event") }
        return event
    }

    /// The event as the viewer sees it (a visitor without an account when `actor` is nil).
    static func view(_ id: UUID?, for actor: Actor?, on db: any Database) async throws -> View {
        let event = try await visibleEvent(id, for: actor.map { .person($0) } ?? .anyone, on: db)
        var seat: Seat?
        var own = false
        var organizer = false
        if let actor {
            own = actor.organizationID == event.$organization.id
            organizer = own && Policy.canManage(actor)
            seat = try await EventRegistration.query(on: db).filter(\.$event.$id == event.id!).filter(\.$user.$id == actor.id).first()
                .map(Self.seat)
        }
        return View(entry: try await load(event, on: db), own: own, organizer: organizer, seat: seat)
    }

    /// The event and the registration behind a personal link; a forged or unknown link is not found.
    static func view(link token: String, on db: any Database) async throws -> View {
        let (event, registration) = try await byLink(token, on: db)
        return View(entry: try await load(event, on: db), own: false, organizer: false, seat: seat(registration))
    }

    static func byLink(_ token: String, on db: any Database) async throws -> (LiveEvent, EventRegistration) {
        guard token.hasPrefix(linkPrefix), token.utf8.count <= 200,
            let registration = try await EventRegistration.query(on: db).filter(\.$tokenDigest == Secrets.digest(token)).first(),
            let event = try await LiveEvent.find(registration.$event.id, on: db)
        else { throw Problem(.notFound, "This event link is not valid. Check that the whole link was copied.") }
        return (event, registration)
    }

    /// An event of the actor's organization, for its owners and admins; anyone else's is not found.
    static func organized(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> LiveEvent {
        guard let id, let event = try await LiveEvent.find(id, on: db), event.$organization.id == actor.organizationID else {
            throw Problem.notFound("event")
        }
        try Policy.manageOrganization(actor)
        return event
    }

    /// Every registration of one of the organization's events, in the order they came (the organizer's list).
    static func registrations(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> [Seat] {
        let event = try await organized(id, by: actor, on: db)
        return try await EventRegistration.query(on: db).filter(\.$event.$id == event.id!).sort(\.$registeredAt).sort(\.$id).all()
            .map(seat)
    }

    // MARK: Registering

    /// A signed-in person who may see the event takes a seat; they are told in the app and by mail, with the invitation.
    static func register(_ id: UUID?, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database) async throws -> Seat {
        let event = try await visibleEvent(id, for: .person(actor), on: db)
        let userID = actor.id
        return try await take(
            event.id!, email: Validation.normalizedEmail(actor.user.email), name: actor.user.name, userID: userID, tokenDigest: nil,
            at: now, on: db
        ) { tx, event, registration, organizer in
            try await Notifier.notify(
                [userID],
                of: .init(
                    kind: .event, text: "You are registered for “\(event.title)”", link: SiteURL.event(event.id),
                    detail: "\(organizer): \(when(event)). Join: \(event.videoLink)", about: thread(event),
                    key: "event-registered|\(Access.key(registration.id!))|\(Int(now.timeIntervalSince1970))",
                    calendar: invitation(event, organizer: organizer, method: "REQUEST", baseURL: baseURL, now: now)),
                at: now, on: tx)
        }
    }

    /// Anyone takes a seat at a public event with an address and a name (a customer without an account); any other
    /// event is not found, as to every visitor. Returns the personal link's token, which exists nowhere else than
    /// in this answer and the confirmation mail.
    static func register(
        _ id: UUID?, email rawEmail: String, name rawName: String, baseURL: String, at now: Date = Date(), on db: any Database
    ) async throws -> (seat: Seat, token: String) {
        let event = try await visibleEvent(id, for: .anyone, on: db)
        let email = Validation.normalizedEmail(rawEmail)
        guard Validation.isEmail(email) else {
            throw Problem.invalid("email", "Give the address the confirmation and the reminder go to, such as ana@example.com.")
        }
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxName).contains(name.length) else { throw Problem.invalid("name", "Give your name, 1 to \(maxName) characters.") }
        let token = Secrets.make(prefix: linkPrefix)
        let link = baseURL + SiteURL.eventLink(token)
        let seat = try await take(event.id!, email: email, name: name, userID: nil, tokenDigest: Secrets.digest(token), at: now, on: db) {
            tx, event, registration, organizer in
            let body = """
                Hello \(registration.name),

                you are registered for “\(event.title)” by \(organizer).

                When: \(when(event)), \(event.durationMinutes) minutes.
                Join: \(event.videoLink)

                Your personal link, to ask questions, vote for the ones you want answered and cancel your registration \
                (no account needed; it is yours alone, so keep it to yourself):
                \(link)

                The invitation is attached for your calendar. We will remind you a day before.
                """
            try await mail(
                registration, about: event, kind: confirmationKind, subject: "You are registered: \(event.title)", body: body,
                calendar: invitation(event, organizer: organizer, method: "REQUEST", baseURL: baseURL, now: now), at: now, on: tx)
        }
        return (seat, token)
    }

    /// Takes a seat on the locked event row: the seats are counted after every earlier registration committed.
    /// A cancelled registration of the same address is taken up again (the address stays unique per event).
    private static func take(
        _ eventID: UUID, email: String, name: String, userID: UUID?, tokenDigest: String?, at now: Date, on db: any Database,
        then tell: @escaping @Sendable (any Database, LiveEvent, EventRegistration, String) async throws -> Void
    ) async throws -> Seat {
        do {
            return try await db.writeTransaction { tx in
                guard let event = try await tx.lockedRow(LiveEvent.self, eventID) else { throw Problem.notFound("event") }
                guard event.status == .scheduled else { throw Problem(.conflict, "This event was cancelled; it takes no registrations.") }
                guard event.endsAt > now else { throw Problem(.conflict, "This event is over; it takes no registrations.") }
                let existing = try await EventRegistration.query(on: tx).filter(\.$event.$id == eventID).filter(\.$email == email).first()
                if let existing, existing.cancelledAt == nil {
                    throw Problem(
                        .conflict,
                        existing.tokenDigest == nil
                            ? "You are already registered for this event."
                            : "This address is already registered for the event; the personal link is in its confirmation mail.")
                }
                if let capacity = event.capacity {
                    let taken = try await EventRegistration.query(on: tx).filter(\.$event.$id == eventID).filter(\.$cancelledAt == nil)
                        .count()
                    guard taken < capacity else { throw Problem(.conflict, "The event is full: every seat (\(capacity)) is taken.") }
                }
                let registration = existing ?? EventRegistration()
                registration.$event.id = eventID
                registration.$user.id = userID
                registration.email = email
                registration.name = name
                registration.tokenDigest = tokenDigest
                registration.registeredAt = now
                registration.cancelledAt = nil
                registration.attended = nil
                try await registration.save(on: tx)
                let organizer = try await Organization.find(event.$organization.id, on: tx)?.name ?? ""
                try await tell(tx, event, registration, organizer)
                return seat(registration)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The same address registering twice at once: the unique (event, email) lets one of them through.
            throw Problem(.conflict, "This address is already registered for the event.")
        }
    }

    /// The person (or the holder of the personal link) gives their seat back, until the event is over, and is sent a
    /// calendar cancellation (METHOD:CANCEL) that takes the event out of their calendar.
    static func cancelRegistration(
        _ id: UUID?, as participant: Participant, baseURL: String? = nil, at now: Date = Date(), on db: any Database
    ) async throws -> Seat {
        let (event, found) = try await self.participant(participant, in: id, on: db)
        guard let found else { throw Problem.notFound("registration") }
        return try await db.writeTransaction { tx in
            // The event row first, as registering takes it: the SEQUENCE raised here is the one the cancellation carries,
            // and a later invitation of the same person carries at least as much, so their calendar takes it again.
            guard let current = try await tx.lockedRow(LiveEvent.self, event.id!) else { throw Problem.notFound("event") }
            guard let r = try await tx.lockedRow(EventRegistration.self, found.id!) else { throw Problem.notFound("registration") }
            guard r.cancelledAt == nil else { throw Problem(.conflict, "This registration was already cancelled.") }
            guard current.endsAt > now else { throw Problem(.conflict, "The event is over; its registrations stay as they were.") }
            r.cancelledAt = now
            try await r.save(on: tx)
            // A cancelled event was taken out of every calendar already.
            if current.status == .scheduled {
                current.sequence += 1
                try await current.save(on: tx)
                try await tellSeatGivenBack(r, of: current, baseURL: baseURL, at: now, on: tx)
            }
            return seat(r)
        }
    }

    /// The event and the participant's registration (active or cancelled; nil when they never registered). A
    /// person sees only events they may see; a link holder only the event of their link (any other id: not found).
    static func participant(_ participant: Participant, in id: UUID?, on db: any Database) async throws -> (LiveEvent, EventRegistration?) {
        switch participant {
        case .person(let actor):
            let event = try await visibleEvent(id, for: .person(actor), on: db)
            let registration = try await EventRegistration.query(on: db).filter(\.$event.$id == event.id!).filter(\.$user.$id == actor.id)
                .first()
            return (event, registration)
        case .link(let token):
            let (event, registration) = try await byLink(token, on: db)
            guard let id, event.id == id else { throw Problem.notFound("event") }
            return (event, registration)
        }
    }

    // MARK: The organizer's work

    /// Cancels the event: every registered person is told, with a calendar cancellation (a higher SEQUENCE).
    static func cancel(_ id: UUID?, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database) async throws -> Entry {
        let event = try await organized(id, by: actor, on: db)
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(LiveEvent.self, event.id!) else { throw Problem.notFound("event") }
            guard current.status == .scheduled else { throw Problem(.conflict, "This event was already cancelled.") }
            guard current.endsAt > now else { throw Problem(.conflict, "This event is over; there is nothing left to cancel.") }
            current.status = .cancelled
            current.sequence += 1
            try await current.save(on: tx)
            let organizer = try await Organization.find(current.$organization.id, on: tx)?.name ?? ""
            try await tellRegistrants(
                current, text: "“\(current.title)” is cancelled", detail: "\(organizer) cancelled the event planned for \(when(current)).",
                key: "event-cancelled|\(Access.key(current.id!))",
                calendar: invitation(current, organizer: organizer, method: "CANCEL", baseURL: baseURL, now: now), at: now, on: tx)
            return try await load(current, on: tx)
        }
    }

    /// Marks who came, once the event has started; all the ids must be this event's, or nothing is marked.
    static func markAttendance(
        _ id: UUID?, registrations ids: [UUID], attended: Bool, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> [Seat] {
        let event = try await organized(id, by: actor, on: db)
        let wanted = Set(ids)
        guard (1...1_000).contains(wanted.count) else { throw Problem.invalid("registrationIds", "Name 1 to 1,000 registrations.") }
        guard now >= event.startsAt else { throw Problem(.conflict, "Attendance is marked once the event has started.") }
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(LiveEvent.self, event.id!) else { throw Problem.notFound("event") }
            guard current.status == .scheduled else { throw Problem(.conflict, "This event was cancelled; nobody attended it.") }
            let rows = try await EventRegistration.query(on: tx).filter(\.$event.$id == event.id!).filter(\.$id ~~ Array(wanted)).all()
            guard rows.count == wanted.count else {
                throw Problem.invalid("registrationIds", "Some of these ids are not registrations for this event; nothing was marked.")
            }
            for r in rows {
                r.attended = attended
                try await r.save(on: tx)
            }
            return rows.sorted { $0.registeredAt < $1.registeredAt }.map(seat)
        }
    }

    /// Sets the recording's address once the event has started; the first time, those registered are told.
    static func setRecording(_ id: UUID?, link raw: String, by actor: Actor, at now: Date = Date(), on db: any Database) async throws
        -> Entry
    {
        let event = try await organized(id, by: actor, on: db)
        let link = try httpsLink(raw, field: "recordingLink", what: "The recording link")
        guard now >= event.startsAt else { throw Problem(.conflict, "The recording link is set once the event has started.") }
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(LiveEvent.self, event.id!) else { throw Problem.notFound("event") }
            guard current.status == .scheduled else { throw Problem(.conflict, "This event was cancelled; it has no recording.") }
            let first = current.recordingLink == nil
            current.recordingLink = link
            try await current.save(on: tx)
            if first {
                try await tellRegistrants(
                    current, text: "The recording of “\(current.title)” is online", detail: "Watch it: \(link)",
                    key: "event-recording|\(Access.key(current.id!))", calendar: nil, at: now, on: tx)
            }
            return try await load(current, on: tx)
        }
    }

    // MARK: Helpers

    /// `keepingStart`: the start the event has; a draft that keeps it need not start in the future (an event under
    /// way is changed without moving it).
    static func validated(_ draft: Draft, now: Date, keepingStart: Date? = nil) throws -> Draft {
        var d = draft
        d.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        d.description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxTitle).contains(d.title.length) else {
            throw Problem.invalid("title", "An event needs a title of 1 to \(maxTitle) characters.")
        }
        guard d.description.length <= maxDescription else {
            throw Problem.invalid("description", "The description has at most \(maxDescription) characters (Markdown).")
        }
        guard let start = d.startsAt else { throw Problem.invalid("startsAt", "Give the date and time the event starts.") }
        if start != keepingStart {
            guard start > now, start < now.addingTimeInterval(horizon) else {
                throw Problem.invalid("startsAt", "An event starts in the future, within five years.")
            }
        }
        guard durations.contains(d.durationMinutes) else {
            throw Problem.invalid("durationMinutes", "An event lasts \(durations.lowerBound) to \(durations.upperBound) minutes.")
        }
        d.timeZone = draft.timeZone.trimmingCharacters(in: .whitespaces)
        guard Validation.isTimeZone(d.timeZone) else {
            throw Problem.invalid("timeZone", "Give the time zone as an IANA name, such as Europe/Berlin or America/New_York.")
        }
        if let capacity = d.capacity {
            guard (1...maxCapacity).contains(capacity) else {
                throw Problem.invalid("capacity", "Seats go from 1 to \(maxCapacity); leave the number out for no limit.")
            }
        }
        d.videoLink = try httpsLink(draft.videoLink, field: "videoLink", what: "The video link")
        return d
    }

    /// An https address with a host: links go into mails and calendars, so nothing else is taken.
    static func httpsLink(_ raw: String, field: String, what: String) throws -> String {
        let link = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard link.utf8.count <= maxLink, let url = URL(string: link), url.scheme?.lowercased() == "https", url.host?.isEmpty == false,
            !link.contains(where: { $0.isWhitespace })
        else { throw Problem.invalid(field, "\(what) must be an https address such as https://meet.example.com/abc.") }
        return link
    }

    /// Each event is its own object: checked in one batch, events sharing a name would pool their audiences.
    static func object(_ event: LiveEvent) -> Access.Object {
        .shared(organization: event.$organization.id, name: "event-\(Access.key(event.id!))", audience: event.audience)
    }

    static func thread(_ event: LiveEvent) -> String { "event:\(Access.key(event.id!))" }

    /// "Tue 17 Nov 2026, 18:00 CET (Europe/Berlin)": as the organizer speaks of it.
    static func when(_ event: LiveEvent) -> String { "\(Clock(event.timeZone).format(event.startsAt)) (\(event.timeZone))" }

    static func registeredCounts(_ ids: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await EventRegistration.query(on: db).filter(\.$event.$id ~~ ids).filter(\.$cancelledAt == nil).all(\.$event.$id)
        return rows.reduce(into: [UUID: Int]()) { $0[$1, default: 0] += 1 }
    }

    static func load(_ event: LiveEvent, on db: any Database) async throws -> Entry {
        let name = try await Organization.find(event.$organization.id, on: db)?.name ?? ""
        return entry(event, organizationName: name, registered: try await registeredCounts([event.id!], on: db)[event.id!] ?? 0)
    }

    static func entry(_ e: LiveEvent, organizationName: String, registered: Int) -> Entry {
        Entry(
            id: e.id!, organizationID: e.$organization.id, organizationName: organizationName, title: e.title, description: e.details,
            startsAt: e.startsAt, durationMinutes: e.durationMinutes, timeZone: e.timeZone, capacity: e.capacity, registered: registered,
            videoLink: e.videoLink, recordingLink: e.recordingLink, audience: e.audience, status: e.status, createdAt: e.createdAt)
    }

    static func seat(_ r: EventRegistration) -> Seat {
        Seat(
            id: r.id!, eventID: r.$event.id, name: r.name, email: r.email, withAccount: r.$user.id != nil, registeredAt: r.registeredAt,
            cancelledAt: r.cancelledAt, attended: r.attended)
    }
}
