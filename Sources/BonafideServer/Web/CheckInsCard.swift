import BonafideCore
import Foundation
import Vapor

/// The Check-ins card of a partnership page: each series with its next meeting, agenda, notes and skipped
/// meetings, and the forms to schedule, add to the agenda, record a meeting or cancel. A pure view of its model.
struct CheckInsCard: Sendable {
    var partnershipID: UUID
    var active: Bool
    var suggestion: Date?
    var checkIns: [CheckIns.Overview]

    static func load(_ req: Request, _ p: Partnership) async throws -> CheckInsCard {
        let active = p.status == .active
        return CheckInsCard(
            partnershipID: p.id!, active: active, suggestion: active ? try await CheckIns.suggestion(for: p, on: req.db) : nil,
            checkIns: try await CheckIns.overview(of: p, on: req.db))
    }

    func render(csrf: String, clock: Clock) -> HTML {
        let token = HTML(raw: "<input type=\"hidden\" name=\"_csrf\" value=\"\(HTML.escape(csrf))\">")
        let series = HTML.join(
            checkIns.map { o in
                let c = o.checkIn
                let id = c.id!.uuidString
                let agenda = HTML.join(
                    o.agenda.map { HTML("<li>\($0.text) <span class=\"small muted\">— \($0.$author.value?.name ?? "")</span></li>") })
                let notes = HTML.join(
                    o.notes.suffix(3).reversed().map {
                        HTML(
                            "<li><strong>\(clock.format($0.occursAt, "d MMM"))</strong>: \($0.text) <span class=\"small muted\">— \($0.$author.value?.name ?? "")</span></li>"
                        )
                    })
                let pending = o.unrecorded.suffix(3).reversed()
                let record: HTML =
                    pending.isEmpty || c.cancelledAt != nil
                    ? ""
                    : """
                    <form method="post" action="\(SiteURL.checkInMeeting(partnershipID, c.id))">\(token)
                    <label for="meeting-\(id)">Record a meeting</label><select id="meeting-\(id)" name="occursAt">\(HTML.join(pending.map { HTML("<option value=\"\(ISO8601DateFormatter().string(from: $0))\">\(clock.format($0, "EEE d MMM, HH:mm"))</option>") }))</select>
                    <label for="notes-\(id)">Notes <span class="muted small">(what you discussed and agreed; needed when held)</span></label><textarea id="notes-\(id)" name="notes" maxlength="10000"></textarea>
                    <button name="status" value="held">It was held</button> <button class="secondary" name="status" value="skipped">It was skipped</button></form>
                    """
                let skipped: HTML =
                    o.skipped > 0
                    ? "<p class=\"risk\" id=\"skipped-\(id)\">\(o.skipped) meeting\(o.skipped == 1 ? "" : "s") skipped in the last 90 days.</p>"
                    : ""
                let upcoming: HTML =
                    c.cancelledAt != nil
                    ? "<span class=\"badge danger\">cancelled</span>"
                    : "next: <strong>\(clock.format(o.next, "EEE d MMM, HH:mm"))</strong> (\(c.frequency.label), \(c.durationMinutes) min)"
                let addAgenda: HTML =
                    c.cancelledAt == nil && active
                    ? "<form method=\"post\" action=\"\(SiteURL.checkInAgenda(partnershipID, c.id))\">\(token)<label for=\"agenda-\(id)\">Add to the agenda</label><input id=\"agenda-\(id)\" name=\"text\" required maxlength=\"2000\"><button class=\"secondary\">Add</button></form>"
                    : ""
                let cancel: HTML =
                    c.cancelledAt == nil
                    ? "<form method=\"post\" action=\"\(SiteURL.checkInCancel(partnershipID, c.id))\">\(token)<button class=\"danger\">Cancel this check-in</button></form>"
                    : ""
                return """
                    <div class="check-in" id="check-in-\(id)"><h3>\(c.title)</h3><p>\(upcoming)\(c.videoLink.isEmpty ? "" : HTML(" · <a href=\"\(c.videoLink)\" rel=\"noopener noreferrer\">video link</a>"))</p>
                    \(skipped)
                    \(o.agenda.isEmpty ? HTML("<p class=\"muted small\">Nothing on the next agenda yet.</p>") : HTML("<p>Agenda:</p><ul>\(agenda)</ul>"))\(addAgenda)
                    \(o.notes.isEmpty ? "" : HTML("<p>Latest notes:</p><ul>\(notes)</ul>"))\(record)\(cancel)</div>
                    """
            })
        let schedule: HTML =
            active
            ? """
            <details><summary>Schedule a check-in</summary><form method="post" action="\(SiteURL.scheduleCheckIn(partnershipID))">\(token)
            <label for="checkin-title">Title</label><input id="checkin-title" name="title" maxlength="120" placeholder="Weekly check-in">
            <label for="checkin-first">First meeting (your time, \(clock.zone.identifier))</label><input id="checkin-first" name="firstAt" type="datetime-local" required value="\(clock.inputValue(suggestion))">
            \(suggestion == nil ? HTML("<p class=\"small risk\">Your working hours and theirs never overlap; pick a time that works for both.</p>") : HTML("<p class=\"small muted\">Suggested: the next time both sides are at work.</p>"))
            <label for="checkin-frequency">How often</label><select id="checkin-frequency" name="frequency"><option value="weekly">Every week</option><option value="biweekly">Every two weeks</option><option value="monthly">Every month</option></select>
            <label for="checkin-duration">Minutes</label><input id="checkin-duration" name="durationMinutes" type="number" min="15" max="240" value="30">
            <label for="checkin-video">Video link</label><input id="checkin-video" name="videoLink" type="url" maxlength="500" placeholder="https://meet.example.com/…">
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
