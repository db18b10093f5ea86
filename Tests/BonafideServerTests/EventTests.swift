import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Events and live Q&A")
struct EventTests {
    /// 18:00 in Berlin, in winter (UTC+1).
    static let start = "2030-01-15T17:00:00Z"

    @discardableResult
    func plan(
        _ app: Application, _ owner: Account, title: String, visibility: String, start: String = EventTests.start, capacity: Int? = nil
    ) async throws -> String {
        let seats = capacity.map { #","capacity":\#($0)"# } ?? ""
        let r = try await app.api(
            .POST, "/events", token: owner.token,
            json:
                #"{"title":"\#(title)","description":"We show **the roadmap**.","startsAt":"\#(start)","durationMinutes":60,"timeZone":"Europe/Berlin","videoLink":"https://meet.example.com/q4","visibility":"\#(visibility)"\#(seats)}"#
        )
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    func titles(_ app: Application, token: String?) async throws -> [String] {
        let r = try await app.api(.GET, "/events", token: token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list.compactMap { $0["title"] as? String }
    }

    func actorOf(_ app: Application, _ account: Account) async throws -> Actor {
        Actor(user: try #require(try await User.find(UUID(uuidString: account.id), on: app.db)))
    }

    /// An event that runs from `startsIn` seconds from now (negative: it began already), planned through the service
    /// at an earlier moment, since the API takes only events in the future.
    func running(_ app: Application, _ owner: Account, startsIn: TimeInterval, minutes: Int = 60, audience: Audience = .public)
        async throws -> LiveEvent
    {
        let now = Date()
        let entry = try await Events.create(
            .init(
                title: "Live Q&A", description: "", startsAt: now.addingTimeInterval(startsIn), durationMinutes: minutes,
                timeZone: "Europe/Berlin", capacity: nil, videoLink: "https://meet.example.com/live", audience: audience),
            by: try await actorOf(app, owner), at: now.addingTimeInterval(min(startsIn, 0) - 60), on: app.db)
        return try #require(try await LiveEvent.find(entry.id, on: app.db))
    }

    /// The decoded text of one part of a multipart mail.
    func mailPart(_ mail: SMTPReceiver.Received, _ type: String) -> String {
        let head = mail.data.components(separatedBy: "\r\n\r\n").first ?? ""
        guard let boundary = head.range(of: "boundary=\"").map({ head[$0.upperBound...].prefix { $0 != "\"" } }) else { return "" }
        for chunk in mail.data.components(separatedBy: "--\(boundary)") where chunk.contains("Content-Type: \(type)") {
            let body = chunk.components(separatedBy: "\r\n\r\n").dropFirst().joined().replacingOccurrences(of: "\r\n", with: "")
            return Data(base64Encoded: body).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return ""
    }

    /// The properties of the first VEVENT of an iCalendar text, unfolded: name (with its parameters) to value.
    func vevent(_ ics: String) -> [String: String] {
        let lines = ics.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
        guard let begin = lines.firstIndex(of: "BEGIN:VEVENT"), let end = lines[begin...].firstIndex(of: "END:VEVENT") else { return [:] }
        var properties: [String: String] = [:]
        for line in lines[(begin + 1)..<end] {
            guard let colon = line.firstIndex(of: ":") else { continue }
            properties[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return properties
    }

    @Test func eventsReachTheirAudienceAndOthersGetNotFound() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let briefing = try await plan(app, a, title: "Partner briefing", visibility: "partners")
            let webinar = try await plan(app, a, title: "Open webinar", visibility: "public", start: "2030-01-16T17:00:00Z")

            #expect(try await titles(app, token: a.token) == ["Partner briefing", "Open webinar"], "one's own, soonest first")
            #expect(try await titles(app, token: b.token) == ["Partner briefing", "Open webinar"])
            #expect(try await titles(app, token: c.token) == ["Open webinar"])
            #expect(try await titles(app, token: nil) == ["Open webinar"])
            // A stranger and a visitor are told the partners-only event does not exist, and cannot register for it.
            #expect(try await app.api(.GET, "/events/\(briefing)", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/events/\(briefing)").status == .notFound)
            #expect(try await app.api(.POST, "/events/\(briefing)/registrations", token: c.token, json: "{}").status == .notFound)
            #expect(
                try await app.api(.POST, "/events/\(briefing)/registrations", json: #"{"email":"eve@x.example","name":"Eve"}"#).status
                    == .notFound)
            #expect(try await app.api(.GET, "/events/\(webinar)").status == .ok)

            // The way in is for those registered: the partner sees it once registered, with the invitation in the mail.
            let before = try await app.api(.GET, "/events/\(briefing)", token: b.token)
            #expect(before.status == .ok && before.body["videoLink"] == nil && before.body["registration"] == nil, "\(before.raw)")
            #expect((before.body["descriptionHtml"] as? String)?.contains("<strong>the roadmap</strong>") == true, "\(before.raw)")
            let registered = try await app.api(.POST, "/events/\(briefing)/registrations", token: b.token, json: "{}")
            #expect(registered.status == .created && registered.body["withAccount"] as? Bool == true, "\(registered.raw)")
            #expect(registered.body["personalLink"] == nil, "a person with an account needs no personal link")
            let after = try await app.api(.GET, "/events/\(briefing)", token: b.token)
            #expect(after.body["videoLink"] as? String == "https://meet.example.com/q4" && after.body["registered"] as? Int == 1)
            #expect(try await app.api(.POST, "/events/\(briefing)/registrations", token: b.token, json: "{}").status == .conflict)
            let told = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                .filter(\.$eventKind == NotificationKind.event.rawValue).all()
            #expect(told.count == 1 && told.first?.calendar?.contains("METHOD:REQUEST") == true)

            // The registered event is in the person's calendar feed, in the organizer's zone.
            let url = try #require(try await app.api(.GET, "/me/calendar", token: b.token).body["url"] as? String)
            var ics = ""
            try await app.testing().test(
                .GET, String(url.dropFirst(app.bonafide.baseURL.count)), afterResponse: { res async in ics = res.body.string })
            let entry = vevent(ics)
            #expect(entry["UID"] == "event-\(briefing.lowercased())@bonafide", "\(ics)")
            #expect(entry["SUMMARY"] == "Partner briefing" && entry["DTSTART;TZID=Europe/Berlin"] == "20300115T180000")
            // Given back: out of the feed, the seat free again.
            #expect(try await app.api(.DELETE, "/events/\(briefing)/registrations", token: b.token).status == .ok)
            #expect(try await app.api(.DELETE, "/events/\(briefing)/registrations", token: b.token).status == .conflict)
            try await app.testing().test(
                .GET, String(url.dropFirst(app.bonafide.baseURL.count)),
                afterResponse: { res async in #expect(!res.body.string.contains("Partner briefing")) })
        }
    }

    @Test func aCustomerWithoutAnAccountRegistersByMailAsksAndVotesThroughThePersonalLink() async throws {
        let receiver = try await SMTPReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let id = try await plan(app, a, title: "Open webinar", visibility: "public")

            let r = try await app.api(
                .POST, "/events/\(id)/registrations", json: #"{"email":" Ana@Customer.example ","name":"Ana Ruiz"}"#)
            #expect(r.status == .created, "\(r.raw)")
            #expect(r.body["email"] as? String == "ana@customer.example" && r.body["withAccount"] as? Bool == false)
            let link = try #require(r.body["personalLink"] as? String)
            #expect(link.hasPrefix(app.bonafide.baseURL + "/e/ev_"))
            let token = String(link.split(separator: "/").last ?? "")
            // Only the digest is stored.
            let stored = try #require(try await EventRegistration.query(on: app.db).filter(\.$email == "ana@customer.example").first())
            #expect(stored.tokenDigest == Secrets.digest(token) && stored.tokenDigest != token)
            #expect(
                try await app.api(.POST, "/events/\(id)/registrations", json: #"{"email":"ana@customer.example","name":"Ana"}"#).status
                    == .conflict, "one seat per address, and no second link for it")

            // The confirmation goes through the mail server with the link and the invitation for the calendar.
            let settings = try SMTPSettings.parse(url: "smtp://127.0.0.1:\(receiver.port)", from: "trust@bonafide.test")
            _ = try await MailDelivery.deliverDue(
                with: settings, heloName: "bonafide.test", context: app.mailContext, on: app.db, logger: app.logger)
            let mail = try #require(receiver.received.first { $0.to == ["ana@customer.example"] })
            #expect(mail.header("Subject") == "You are registered: Open webinar")
            let text = mailPart(mail, "text/plain")
            #expect(text.contains(link) && text.contains("Join: https://meet.example.com/q4"), "\(text)")
            let ics = mailPart(mail, "text/calendar")
            #expect(ics.contains("METHOD:REQUEST"), "\(mail.data.prefix(600))")
            let entry = vevent(ics)
            #expect(entry["DTSTART;TZID=Europe/Berlin"] == "20300115T180000", "\(entry)")
            #expect(entry["DTEND;TZID=Europe/Berlin"] == "20300115T190000")
            #expect(entry["SUMMARY"] == "Open webinar" && entry["UID"] == "event-\(id.lowercased())@bonafide")
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example").first()?.body == "",
                "the secret link is not kept once delivered")

            // The personal link opens the page without an account.
            let page = try await Browser(app).get("/e/\(token)")
            #expect(page.status == .ok && page.html.contains("You are registered.") && page.html.contains("Open webinar"), "\(page.html)")

            // Ana asks through her link; Bob (registered with his account) and Ana vote; a second vote counts nothing.
            let ana = [("X-Event-Token", token)]
            let asked = try await app.api(
                .POST, "/events/\(id)/questions", json: #"{"text":"Will there be an API for partners?"}"#, headers: ana)
            #expect(asked.status == .created && asked.body["mine"] as? Bool == true, "\(asked.raw)")
            let qid = asked.body["id"] as? String ?? ""
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            #expect(try await app.api(.POST, "/events/\(id)/questions/\(qid)/votes", headers: ana).status == .created)
            #expect(try await app.api(.POST, "/events/\(id)/questions/\(qid)/votes", token: b.token).status == .created)
            #expect(try await app.api(.POST, "/events/\(id)/questions/\(qid)/votes", token: b.token).status == .conflict)
            // Cleo may see the event but is not registered: she reads the questions and cannot vote or ask.
            #expect(try await app.api(.POST, "/events/\(id)/questions/\(qid)/votes", token: c.token).status == .forbidden)
            #expect(
                try await app.api(.POST, "/events/\(id)/questions", token: c.token, json: #"{"text":"Hi"}"#).status == .forbidden)
            // A forged token is not found, and a link works only for its own event.
            #expect(
                try await app.api(.POST, "/events/\(id)/questions/\(qid)/votes", headers: [("X-Event-Token", "ev_forged")]).status
                    == .notFound)
            let other = try await plan(app, a, title: "Another", visibility: "public")
            #expect(try await app.api(.GET, "/events/\(other)/questions", headers: ana).status == .notFound)

            let listed = try await app.api(.GET, "/events/\(id)/questions", headers: ana)
            #expect(listed.list.first?["votes"] as? Int == 2 && listed.list.first?["votedByYou"] as? Bool == true, "\(listed.raw)")
            #expect(listed.list.first?["askedBy"] == nil, "only the organizer sees who asked")
            #expect(try await EventQuestionVote.query(on: app.db).count() == 2)

            // The organizer answers; the answer is kept, a second one refused, and strangers cannot answer.
            let answerURL = "/events/\(id)/questions/\(qid)/answer"
            #expect(try await app.api(.POST, answerURL, token: b.token, json: #"{"answer":"Yes"}"#).status == .notFound)
            let answered = try await app.api(.POST, answerURL, token: a.token, json: #"{"answer":"Yes, in March."}"#)
            #expect(answered.status == .ok && answered.body["askedBy"] as? String == "Ana Ruiz", "\(answered.raw)")
            #expect(try await app.api(.POST, answerURL, token: a.token, json: #"{"answer":"Again"}"#).status == .conflict)
            let public_ = try await app.api(.GET, "/events/\(id)/questions")
            #expect(public_.list.first?["answer"] as? String == "Yes, in March." && public_.list.first?["answeredAt"] != nil)

            // Ana gives her seat back through the link.
            #expect(try await app.api(.DELETE, "/events/\(id)/registrations", headers: ana).body["cancelledAt"] != nil)
            #expect(try await app.api(.POST, "/events/\(id)/questions", json: #"{"text":"More?"}"#, headers: ana).status == .forbidden)
        }
    }

    @Test func twoPeopleForTheLastSeatGetOneSeatAndOneConflict() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let id = try await plan(app, a, title: "Small room", visibility: "public", capacity: 1)
            let statuses = try await together(2) { i in
                try await app.api(.POST, "/events/\(id)/registrations", json: #"{"email":"p\#(i)@cust.example","name":"P\#(i)"}"#).status
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.created, .conflict], "\(statuses)")
            #expect(try await EventRegistration.query(on: app.db).count() == 1)
            let full = try await app.api(.POST, "/events/\(id)/registrations", json: #"{"email":"late@cust.example","name":"Late"}"#)
            #expect(full.status == .conflict && (full.body["detail"] as? String)?.contains("full") == true, "\(full.raw)")
            #expect(try await app.api(.GET, "/events/\(id)").body["seatsLeft"] as? Int == 0)
        }
    }

    @Test func theReminderGoesOnceToEveryoneRegistered() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let soon = try await running(app, a, startsIn: 2 * 3_600)
            let later = try await running(app, a, startsIn: 3 * 86_400)
            let bob = try await actorOf(app, b)
            let base = app.bonafide.baseURL
            for event in [soon, later] {
                _ = try await Events.register(event.id, by: bob, baseURL: base, on: app.db)
                _ = try await Events.register(event.id, email: "ana@customer.example", name: "Ana", baseURL: base, on: app.db)
            }
            // Run twice, as two servers or two passes would: the reminder goes once, and only for the event within a day.
            #expect(try await Events.sendReminders(now: Date(), baseURL: base, on: app.db) == 1)
            #expect(try await Events.sendReminders(now: Date(), baseURL: base, on: app.db) == 0)
            let anas = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example")
                .filter(\.$kind == Events.noticeKind).all()
            #expect(anas.count == 1 && anas.first?.subject.hasPrefix("Reminder: “Live Q&A” starts") == true, "\(anas.map(\.subject))")
            #expect(anas.first?.body.contains("Join: https://meet.example.com/live") == true)
            let bobs = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email)
                .filter(\.$eventKind == NotificationKind.event.rawValue).all().filter { $0.subject.hasPrefix("Reminder") }
            #expect(bobs.count == 1)
            #expect(try await LiveEvent.find(soon.id, on: app.db)?.remindedAt != nil)
            #expect(try await LiveEvent.find(later.id, on: app.db)?.remindedAt == nil)
        }
    }

    @Test func questionsCloseAtTheEndAndAttendanceIsMarkedAfterTheStart() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let alice = try await actorOf(app, a)
            let base = app.bonafide.baseURL
            // Over already: registered while it ran, a question now is too late.
            let past = try await running(app, a, startsIn: -2 * 3_600)
            let (_, token) = try await Events.register(
                past.id, email: "ana@customer.example", name: "Ana", baseURL: base, at: Date().addingTimeInterval(-90 * 60), on: app.db)
            let late = try await app.api(
                .POST, "/events/\(Access.key(past.id!))/questions", json: #"{"text":"Still there?"}"#, headers: [("X-Event-Token", token)])
            #expect(late.status == .conflict, "\(late.raw)")
            #expect(try await EventQuestion.query(on: app.db).count() == 0)

            // Running now: attendance is marked through the API; a registration of another event is refused with nothing marked.
            let live = try await running(app, a, startsIn: -600)
            let lid = Access.key(live.id!)
            #expect(try await app.api(.POST, "/events/\(lid)/registrations", token: b.token, json: "{}").status == .created)
            let seats = try await app.api(.GET, "/events/\(lid)/registrations", token: a.token)
            let rid = try #require(seats.list.first?["id"] as? String)
            #expect(try await app.api(.GET, "/events/\(lid)/registrations", token: b.token).status == .notFound)
            let foreign = try await EventRegistration.query(on: app.db).filter(\.$event.$id == past.id!).first()!.id!
            let mixed = try await app.api(
                .POST, "/events/\(lid)/attendance", token: a.token, json: #"{"registrationIds":["\#(rid)","\#(foreign)"],"attended":true}"#)
            #expect(mixed.status == .unprocessableEntity)
            #expect(try await EventRegistration.query(on: app.db).filter(\.$attended != nil).count() == 0)
            let marked = try await app.api(
                .POST, "/events/\(lid)/attendance", token: a.token, json: #"{"registrationIds":["\#(rid)"],"attended":true}"#)
            #expect(marked.status == .ok && marked.list.first?["attended"] as? Bool == true, "\(marked.raw)")
            // Not before the start.
            let coming = try await plan(app, a, title: "Next month", visibility: "partners")
            #expect(try await app.api(.POST, "/events/\(coming)/registrations", token: b.token, json: "{}").status == .created)
            let early = try await app.api(.GET, "/events/\(coming)/registrations", token: a.token).list.first?["id"] as? String ?? ""
            #expect(
                try await app.api(
                    .POST, "/events/\(coming)/attendance", token: a.token, json: #"{"registrationIds":["\#(early)"],"attended":true}"#
                ).status == .conflict)

            // The recording, and once it is over a CSAT survey to the attendees through the survey machinery.
            let recorded = try await app.api(
                .POST, "/events/\(lid)/recording", token: a.token, json: #"{"recordingLink":"https://video.example.com/rec"}"#)
            #expect(recorded.status == .ok && recorded.body["recordingLink"] as? String == "https://video.example.com/rec")
            let (survey, invited) = try await Events.followUpSurvey(
                live.id, kind: "csat", by: alice, baseURL: base, at: live.endsAt.addingTimeInterval(60), on: app.db)
            #expect(invited == 1 && survey.kind == .csat)
            #expect(try await SurveyRecipient.query(on: app.db).filter(\.$survey.$id == survey.id!).all().map(\.email) == [b.email])
        }
    }

    @Test func badInputIsRefusedAndWritesNothing() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let member = try await app.invitedMember(of: a, role: "member")
            func body(_ change: [String: Any]) -> String {
                var b: [String: Any] = [
                    "title": "Webinar", "startsAt": EventTests.start, "durationMinutes": 60, "timeZone": "Europe/Berlin",
                    "videoLink": "https://meet.example.com/x", "visibility": "public",
                ]
                for (k, v) in change { b[k] = v }
                return String(decoding: try! JSONSerialization.data(withJSONObject: b), as: UTF8.self)
            }
            let cases: [(String, String?, HTTPStatus)] = [
                (body(["title": "  "]), a.token, .unprocessableEntity),
                (body(["timeZone": "PST"]), a.token, .unprocessableEntity),
                (body(["videoLink": "http://meet.example.com/x"]), a.token, .unprocessableEntity),
                (body(["videoLink": "javascript:alert(1)"]), a.token, .unprocessableEntity),
                (body(["capacity": 0]), a.token, .unprocessableEntity),
                (body(["durationMinutes": 2]), a.token, .unprocessableEntity),
                (body(["startsAt": "2020-01-01T10:00:00Z"]), a.token, .unprocessableEntity),
                (body(["visibility": "friends"]), a.token, .unprocessableEntity),
                (body([:]), member.token, .forbidden),
                (body([:]), nil, .unauthorized),
            ]
            for (json, token, expected) in cases {
                let r = try await app.api(.POST, "/events", token: token, json: json)
                #expect(r.status == expected, "\(json): \(r.raw)")
            }
            #expect(try await LiveEvent.query(on: app.db).count() == 0)

            let id = try await plan(app, a, title: "Webinar", visibility: "public")
            for json in [#"{"email":"not-an-address","name":"Ana"}"#, #"{"email":"ana@x.example","name":"  "}"#, "{}"] {
                let r = try await app.api(.POST, "/events/\(id)/registrations", json: json)
                #expect(r.status == .unprocessableEntity, "\(json): \(r.raw)")
            }
            #expect(try await EventRegistration.query(on: app.db).count() == 0)
            let token = String(
                (try await app.api(.POST, "/events/\(id)/registrations", json: #"{"email":"ana@x.example","name":"Ana"}"#)
                    .body["personalLink"] as? String ?? "").split(separator: "/").last ?? "")
            let long = String(repeating: "x", count: Events.maxQuestion + 1)
            for text in ["   ", long] {
                let r = try await app.api(
                    .POST, "/events/\(id)/questions", json: #"{"text":"\#(text)"}"#, headers: [("X-Event-Token", token)])
                #expect(r.status == .unprocessableEntity, "\(r.raw)")
            }
            #expect(try await EventQuestion.query(on: app.db).count() == 0)
            #expect(try await app.api(.GET, "/events/not-an-id").status == .notFound)
        }
    }
}

@Suite("Event pages")
struct EventPageTests {
    @Test func aVisitorRegistersThroughTheWebAndAsksOnTheirPersonalPage() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let created = try await app.api(
                .POST, "/events", token: a.token,
                json:
                    #"{"title":"Open webinar","startsAt":"\#(EventTests.start)","durationMinutes":45,"timeZone":"Europe/Berlin","videoLink":"https://meet.example.com/q4","visibility":"public"}"#
            )
            let id = created.body["id"] as? String ?? ""
            let visitor = Browser(app)
            let page = try await visitor.get("/events/\(id)")
            #expect(page.status == .ok && page.html.contains("Your email address"), "\(page.html)")
            #expect(
                page.html.contains("Tue 15 Jan 2030, 18:00") && !page.html.contains("meet.example.com/q4"), "no way in before registering")

            // Refused as typed, nothing written; then registered, and taken to the personal link's page.
            let refused = try await visitor.post("/events/\(id)/register", ["name": "Ana <b>", "email": "nope"])
            #expect(refused.status == .unprocessableEntity && refused.html.contains("value=\"Ana &lt;b&gt;\""), "\(refused.html)")
            #expect(try await EventRegistration.query(on: app.db).count() == 0)
            let registered = try await visitor.post("/events/\(id)/register", ["name": "Ana", "email": "ana@customer.example"])
            #expect(registered.status == .seeOther, "\(registered.html.prefix(300))")
            let link = try #require(registered.location)
            #expect(link.hasPrefix("/e/ev_"))
            let mine = try await visitor.get(link)
            #expect(mine.status == .ok && mine.html.contains("You are registered.") && mine.html.contains("https://meet.example.com/q4"))
            let mailed = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example").first()
            #expect(mailed?.body.contains(app.bonafide.baseURL + link) == true && mailed?.calendar != nil)

            let asked = try await visitor.post(link + "/questions", ["text": "Is it recorded?"])
            #expect(asked.status == .seeOther)
            #expect(try await visitor.get(link).html.contains("Is it recorded?"))

            // A partner with an account registers with one button and votes; the organizer sees who asked and answers.
            let bob = try await Browser.signedIn(app, as: b)
            #expect(try await bob.post("/events/\(id)/register", [:]).status == .seeOther)
            let bobsPage = try await bob.get("/events/\(id)")
            #expect(bobsPage.html.contains("You are registered.") && bobsPage.html.contains(">+1</button>"), "\(bobsPage.html)")
            let qid = try #require(try await EventQuestion.query(on: app.db).first()?.id)
            #expect(try await bob.post("/events/\(id)/questions/\(Access.key(qid))/vote", [:]).status == .seeOther)
            let alice = try await Browser.signedIn(app, as: a)
            let organizer = try await alice.get("/events/\(id)")
            #expect(organizer.html.contains("asked by Ana") && organizer.html.contains("1 vote"), "\(organizer.html)")
            #expect(try await alice.post("/events/\(id)/questions/\(Access.key(qid))/answer", ["answer": "Yes."]).status == .seeOther)
            #expect(try await visitor.get(link).html.contains("Answer:</strong> <span style=\"white-space:pre-wrap\">Yes.</span>"))
        }
    }
}
