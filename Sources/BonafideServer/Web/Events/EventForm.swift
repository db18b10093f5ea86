import Foundation

/// Planning an event: title, description in Markdown, start in a chosen time zone, length, seats, video link and
/// who sees it. A refused event comes back as typed, with the reason at its field. A pure view.
struct EventForm: Sendable {
    static let fields = ["title", "description", "startsAt", "durationMinutes", "timeZone", "capacity", "videoLink", "visibility"]

    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String
    /// The planner's own zone, chosen until they pick another.
    var defaultZone: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let chosen = values["visibility"].flatMap(Audience.init(rawValue:)) ?? .partners
        let audiences = HTML.options(Audience.allCases, selected: chosen)
        return """
            <section class="card" id="new-event"><h2>Plan an event</h2>
            <p class="muted small">A webinar or a live Q&amp;A. Everyone who may see it can register (for a public event, also without an account);
            they get the invitation for their calendar, a reminder a day before, and can send questions before and during it.</p>
            <form method="post" action="\(SiteURL.events())">\(csrfField(csrf))\(errors.general)
            <label for="event-title">Title</label><input id="event-title" name="title" required maxlength="\(Events.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="event-description">Description <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
            <textarea id="event-description" name="description" rows="5" maxlength="\(Events.maxDescription)"\(errors.invalid("description"))>\(values["description"] ?? "")</textarea>\(errors.message("description"))
            <label for="event-starts">Starts (in the time zone below)</label><input id="event-starts" type="datetime-local" name="startsAt" required value="\(values["startsAt"] ?? "")"\(errors.invalid("startsAt"))>\(errors.message("startsAt"))
            <label for="event-zone">Time zone</label><select id="event-zone" name="timeZone"\(errors.invalid("timeZone"))>\(WebPages.zoneOptions(selected: values["timeZone"] ?? defaultZone))</select>\(errors.message("timeZone"))
            <label for="event-duration">Length in minutes</label><input id="event-duration" type="number" name="durationMinutes" min="\(Events.durations.lowerBound)" max="\(Events.durations.upperBound)" required value="\(values["durationMinutes"] ?? "60")"\(errors.invalid("durationMinutes"))>\(errors.message("durationMinutes"))
            <label for="event-capacity">Seats <span class="muted small">(leave empty for no limit)</span></label><input id="event-capacity" type="number" name="capacity" min="1" max="\(Events.maxCapacity)" value="\(values["capacity"] ?? "")"\(errors.invalid("capacity"))>\(errors.message("capacity"))
            <label for="event-video">Video link <span class="muted small">(https; only those registered see it)</span></label><input id="event-video" type="url" name="videoLink" required maxlength="\(Events.maxLink)" value="\(values["videoLink"] ?? "")"\(errors.invalid("videoLink"))>\(errors.message("videoLink"))
            <label for="event-visibility">Who sees it</label><select id="event-visibility" name="visibility"\(errors.invalid("visibility"))>\(audiences)</select>\(errors.message("visibility"))
            <button>Plan the event</button></form></section>
            """
    }
}
