import Foundation

/// Changing a planned event (owners and admins): title, description, start in its zone, length, seats and video link,
/// shown as the event stands. Those registered are told when the time, the title or the link changes, with an
/// updated invitation for their calendar. A refused change comes back as typed, with the reason at its field, and
/// the form open. A pure view.
struct EventEditForm: Sendable {
    static let fields = ["title", "description", "startsAt", "durationMinutes", "timeZone", "capacity", "videoLink"]

    var eventID: UUID
    var values: [String: String]
    /// The start and zone as the event has them: sent back unchanged, they leave the start as it is.
    var shownStart: String
    var shownZone: String
    /// Active registrations: the fewest seats the event may have.
    var registered: Int
    var problem: Problem?
    var csrf: String

    init(_ e: Events.Entry, values: [String: String]? = nil, problem: Problem? = nil, csrf: String) {
        let start = Clock(e.timeZone).inputValue(e.startsAt)
        eventID = e.id
        shownStart = start
        shownZone = e.timeZone
        registered = e.registered
        self.values =
            values ?? [
                "title": e.title, "description": e.description, "startsAt": start, "durationMinutes": String(e.durationMinutes),
                "timeZone": e.timeZone, "capacity": e.capacity.map { String($0) } ?? "", "videoLink": e.videoLink,
            ]
        self.problem = problem
        self.csrf = csrf
    }

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        return """
            <details class="card" id="edit-event"\(HTML(raw: problem != nil ? " open" : ""))><summary>Change the event</summary>
            <p class="muted small">Those registered are told when the time, the title or the video link changes, with an updated invitation for their calendar.</p>
            <form method="post" action="\(SiteURL.eventEdit(eventID))">\(csrfField(csrf))\(errors.general)
            <input type="hidden" name="shownStartsAt" value="\(shownStart)"><input type="hidden" name="shownTimeZone" value="\(shownZone)">
            <label for="edit-title">Title</label><input id="edit-title" name="title" required maxlength="\(Events.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="edit-description">Description <span class="muted small">(Markdown)</span></label>
            <textarea id="edit-description" name="description" rows="5" maxlength="\(Events.maxDescription)"\(errors.invalid("description"))>\(values["description"] ?? "")</textarea>\(errors.message("description"))
            <label for="edit-starts">Starts (in the time zone below)</label><input id="edit-starts" type="datetime-local" name="startsAt" required value="\(values["startsAt"] ?? "")"\(errors.invalid("startsAt"))>\(errors.message("startsAt"))
            <label for="edit-zone">Time zone</label><select id="edit-zone" name="timeZone"\(errors.invalid("timeZone"))>\(WebPages.zoneOptions(selected: values["timeZone"] ?? shownZone))</select>\(errors.message("timeZone"))
            <label for="edit-duration">Length in minutes</label><input id="edit-duration" type="number" name="durationMinutes" min="\(Events.durations.lowerBound)" max="\(Events.durations.upperBound)" required value="\(values["durationMinutes"] ?? "")"\(errors.invalid("durationMinutes"))>\(errors.message("durationMinutes"))
            <label for="edit-capacity">Seats <span class="muted small">(at least the \(registered) registered; empty for no limit)</span></label><input id="edit-capacity" type="number" name="capacity" min="\(max(1, registered))" max="\(Events.maxCapacity)" value="\(values["capacity"] ?? "")"\(errors.invalid("capacity"))>\(errors.message("capacity"))
            <label for="edit-video">Video link <span class="muted small">(https; only those registered see it)</span></label><input id="edit-video" type="url" name="videoLink" required maxlength="\(Events.maxLink)" value="\(values["videoLink"] ?? "")"\(errors.invalid("videoLink"))>\(errors.message("videoLink"))
            <button class="secondary">Save the changes</button></form></details>
            """
    }
}
