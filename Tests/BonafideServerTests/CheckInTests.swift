import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Check-ins")
struct CheckInTests {
    @Test func scheduleInvitesBothSidesWithACalendarInvitationAndAppearsInTheFeed() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let list = try await app.api(.GET, "/partnerships/\(pid)/check-ins", token: a.token)
            #expect(list.status == .ok && (list.body["checkIns"] as? [Any])?.isEmpty == true)
            let suggested = try #require(list.body["suggestedStart"] as? String)
            for (json, field) in [
                (#"{"frequency":"daily"}"#, "frequency"), (#"{"frequency":"weekly","videoLink":"javascript:alert(1)"}"#, "videoLink"),
                (#"{"frequency":"weekly","firstAt":"2001-01-01T10:00:00Z"}"#, "firstAt"),
                (#"{"frequency":"weekly","durationMinutes":5}"#, "durationMinutes"),
                (
                    #"{"frequency":"monthly","firstAt":"\#(Calendar(identifier: .gregorian).component(.year, from: Date()) + 1)-01-30T10:00:00+01:00"}"#,
                    "day 1 to 28"
                ),
            ] {
                let r = try await app.api(.POST, "/partnerships/\(pid)/check-ins", token: a.token, json: json)
                #expect(r.status.code == 400 || r.status.code == 422, "\(json) → \(r.raw)")
                #expect(r.raw.contains(field), "\(json) → \(r.raw)")
            }
            #expect(try await CheckIn.query(on: app.db).count() == 0)
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/check-ins", token: a.token,
                json: #"{"title":"Weekly sync","frequency":"biweekly","videoLink":"https://meet.example.com/abc"}"#)
            #expect(created.status == .created, "\(created.raw)")
            #expect(created.body["firstAt"] as? String == suggested, "the suggestion is the default")
            // Berlin working hours (09:00-17:00 on weekdays) on both sides: the suggestion is inside them.
            let first = try #require(ISO8601DateFormatter().date(from: suggested))
            var berlin = Calendar(identifier: .gregorian)
            berlin.timeZone = TimeZone(identifier: "Europe/Berlin")!
            #expect((9..<17).contains(berlin.component(.hour, from: first)))

            let invitation = try #require(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email).filter(
                    \.$eventKind == NotificationKind.checkIn.rawValue
                ).first())
            let ics = try #require(invitation.calendar).replacingOccurrences(of: "\r\n ", with: "")  // unfolded
            #expect(ics.contains("METHOD:REQUEST") && ics.contains("RRULE:FREQ=WEEKLY;INTERVAL=2"))
            #expect(ics.contains("DTSTART;TZID=Europe/Berlin:") && ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin"))
            #expect(
                ics.contains("LOCATION:https://meet.example.com/abc") && !ics.contains(b.email) && !ics.contains(a.email), "no addresses")
            let mail = NotificationMail.compose(
                invitation, for: try #require(try await User.query(on: app.db).filter(\.$email == b.email).first()),
                context: .init(baseURL: "https://t.example", tokenKey: app.mailTokenKey, replyDomain: nil, requireVerifiedAddresses: false),
                heloName: "t.example", now: Date())
            #expect(mail.rendered(from: "trust@t.example").contains("Content-Type: text/calendar; method=REQUEST; charset=utf-8"))
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == a.email).filter(
                    \.$eventKind == NotificationKind.checkIn.rawValue
                ).count() == 0)

            let url = try #require(try await app.api(.GET, "/me/calendar", token: b.token).body["url"] as? String)
            try await app.testing().test(
                .GET, String(url.dropFirst(app.bonafide.baseURL.count)),
                afterResponse: { res async in
                    let feed = res.body.string
                    #expect(feed.contains("SUMMARY:Weekly sync (Relaunch)") && feed.contains("RRULE:FREQ=WEEKLY;INTERVAL=2"))
                    #expect(feed.contains("UID:checkin-"))
                })
            // The partnership's own calendar download, for its members only.
            let browser = try await Browser.signedIn(app, as: b)
            let download = try await browser.get("/partnerships/\(pid)/calendar.ics")
            #expect(download.status == .ok && download.html.contains("BEGIN:VCALENDAR") && download.html.contains("Weekly sync"))
            let stranger = try await Browser.signedIn(app, as: try await app.register("Eve", org: "Intruder"))
            #expect(try await stranger.get("/partnerships/\(pid)/calendar.ics").status == .notFound)
            let page = try await browser.get("/partnerships/\(pid)")
            #expect(page.html.contains("id=\"check-ins\"") && page.html.contains("Weekly sync"))
        }
    }

    /// A refused check-in form (scheduling, an agenda point) shows the partnership page again with that form as typed
    /// and the reason at its field; nothing is written.
    @Test func refusedCheckInFormsKeepWhatWasTyped() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            let browser = try await Browser.signedIn(app, as: a)
            let refused = try await browser.post(
                "/partnerships/\(pid)/check-ins",
                [
                    "title": "Weekly <sync>", "firstAt": "2020-01-06T10:00", "frequency": "biweekly", "durationMinutes": "45",
                    "videoLink": "https://meet.example.com/abc",
                ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("<details open><summary>Schedule a check-in</summary>"))
            #expect(refused.html.contains(#"id="firstAt-error" role="alert">The first meeting must be in the future, within a year.</p>"#))
            #expect(refused.html.contains(#"value="Weekly &lt;sync&gt;""#) && refused.html.contains(#"<option value="biweekly" selected>"#))
            #expect(refused.html.contains(#"value="45""#) && refused.html.contains(#"value="https://meet.example.com/abc""#))
            #expect(refused.html.contains(#"value="2020-01-06T10:00" aria-invalid="true""#))
            #expect(try await CheckIn.query(on: app.db).count() == 0)

            let first = Date().addingTimeInterval(3_600).rounded900()
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/check-ins", token: a.token, json: #"{"frequency":"weekly","firstAt":"\#(rfc3339(first))"}"#)
            let cid = try #require(created.body["id"] as? String)
            let long = String(repeating: "Budget ", count: 300)
            let agenda = try await browser.post("/partnerships/\(pid)/check-ins/\(cid)/agenda", ["text": long])
            #expect(agenda.status == .unprocessableEntity)
            #expect(agenda.html.contains(#"value="\#(long)" aria-invalid="true" aria-describedby="text-error">"#))
            #expect(agenda.html.contains("An agenda point has 1 to 2000 characters."))
            #expect(!agenda.html.contains("<details open><summary>Schedule a check-in"), "only the refused form is shown as typed")
            let added = try await browser.post("/partnerships/\(pid)/check-ins/\(cid)/agenda", ["text": "Launch plan"])
            #expect(added.status == .seeOther)
            #expect(try await browser.get(added.location ?? "/").html.contains("Added to the agenda."))
        }
    }

    /// The record form offers each pending meeting by its time, which the action reads back with
    /// `ISO8601DateFormatter`: the value is exactly what that formatter writes.
    @Test func theRecordFormSendsEachMeetingTimeAsTheActionReadsIt() {
        for seconds in [1_796_000_000.0, 1_796_000_000.75, 1_780_000_123.4, 1_000_000_000] {
            let date = Date(timeIntervalSince1970: seconds)
            let value = CheckInsCard.formValue(date)
            #expect(value == ISO8601DateFormatter().string(from: date))
            #expect(ISO8601DateFormatter().date(from: value).map { abs($0.timeIntervalSince(date)) < 1 } == true)
        }
    }

    @Test func meetingsAreRecordedOnceHeldOnesCountAsClosenessAndSkippedOnesShow() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let first = Date().addingTimeInterval(3_600).rounded900()
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/check-ins", token: a.token,
                json: #"{"frequency":"weekly","firstAt":"\#(rfc3339(first))"}"#)
            #expect(created.status == .created, "\(created.raw)")
            let cid = try #require(created.body["id"] as? String)
            let agenda = try await app.api(
                .POST, "/partnerships/\(pid)/check-ins/\(cid)/agenda", token: b.token, json: #"{"text":"Launch plan"}"#)
            #expect(agenda.status == .created)
            #expect(
                try await app.api(.POST, "/partnerships/\(pid)/check-ins/\(cid)/agenda", token: b.token, json: #"{"text":"  "}"#).status
                    .code == 422)
            // Not begun yet.
            let early = try await app.api(
                .POST, "/partnerships/\(pid)/check-ins/\(cid)/meetings", token: a.token,
                json: #"{"occursAt":"\#(rfc3339(first))","status":"held","notes":"x"}"#)
            #expect(early.status.code == 422 && early.raw.contains("not begun"))

            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let c = try #require(try await CheckIn.find(UUID(uuidString: cid), on: app.db))
            let alice = Actor(user: try #require(try await User.query(on: app.db).filter(\.$email == a.email).first()))
            let bob = Actor(user: try #require(try await User.query(on: app.db).filter(\.$email == b.email).first()))
            let later = first.addingTimeInterval(8 * 86_400)
            await #expect(throws: Problem.self) {
                _ = try await CheckIns.record(
                    c, meeting: first.addingTimeInterval(60), held: true, notes: "n", in: p, by: alice, now: later, on: app.db)
            }
            await #expect(throws: Problem.self) {
                _ = try await CheckIns.record(c, meeting: first, held: true, notes: "  ", in: p, by: alice, now: later, on: app.db)
            }
            // Both sides record the same meeting at once: one wins, the other is told it is already recorded.
            @Sendable func attempt(held: Bool, by actor: Actor) async -> Bool {
                do {
                    _ = try await CheckIns.record(
                        c, meeting: first, held: held, notes: held ? "Agreed the plan" : nil, in: p, by: actor, now: later, on: app.db)
                    return true
                } catch { return false }
            }
            async let one = attempt(held: true, by: alice)
            async let two = attempt(held: false, by: bob)
            let wins = await [one, two]
            #expect(wins.filter { $0 }.count == 1)
            #expect(try await CheckInMeeting.query(on: app.db).count() == 1)
            #expect(try await PartnershipEvent.query(on: app.db).filter(\.$kind ~~ ["checkin.held", "checkin.skipped"]).count() == 1)
            // The second meeting skipped: visible to both sides.
            _ = try await CheckIns.record(
                c, meeting: first.addingTimeInterval(7 * 86_400), held: false, notes: "Holiday", in: p, by: bob, now: later, on: app.db)
            let overview = try #require(try await CheckIns.overview(of: p, now: later, on: app.db).first)
            #expect(overview.skipped == (wins[0] ? 1 : 2) && overview.meetings.count == 2)
            if wins[0] {
                let evidence = try await TrustService.evidence(
                    viewer: bob.organizationID, subject: alice.organizationID, at: later, on: app.db)
                #expect(evidence.contains { $0.kind == .checkIn && $0.summary.contains("Met in the check-in") })
            }
            // Cancelled: calendars get STATUS:CANCELLED with a higher SEQUENCE; no more agenda.
            #expect(try await app.api(.DELETE, "/partnerships/\(pid)/check-ins/\(cid)", token: b.token).status == .noContent)
            #expect(try await app.api(.DELETE, "/partnerships/\(pid)/check-ins/\(cid)", token: b.token).status == .conflict)
            let cancelMail = try #require(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == a.email).filter(\.$calendar != nil).sort(
                    \.$createdAt, .descending
                ).first())
            #expect(cancelMail.calendar?.contains("METHOD:CANCEL") == true && cancelMail.calendar?.contains("SEQUENCE:1") == true)
            // Another organization cannot touch it.
            let eve = try await app.register("Eve", org: "Intruder")
            #expect(try await app.api(.GET, "/partnerships/\(pid)/check-ins", token: eve.token).status == .notFound)
        }
    }
}

extension Date {
    fileprivate func rounded900() -> Date { Date(timeIntervalSince1970: (timeIntervalSince1970 / 900).rounded(.up) * 900) }
}
