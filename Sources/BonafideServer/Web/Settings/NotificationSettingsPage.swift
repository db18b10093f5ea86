import BonafideCore
import Fluent
import Foundation
import Vapor

/// The mail part of Settings: what each kind of notification does, quiet hours, working days, the digest hour, and
/// the personal calendar address. Loaded through the services; `render` is a pure view of it.
struct NotificationSettingsPage: Sendable {
    var timeZone: String
    var digestHour: Int
    var quietStart: String
    var quietEnd: String
    var workDays: Set<Int>
    var modes: [(kind: NotificationKind, mode: NotificationMode)]
    var calendarURL: String
    var mailConfigured: Bool

    static func load(_ req: Request, for actor: Actor) async throws -> NotificationSettingsPage {
        let settings = try await Notifier.settings(of: actor.id, on: req.db)
        return NotificationSettingsPage(
            timeZone: actor.user.timeZone, digestHour: settings.digestHour,
            quietStart: settings.quietStart.map(WorkingHours.text(ofMinute:)) ?? "",
            quietEnd: settings.quietEnd.map(WorkingHours.text(ofMinute:)) ?? "", workDays: settings.workDays,
            modes: NotificationKind.allCases.map { ($0, settings.mode(for: $0)) },
            calendarURL: try await CalendarFeed.url(
                for: actor.id, baseURL: req.application.bonafide.baseURL, key: req.application.mailTokenKey, on: req.db),
            mailConfigured: req.application.bonafide.smtp != nil)
    }

    func render(csrf: String) -> HTML {
        let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let days = HTML.join(
            (1...7).map { d in
                "<label class=\"inline\"><input type=\"checkbox\" name=\"day\(d)\" value=\"on\"\(HTML(raw: workDays.contains(d) ? " checked" : ""))> \(dayNames[d - 1])</label> "
            })
        let hours = HTML.join(
            (0...23).map { h in
                "<option value=\"\(h)\"\(HTML(raw: h == digestHour ? " selected" : ""))>\(String(format: "%02d:00", h))</option>"
            })
        let rows = HTML.join(
            modes.map { entry in
                let options = HTML.join(
                    NotificationMode.allCases.map { m in
                        "<option value=\"\(m.rawValue)\"\(HTML(raw: m == entry.mode ? " selected" : ""))>\(m.label)</option>"
                    })
                return """
                    <tr><td><label for="mode-\(entry.kind.rawValue)">\(entry.kind.label)</label></td>
                    <td><select id="mode-\(entry.kind.rawValue)" name="mode_\(entry.kind.rawValue)">\(options)</select></td></tr>
                    """
            })
        let noMail: HTML =
            mailConfigured ? "" : "<p class=\"small muted\">This server sends no mail yet; your choices apply once it does.</p>"
        return """
            <section class="card" id="notifications"><h2>Notifications by mail</h2>
            <p class="muted small">Everything also appears under the bell. Times are in your time zone (\(timeZone)).</p>\(noMail)
            <form method="post" action="\(SiteURL.Settings.notifications())">\(csrfField(csrf))
            <table><thead><tr><th>When</th><th>Mail</th></tr></thead><tbody>\(rows)</tbody></table>
            <fieldset><legend>Quiet hours <span class="muted small">(mail waits until they end; leave both empty for none)</span></legend>
            <label for="quiet-start">From</label><input id="quiet-start" name="quietStart" type="time" value="\(quietStart)">
            <label for="quiet-end">until</label><input id="quiet-end" name="quietEnd" type="time" value="\(quietEnd)"></fieldset>
            <fieldset><legend>Days you want mail <span class="muted small">(on other days it waits for the next one)</span></legend>\(days)</fieldset>
            <label for="digest-hour">Daily digest at</label><select id="digest-hour" name="digestHour">\(hours)</select>
            <button class="secondary">Save notification settings</button></form></section>
            <section class="card" id="calendar"><h2>Your calendar</h2>
            <p class="muted small">Subscribe to this address in your calendar app to see every due date of your partnerships and
            incident review dates. Anyone with the address can read it: keep it to yourself, and make a new one if it leaked.</p>
            <p class="copy" id="calendar-url">\(calendarURL)</p>
            <form method="post" action="\(SiteURL.Settings.resetCalendar())">\(csrfField(csrf))
            <button class="secondary">Make a new address (the old one stops working)</button></form></section>
            """
    }
}
