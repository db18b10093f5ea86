import BonafideCore
import Fluent
import Foundation

/// Changing a planned event, and what those registered are sent when it changes under them: the same calendar entry
/// (one UID) with a higher SEQUENCE, so their calendars replace it rather than add a second one.
extension Events {
    /// What an organizer changes; nil leaves a field as it is. The audience stays: who may see an event is decided
    /// when it is planned, and offers linking it rely on that.
    struct Changes: Sendable {
        var title: String? = nil
        var description: String? = nil
        var startsAt: Date? = nil
        var durationMinutes: Int? = nil
        var timeZone: String? = nil
        var capacity: Int? = nil
        /// Lifts the seat limit; together with a capacity it is refused.
        var unlimitedSeats: Bool = false
        var videoLink: String? = nil
    }

    /// The organizer's owners and admins change a scheduled event until it ends. Seats never go below the people
    /// registered. When the time, the title or the video link changes, everyone registered is told, with an updated
    /// invitation (METHOD:REQUEST, the same UID, a higher SEQUENCE); a new description or seat count is news to nobody.
    /// Decided on the locked event row, which registering also takes: no seat is taken between the count and the change.
    static func update(
        _ id: UUID?, _ changes: Changes, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database
    ) async throws -> Entry {
        let event = try await organized(id, by: actor, on: db)
        guard changes.capacity == nil || !changes.unlimitedSeats else {
            throw Problem.invalid("capacity", "Give a number of seats or lift the limit, not both.")
        }
        let eventID = event.id!
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(LiveEvent.self, eventID) else { throw Problem.notFound("event") }
            guard current.status == .scheduled else { throw Problem(.conflict, "This event was cancelled; it can no longer be changed.") }
            guard current.endsAt > now else { throw Problem(.conflict, "This event is over; it stays as it was held.") }
            let draft = Draft(
                title: changes.title ?? current.title, description: changes.description ?? current.details,
                startsAt: changes.startsAt ?? current.startsAt, durationMinutes: changes.durationMinutes ?? current.durationMinutes,
                timeZone: changes.timeZone ?? current.timeZone,
                capacity: changes.unlimitedSeats ? nil : changes.capacity ?? current.capacity,
                videoLink: changes.videoLink ?? current.videoLink, audience: current.audience)
            let d = try validated(draft, now: now, keepingStart: current.startsAt)
            if let capacity = d.capacity {
                let taken = try await EventRegistration.query(on: tx).filter(\.$event.$id == eventID).filter(\.$cancelledAt == nil).count()
                guard capacity >= taken else {
                    throw Problem.invalid(
                        "capacity", "\(taken) people are registered: keep at least \(taken) seats, or leave the number out for no limit.")
                }
            }
            let newStart = d.startsAt!
            let moved = newStart != current.startsAt || d.durationMinutes != current.durationMinutes || d.timeZone != current.timeZone
            let renamed = d.title != current.title
            let newLink = d.videoLink != current.videoLink
            let was = when(current)
            let oldTitle = current.title
            // A reminder already sent named the old time: the new one is reminded of again.
            if newStart != current.startsAt { current.remindedAt = nil }
            current.title = d.title
            current.details = d.description
            current.startsAt = newStart
            current.durationMinutes = d.durationMinutes
            current.timeZone = d.timeZone
            current.capacity = d.capacity
            current.videoLink = d.videoLink
            guard moved || renamed || newLink else {
                try await current.save(on: tx)
                return try await load(current, on: tx)
            }
            current.sequence += 1
            try await current.save(on: tx)
            let organizer = try await Organization.find(current.$organization.id, on: tx)?.name ?? ""
            var detail: [String] = []
            if renamed { detail.append("It was called “\(oldTitle)”.") }
            if moved { detail.append("New time: \(when(current)), \(current.durationMinutes) minutes (it was \(was)).") }
            detail.append(newLink ? "New video link: \(current.videoLink)" : "Join: \(current.videoLink)")
            detail.append("The attached invitation updates the event in your calendar.")
            try await tellRegistrants(
                current, text: "“\(current.title)” has changed", detail: detail.joined(separator: "\n"),
                key: "event-changed|\(Access.key(eventID))|\(current.sequence)",
                calendar: invitation(current, organizer: organizer, method: "REQUEST", baseURL: baseURL, now: now), at: now, on: tx)
            return try await load(current, on: tx)
        }
    }

    /// Tells the person who gave their seat back, with the calendar cancellation (METHOD:CANCEL, the event's UID):
    /// through `Notifier` for an account, by a plain mail for a registration by address.
    static func tellSeatGivenBack(
        _ registration: EventRegistration, of event: LiveEvent, baseURL: String?, at now: Date, on tx: any Database
    )
        async throws
    {
        let organizer = try await Organization.find(event.$organization.id, on: tx)?.name ?? ""
        let calendar = invitation(event, organizer: organizer, method: "CANCEL", baseURL: baseURL, now: now)
        let text = "Your registration for “\(event.title)” is cancelled"
        let detail =
            "Your seat for \(when(event)) is free for someone else. The attached cancellation takes the event out of your calendar."
        if let userID = registration.$user.id {
            try await Notifier.notify(
                [userID],
                of: .init(
                    kind: .event, text: text, link: SiteURL.event(event.id), detail: detail, about: thread(event),
                    key: "event-seat-given-back|\(Access.key(registration.id!))|\(event.sequence)", calendar: calendar),
                at: now, on: tx)
            return
        }
        let body = """
            Hello \(registration.name),

            \(text).

            \(detail)
            """
        try await mail(registration, about: event, kind: noticeKind, subject: text, body: body, calendar: calendar, at: now, on: tx)
    }
}
