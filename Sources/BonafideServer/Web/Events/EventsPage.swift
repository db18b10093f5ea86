import BonafideCore
import Foundation
import Vapor

/// The events the person may see, upcoming first, with the form to plan one for those who run the organization.
/// Who sees what is `Events`' question; `render` is a pure view.
struct EventsPage: Sendable {
    var organizationID: UUID
    var entries: [Events.Entry]
    /// For owners and admins: empty, or refused as typed. Nil for everyone else.
    var form: EventForm?
    var clock: Clock
    var now: Date

    static func load(_ req: Request, for actor: Actor, form: EventForm? = nil, now: Date = Date()) async throws -> Self {
        EventsPage(
            organizationID: actor.organizationID, entries: try await Events.visible(to: .person(actor), now: now, on: req.db),
            form: Policy.canManage(actor) ? (form ?? EventForm(csrf: req.csrfToken, defaultZone: actor.user.timeZone)) : nil,
            clock: Clock(actor.user.timeZone), now: now)
    }

    func render() -> HTML {
        let upcoming = entries.filter { $0.endsAt >= now }
        let past = entries.filter { $0.endsAt < now }
        let empty = EmptyState(
            icon: .conversation, title: "No events yet.",
            text: "Webinars and live Q&amp;A of the organizations you work with show here, and your own organization's too.",
            action: form == nil ? nil : ("Plan the first one", SiteURL.newEventSection), id: "events-empty"
        ).render()
        let list: HTML =
            upcoming.isEmpty
            ? "<section class=\"card\">\(empty)</section>"
            : HTML.join(upcoming.map { Self.item($0, own: $0.organizationID == organizationID, clock: clock) }, separator: "\n")
        let earlier: HTML =
            past.isEmpty
            ? ""
            : "<h2>Past events</h2>\(HTML.join(past.map { Self.item($0, own: $0.organizationID == organizationID, clock: clock) }, separator: "\n"))"
        return """
            <h1>Events</h1>
            <p class="muted">Webinars and live Q&amp;A, each shown to the audience its organizer chose, at times in your own zone.</p>
            <div id="events-list">\(list)</div>
            <div id="events-past">\(earlier)</div>
            \(form?.render() ?? "")
            """
    }

    /// One event in a list: who holds it, when (in the viewer's zone), how full it is, and whether it still takes place.
    static func item(_ e: Events.Entry, own: Bool, clock: Clock) -> HTML {
        let from: HTML = own ? "\(e.organizationName)" : "<a href=\"\(SiteURL.organization(e.organizationID))\">\(e.organizationName)</a>"
        let seats: HTML = e.capacity.map { HTML(" · \(e.registered) of \($0) seats taken") } ?? HTML(" · \(e.registered) registered")
        let status: HTML = e.status == .cancelled ? " · <strong>Cancelled</strong>" : ""
        return """
            <article class="card event" data-event="\(Access.key(e.id))"><p class="small muted">\(from) · \(clock.format(e.startsAt))\(seats)\(status)</p>
            <h2><a href="\(SiteURL.event(e.id))">\(e.title)</a></h2></article>
            """
    }
}
