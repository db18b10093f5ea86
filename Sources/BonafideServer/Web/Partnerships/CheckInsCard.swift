import BonafideCore
import Fluent
import Foundation
import Vapor

/// The Check-ins card of a partnership page: each series with its next meeting, agenda, notes and skipped
/// meetings, and the forms to schedule, add to the agenda, record a meeting or cancel. A pure view of its model.
struct CheckInsCard: Sendable {
    var partnershipID: UUID
    var active: Bool
    var suggestion: Date?
    var checkIns: [CheckInSeries]
    /// A form of this card that was refused, shown again as typed with the reason at its field.
    var refused: Refusal? = nil

    struct Refusal: Sendable {
        enum Form: Equatable, Sendable {
            case schedule
            case agenda(UUID)
            case record(UUID)
        }
        var form: Form
        var values: [String: String]
        var problem: Problem
    }

    static let scheduleFields = ["title", "firstAt", "frequency", "durationMinutes", "videoLink"]

    static func load(_ p: Partnership, sides: [UUID: Organization]? = nil, on db: any Database) async throws -> CheckInsCard {
        let active = p.status == .active
        return CheckInsCard(
            partnershipID: p.id!, active: active,
            suggestion: active ? try await CheckIns.suggestion(for: p, sides: sides, on: db) : nil,
            checkIns: try await CheckInSeries.all(of: p.id!, on: db))
    }

    /// A meeting's time as the record form sends it, in the form `ISO8601DateFormatter` writes and the action reads back
    /// ("2026-12-05T02:55:10Z"), from a formatter made once (making an `ISO8601DateFormatter` per option set up ICU
    /// each time the page was shown).
    static func formValue(_ date: Date) -> String { Clock(nil).format(date, "yyyy-MM-dd'T'HH:mm:ssXXXXX") }

    func render(csrf: String, clock: Clock) -> HTML {
        let token = csrfField(csrf)
        // What was typed into a refused form, and the reason, for that form only.
        func typed(_ form: Refusal.Form) -> (values: [String: String], errors: FieldErrors) {
            guard let refused, refused.form == form else { return ([:], FieldErrors(problem: nil, fields: [])) }
            return (refused.values, FieldErrors(problem: refused.problem, fields: Self.scheduleFields + ["text", "notes", "occursAt"]))
        }
        let series = HTML.join(
            checkIns.map { c in
                let id = c.id.apiString
                let agenda = HTML.join(
                    c.agenda.map { HTML("<li>\($0.text) <span class=\"small muted\">— \($0.author)</span></li>") })
                let notes = HTML.join(
                    c.notes.suffix(3).reversed().map {
                        HTML(
                            "<li><strong>\(clock.format($0.occursAt, "d MMM"))</strong>: \($0.text) <span class=\"small muted\">— \($0.author)</span></li>"
                        )
                    })
                let pending = c.unrecorded.suffix(3).reversed()
                let (recordValues, recordErrors) = typed(.record(c.id))
                let (agendaValues, agendaErrors) = typed(.agenda(c.id))
                let record: HTML =
                    pending.isEmpty || c.cancelledAt != nil
                    ? ""
                    : """
                    <form method="post" action="\(SiteURL.checkInMeeting(partnershipID, c.id))">\(token)
                    \(recordErrors.general)<label for="meeting-\(id)">Record a meeting</label><select id="meeting-\(id)" name="occursAt"\(recordErrors.invalid("occursAt"))>\(HTML.join(pending.map { d in let value = Self.formValue(d); return HTML("<option value=\"\(value)\"\(HTML(raw: recordValues["occursAt"] == value ? " selected" : ""))>\(clock.format(d, "EEE d MMM, HH:mm"))</option>") }))</select>\(recordErrors.message("occursAt"))
                    <label for="notes-\(id)">Notes <span class="muted small">(what you discussed and agreed; needed when held)</span></label><textarea id="notes-\(id)" name="notes" maxlength="10000"\(recordErrors.invalid("notes"))>\(recordValues["notes"] ?? "")</textarea>\(recordErrors.message("notes"))
                    <button class="secondary" name="status" value="held">It was held</button> <button class="secondary" name="status" value="skipped">It was skipped</button></form>
                    """
                let skipped: HTML =
                    c.skipped > 0
                    ? "<p class=\"risk\" id=\"skipped-\(id)\">\(c.skipped) meeting\(c.skipped == 1 ? "" : "s") skipped in the last 90 days.</p>"
                    : ""
                let upcoming: HTML =
                    c.cancelledAt != nil
                    ? "<span class=\"badge danger\">cancelled</span>"
                    : "next: <strong>\(clock.format(c.next, "EEE d MMM, HH:mm"))</strong> (\(c.frequency.label), \(c.durationMinutes) min)"
                let addAgenda: HTML =
                    c.cancelledAt == nil && active
                    ? "<form method=\"post\" action=\"\(SiteURL.checkInAgenda(partnershipID, c.id))\">\(token)\(agendaErrors.general)<label for=\"agenda-\(id)\">Add to the agenda</label><input id=\"agenda-\(id)\" name=\"text\" required maxlength=\"2000\" value=\"\(agendaValues["text"] ?? "")\"\(agendaErrors.invalid("text"))>\(agendaErrors.message("text"))<button class=\"secondary\">Add</button></form>"
                    : ""
                let cancel: HTML =
                    c.cancelledAt == nil
                    ? "<form method=\"post\" action=\"\(SiteURL.checkInCancel(partnershipID, c.id))\">\(token)<button class=\"danger\">Cancel this check-in</button></form>"
                    : ""
                return """
                    <div class="check-in" id="check-in-\(id)"><h3>\(c.title)</h3><p>\(upcoming)\(c.videoLink.isEmpty ? "" : HTML(" · <a href=\"\(c.videoLink)\" rel=\"noopener noreferrer\">video link</a>"))</p>
                    \(skipped)
                    \(c.agenda.isEmpty ? HTML("<p class=\"muted small\">Nothing on the next agenda yet.</p>") : HTML("<p>Agenda:</p><ul>\(agenda)</ul>"))\(addAgenda)
                    \(c.notes.isEmpty ? "" : HTML("<p>Latest notes:</p><ul>\(notes)</ul>"))\(record)\(cancel)</div>
                    """
            })
        let (values, errors) = typed(.schedule)
        func selected(_ frequency: String) -> HTML { HTML(raw: (values["frequency"] ?? "weekly") == frequency ? " selected" : "") }
        let schedule: HTML =
            active
            ? """
            <details\(HTML(raw: refused?.form == .schedule ? " open" : ""))><summary>Schedule a check-in</summary><form method="post" action="\(SiteURL.scheduleCheckIn(partnershipID))">\(token)\(errors.general)
            <label for="checkin-title">Title</label><input id="checkin-title" name="title" maxlength="120" placeholder="Weekly check-in" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="checkin-first">First meeting (your time, \(clock.zone.identifier))</label><input id="checkin-first" name="firstAt" type="datetime-local" required value="\(values["firstAt"] ?? clock.inputValue(suggestion))"\(errors.invalid("firstAt"))>\(errors.message("firstAt"))
            \(suggestion == nil ? HTML("<p class=\"small risk\">Your working hours and theirs never overlap; pick a time that works for both.</p>") : HTML("<p class=\"small muted\">Suggested: the next time both sides are at work.</p>"))
            <label for="checkin-frequency">How often</label><select id="checkin-frequency" name="frequency"\(errors.invalid("frequency"))><option value="weekly"\(selected("weekly"))>Every week</option><option value="biweekly"\(selected("biweekly"))>Every two weeks</option><option value="monthly"\(selected("monthly"))>Every month</option></select>\(errors.message("frequency"))
            <label for="checkin-duration">Minutes</label><input id="checkin-duration" name="durationMinutes" type="number" min="15" max="240" value="\(values["durationMinutes"] ?? "30")"\(errors.invalid("durationMinutes"))>\(errors.message("durationMinutes"))
            <label for="checkin-video">Video link</label><input id="checkin-video" name="videoLink" type="url" maxlength="500" placeholder="https://meet.example.com/…" value="\(values["videoLink"] ?? "")"\(errors.invalid("videoLink"))>\(errors.message("videoLink"))
            <button>Schedule and invite both sides</button></form></details>
            """ : ""
        return """
            <section class="card" id="check-ins"><h2>Check-ins</h2>
            <p class="muted small">Regular conversations keep partners close. Everyone in the partnership gets a calendar invitation by mail;
            <a href="\(SiteURL.partnershipCalendar(partnershipID))">download this partnership's calendar</a>.</p>
            \(checkIns.isEmpty ? HTML("<p class=\"muted\">No check-ins yet.</p>") : series)\(schedule)</section>
            """
    }
}
