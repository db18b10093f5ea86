import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// Notifications by mail: what is queued for whom, how it reads, preferences, quiet hours, digests, unsubscribe,
/// reminders, and the calendar feed.
@Suite("Channels")
struct ChannelTests {
    func mails(to email: String, on db: any Database) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: db).filter(\.$toEmail == email).sort(\.$createdAt).all()
    }

    func propose(_ app: Application, _ pid: String, by token: String, title: String = "Audit", dueIn: TimeInterval = 10 * 86_400)
        async throws -> String
    {
        let r = try await app.api(
            .POST, "/partnerships/\(pid)/commitments", token: token,
            json: #"{"title":"\#(title)","dueAt":"\#(rfc3339(Date().addingTimeInterval(dueIn)))"}"#)
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    /// The decoded text of one part of a multipart/alternative mail.
    func part(_ mail: SMTPReceiver.Received, _ type: String) -> String {
        let head = mail.data.components(separatedBy: "\r\n\r\n").first ?? ""
        guard let boundary = head.range(of: "boundary=\"").map({ head[$0.upperBound...].prefix { $0 != "\"" } }) else { return "" }
        for chunk in mail.data.components(separatedBy: "--\(boundary)") where chunk.contains("Content-Type: \(type)") {
            let body = chunk.components(separatedBy: "\r\n\r\n").dropFirst().joined().replacingOccurrences(of: "\r\n", with: "")
            return Data(base64Encoded: body).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return ""
    }

    func context(_ app: Application) -> MailContext {
        MailContext(
            baseURL: "https://trust.example", tokenKey: app.mailTokenKey, replyDomain: "reply.trust.example",
            requireVerifiedAddresses: false)
    }

    @Test func aProposalIsMailedToTheOtherSideAsMultipartWithThreadingUnsubscribeAndAWorkingLink() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            // The invitation went to Bob's address with the link (the page shows it too).
            let invitation = try #require(try await mails(to: b.email, on: app.db).first)
            #expect(invitation.kind == InvitationMail.partnershipKind && invitation.body.contains("/invitations/inv_"))
            #expect(invitation.link == nil, "the secret link is only in the body, which is blanked once sent")
            let cid = try await propose(app, pid, by: a.token)
            let queued = try await mails(to: b.email, on: app.db).filter { $0.kind == Notifier.mailKind }
            #expect(queued.count == 1)
            #expect(queued.first?.eventKind == NotificationKind.commitmentProposed.rawValue)
            #expect(
                try await mails(to: a.email, on: app.db).filter { $0.eventKind == NotificationKind.commitmentProposed.rawValue }.isEmpty,
                "never the actor")

            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            let outcome = try await MailDelivery.deliverDue(
                with: settings, heloName: "trust.example", context: context(app), on: app.db, logger: app.logger)
            #expect(outcome.sent == 3, "the invitation, “Bob accepted your invitation” to Alice, the proposal to Bob")
            let mail = try #require(receiver.received.first { $0.to == [b.email] && $0.data.contains("multipart/alternative") })
            let text = part(mail, "text/plain")
            #expect(text.contains("Alice proposes “Audit” in Relaunch; accept or decline it"), "\(text)")
            #expect(text.contains("https://trust.example/partnerships/\(pid.lowercased())/commitments/\(cid.lowercased())"), "\(text)")
            #expect(part(mail, "text/html").contains("Open it in Bonafide</a>"))
            let root = "<commitment-\(cid.lowercased())@trust.example>"
            #expect(mail.header("In-Reply-To") == root && mail.header("References") == root)
            #expect(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            #expect(mail.header("Reply-To") == nil, "only message mails can be answered by mail")
            // The invitation's secret link is not kept once the mail server took it.
            #expect(try await OutboxMessage.find(invitation.id, on: app.db)?.body == "")

            // Accepting is mailed back to Alice, in the same thread.
            let accepted = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: b.token, json: #"{"action":"accept"}"#)
            #expect(accepted.status == .ok)
            _ = try await MailDelivery.deliverDue(
                with: settings, heloName: "trust.example", context: context(app), on: app.db, logger: app.logger)
            let back = try #require(receiver.received.first { $0.to == [a.email] && $0.data.contains(root) })
            #expect(back.header("References") == root && part(back, "text/plain").contains("Bob accepted “Audit”"))

            // One click from the mail's List-Unsubscribe header stops that kind, for that person only.
            let unsubscribe = try #require(mail.header("List-Unsubscribe")).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            let path = String(unsubscribe.dropFirst("https://trust.example".count))
            try await app.testing().test(
                .POST, path,
                beforeRequest: { req in
                    req.headers.contentType = .urlEncodedForm
                    req.body = ByteBuffer(string: "List-Unsubscribe=One-Click")
                }, afterResponse: { res async in #expect(res.status == .ok) })
            let bob = try #require(try await User.query(on: app.db).filter(\.$email == b.email).first())
            #expect(try await Notifier.settings(of: bob.id!, on: app.db).mode(for: .commitmentProposed) == .off)
            _ = try await propose(app, pid, by: a.token, title: "Second")
            #expect(try await mails(to: b.email, on: app.db).filter { $0.subject.contains("Second") }.isEmpty)
            #expect(try await Notification.query(on: app.db).filter(\.$user.$id == bob.id!).filter(\.$text ~~ "Second").count() == 1)
            // A forged or altered token changes nothing.
            // A changed first character of the token (the last one may only hold padding bits).
            let tokenStart = path.index(path.startIndex, offsetBy: "/unsubscribe/".count)
            let flipped = path.replacingCharacters(in: tokenStart...tokenStart, with: path[tokenStart] == "d" ? "e" : "d")
            for forged in [flipped, path + "A", "/unsubscribe/abc.def"] {
                try await app.testing().test(.POST, forged, afterResponse: { res async in #expect(res.status == .notFound, "\(forged)") })
            }
        }
    }

    @Test func aRetriedEventIsMailedOnceAndQuietHoursHoldTheMailUntilTheyEnd() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let bob = try #require(try await User.query(on: app.db).filter(\.$email == b.email).first())
            // Berlin quiet hours 22:00-07:00, weekdays only.
            try await NotificationPreferences.update(
                bob, with: .init(quietStart: "22:00", quietEnd: "07:00", workDays: [1, 2, 3, 4, 5]), on: app.db)
            let berlin = TimeZone(identifier: "Europe/Berlin")!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = berlin
            // Wednesday 2 December 2026, 23:30 in Berlin.
            let late = calendar.date(from: DateComponents(year: 2026, month: 12, day: 2, hour: 23, minute: 30))!
            let event = Notifier.Event(kind: .messageReceived, text: "Alice wrote", link: "/", key: "test-event")
            try await Notifier.notify([bob.id!], of: event, at: late, on: app.db)
            try await Notifier.notify([bob.id!], of: event, at: late, on: app.db)  // the same event again: a retried job
            let held = try await OutboxMessage.query(on: app.db).filter(\.$dedupeKey != nil).filter(\.$userID == bob.id!)
                .filter(\.$subject == "Alice wrote").all()
            #expect(held.count == 1)
            #expect(held.first?.nextAttemptAt == calendar.date(from: DateComponents(year: 2026, month: 12, day: 3, hour: 7, minute: 0)))
            let early = try await MailDelivery.claim(batch: 50, now: late.addingTimeInterval(3_600), on: app.db)
            #expect(!early.contains { $0.subject == "Alice wrote" })
            let morning = try await MailDelivery.claim(batch: 50, now: late.addingTimeInterval(8 * 3_600), on: app.db)
            #expect(morning.contains { $0.subject == "Alice wrote" })
            // Friday 23:00 waits past the weekend to Monday 07:00.
            let friday = calendar.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 23))!
            try await Notifier.notify(
                [bob.id!], of: .init(kind: .messageReceived, text: "Weekend", link: "/", key: "e2"), at: friday, on: app.db)
            let weekend = try #require(try await OutboxMessage.query(on: app.db).filter(\.$subject == "Weekend").first())
            #expect(weekend.nextAttemptAt == calendar.date(from: DateComponents(year: 2026, month: 12, day: 7, hour: 7)))
            _ = (a, pid)
        }
    }

    @Test func digestCollectsTheDaysNotificationsIntoOneMailAtThePersonsHour() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let bob = try #require(try await User.query(on: app.db).filter(\.$email == b.email).first())
            let put = try await app.api(
                .PUT, "/me/notifications", token: b.token,
                json: #"{"digestHour":9,"modes":{"commitment.proposed":"digest","message.received":"digest"}}"#)
            #expect(put.status == .ok, "\(put.raw)")
            _ = try await propose(app, pid, by: a.token, title: "One")
            _ = try await propose(app, pid, by: a.token, title: "Two")
            let waiting = try await OutboxMessage.query(on: app.db).filter(\.$userID == bob.id!).filter(\.$status == .digest).count()
            #expect(waiting == 2)
            // Not before the digest hour of the next day; then once.
            let row = try await Notifier.settings(of: bob.id!, on: app.db)
            let schedule = row.schedule(timeZone: bob.timeZone)
            let nextHour = schedule.latestDigestMoment(atOrBefore: Date().addingTimeInterval(86_400))
            #expect(try await Notifier.composeDigests(now: nextHour.addingTimeInterval(-60), on: app.db) == 0)
            #expect(try await Notifier.composeDigests(now: nextHour.addingTimeInterval(60), on: app.db) == 1)
            #expect(try await Notifier.composeDigests(now: nextHour.addingTimeInterval(120), on: app.db) == 0)
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            _ = try await MailDelivery.deliverDue(
                with: settings, heloName: "trust.example", context: context(app), now: nextHour.addingTimeInterval(90), on: app.db,
                logger: app.logger)
            let digest = try #require(receiver.received.first { $0.to == [b.email] && $0.data.contains("digest") })
            let text = part(digest, "text/plain")
            #expect(text.contains("“One”") && text.contains("“Two”") && text.contains("https://trust.example/partnerships/"), "\(text)")
        }
    }

    @Test func preferencesRefuseBadValuesAndChangeNothing() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            for (json, field) in [
                (#"{"digestHour":24}"#, "digestHour"), (#"{"quietStart":"25:00","quietEnd":"07:00"}"#, "quietStart"),
                (#"{"quietStart":"22:00"}"#, "quietEnd"), (#"{"quietStart":"07:00","quietEnd":"07:00"}"#, "quietEnd"),
                (#"{"workDays":[0]}"#, "workDays"), (#"{"modes":{"nope":"off"}}"#, "modes"),
                (#"{"digestHour":7,"modes":{"commitment.proposed":"sometimes"}}"#, "modes"),
            ] {
                let r = try await app.api(.PUT, "/me/notifications", token: a.token, json: json)
                #expect(r.status.code == 400 || r.status.code == 422, "\(json) → \(r.raw)")
                #expect(r.raw.contains(field), "\(json) → \(r.raw)")
            }
            let now = try await app.api(.GET, "/me/notifications", token: a.token)
            #expect(now.body["digestHour"] as? Int == 8 && now.body["quietStart"] as? String == "")
            let kinds = now.body["kinds"] as? [[String: Any]] ?? []
            #expect(kinds.count == NotificationKind.allCases.count && kinds.allSatisfy { $0["mode"] as? String == "immediately" })
            let ok = try await app.api(
                .PUT, "/me/notifications", token: a.token,
                json: #"{"quietStart":"21:30","quietEnd":"06:45","workDays":[5,1,1],"modes":{"message.received":"off"}}"#)
            #expect(
                ok.status == .ok && ok.body["quietStart"] as? String == "21:30" && ok.body["workDays"] as? [Int] == [1, 5], "\(ok.raw)")
            #expect(try await app.api(.GET, "/me/notifications").status == .unauthorized)
            // Two changes at once (a save and a one-click unsubscribe, say) both land.
            let user = try #require(try await User.query(on: app.db).filter(\.$email == a.email).first())
            async let one: Void = {
                _ = try await NotificationPreferences.update(user, with: .init(modes: ["commitment.accepted": "digest"]), on: app.db)
            }()
            async let two: [NotificationKind] = NotificationPreferences.unsubscribe(user: user.id!, from: "incident.updated", on: app.db)
            _ = try await (one, two)
            let both = try await Notifier.settings(of: user.id!, on: app.db)
            #expect(
                both.mode(for: .commitmentAccepted) == .digest && both.mode(for: .incidentUpdated) == .off
                    && both.mode(for: .messageReceived) == .off)
            #expect(try await NotificationSettings.query(on: app.db).filter(\.$user.$id == user.id!).count() == 1)
        }
    }

    @Test func dueSoonAndUnansweredQuestionsAreRemindedOnce() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let cid = try await propose(app, pid, by: a.token, dueIn: 30 * 3_600)
            #expect(
                try await app.api(
                    .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: b.token, json: #"{"action":"accept"}"#
                ).status == .ok)
            #expect(try await Notifier.sweepReminders(on: app.db) == 1)
            #expect(try await Notifier.sweepReminders(on: app.db) == 0)
            let dueSoon = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == NotificationKind.commitmentDueSoon.rawValue)
                .all()
            #expect(Set(dueSoon.map(\.toEmail)) == [a.email, b.email])

            let ask = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token,
                json: #"{"body":"Can you share access?","subject":"Access","needsResponse":true}"#)
            #expect(ask.status == .created)
            let asked = try #require(try await Message.query(on: app.db).filter(\.$needsResponse == true).first())
            // Acme works Monday to Friday (the default): not yet after one day, reminded after two working days.
            let after1 = asked.createdAt.addingTimeInterval(86_400)
            #expect(try await Notifier.sweepReminders(now: after1, on: app.db) == 0)
            let after5 = asked.createdAt.addingTimeInterval(5 * 86_400)
            #expect(try await Notifier.sweepReminders(now: after5, on: app.db) == 1)
            #expect(try await Notifier.sweepReminders(now: after5, on: app.db) == 0)
            let reminder = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == NotificationKind.messageReminder.rawValue).all()
            #expect(reminder.map(\.toEmail) == [b.email])
        }
    }

    @Test func calendarFeedAtASecretAddressThatCanBeReset() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let cid = try await propose(app, pid, by: a.token, title: "Launch, phase 1; final")
            let r = try await app.api(.GET, "/me/calendar", token: b.token)
            let url = try #require(r.body["url"] as? String)
            let path = String(url.dropFirst(app.bonafide.baseURL.count))
            var ics = ""
            try await app.testing().test(
                .GET, path,
                afterResponse: { res async in
                    #expect(res.status == .ok)
                    #expect(res.headers.contentType?.description.hasPrefix("text/calendar") == true)
                    ics = res.body.string
                })
            #expect(ics.contains("UID:commitment-\(cid.lowercased())@"))
            #expect(ics.contains("SUMMARY:Due: Launch\\, phase 1\\; final"))
            #expect(ics.contains("STATUS:TENTATIVE") && ics.contains("SEQUENCE:0"))
            #expect(ics.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
            // Declined: the same UID, cancelled, with a higher sequence.
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: b.token,
                json: #"{"action":"decline","reason":"Not now"}"#)
            try await app.testing().test(
                .GET, path,
                afterResponse: { res async in
                    #expect(res.body.string.contains("STATUS:CANCELLED") && res.body.string.contains("SEQUENCE:1"))
                })
            let reset = try await app.api(.POST, "/me/calendar/reset", token: b.token)
            let newURL = try #require(reset.body["url"] as? String)
            #expect(newURL != url)
            for bad in [path, path.replacingOccurrences(of: ".ics", with: "x.ics"), "/calendar/nothing.ics"] {
                try await app.testing().test(.GET, bad, afterResponse: { res async in #expect(res.status == .notFound, "\(bad)") })
            }
            // Another person's token sees their own partnerships only.
            let eve = try await app.register("Eve", org: "Intruder")
            let eveURL = try #require(try await app.api(.GET, "/me/calendar", token: eve.token).body["url"] as? String)
            try await app.testing().test(
                .GET, String(eveURL.dropFirst(app.bonafide.baseURL.count)),
                afterResponse: { res async in
                    #expect(res.status == .ok && !res.body.string.contains("Launch"))
                })
        }
    }

    @Test func scheduleHoldsAndCountsWorkingDays() throws {
        let zone = TimeZone(identifier: "America/New_York")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let s = MailSchedule(quietStart: 20 * 60, quietEnd: 8 * 60, workDays: [1, 2, 3, 4, 5], timeZone: zone)
        let thursdayNoon = calendar.date(from: DateComponents(year: 2026, month: 12, day: 3, hour: 12))!
        #expect(s.nextAllowed(from: thursdayNoon) == thursdayNoon)
        let thursdayNight = calendar.date(from: DateComponents(year: 2026, month: 12, day: 3, hour: 21))!
        #expect(s.nextAllowed(from: thursdayNight) == calendar.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 8)))
        let fridayNight = calendar.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 21))!
        #expect(s.nextAllowed(from: fridayNight) == calendar.date(from: DateComponents(year: 2026, month: 12, day: 7, hour: 8)))
        let fridayAfternoon = calendar.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 15))!
        #expect(
            s.adding(workingDays: 2, to: fridayAfternoon) == calendar.date(from: DateComponents(year: 2026, month: 12, day: 8, hour: 15)))
        // Same-day quiet hours (13:00-14:00) and no quiet hours at all.
        let lunch = MailSchedule(quietStart: 13 * 60, quietEnd: 14 * 60, timeZone: zone)
        let oneThirty = calendar.date(from: DateComponents(year: 2026, month: 12, day: 3, hour: 13, minute: 30))!
        #expect(lunch.nextAllowed(from: oneThirty) == calendar.date(from: DateComponents(year: 2026, month: 12, day: 3, hour: 14)))
        #expect(MailSchedule(timeZone: zone).nextAllowed(from: thursdayNight) == thursdayNight)
    }

    @Test func timeZonesAreDescribedForCalendarApps() throws {
        let day = ISO8601DateFormatter().date(from: "2027-06-01T00:00:00Z")!
        let berlin = ICalendar.vtimezone(TimeZone(identifier: "Europe/Berlin")!, year: day).joined(separator: "\n")
        #expect(
            berlin.contains(
                "BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200"),
            "\(berlin)")
        #expect(
            berlin.contains(
                "BEGIN:STANDARD\nDTSTART:20271031T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100"),
            "\(berlin)")
        let newYork = ICalendar.vtimezone(TimeZone(identifier: "America/New_York")!, year: day).joined(separator: "\n")
        #expect(
            newYork.contains("DTSTART:20270314T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400"),
            "\(newYork)")
        #expect(
            newYork.contains("DTSTART:20271107T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500"),
            "\(newYork)")
        let tokyo = ICalendar.vtimezone(TimeZone(identifier: "Asia/Tokyo")!, year: day).joined(separator: "\n")
        #expect(tokyo.contains("TZOFFSETFROM:+0900\nTZOFFSETTO:+0900") && !tokyo.contains("DAYLIGHT"))
    }

    @Test func iCalendarTextIsEscapedAndFolded() {
        let long = String(repeating: "é", count: 60)
        let cal = ICalendar(
            name: "N",
            events: [
                .init(
                    uid: "u", sequence: 2, start: Date(timeIntervalSince1970: 0), end: nil, summary: long, description: "a\nb;c,d\\e",
                    url: nil, status: "CONFIRMED")
            ])
        let text = cal.render(stamp: Date(timeIntervalSince1970: 0))
        #expect(text.contains("DTSTART:19700101T000000Z"))
        #expect(text.contains("DESCRIPTION:a\\nb\\;c\\,d\\\\e"))
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:\(long)"))
    }
}
