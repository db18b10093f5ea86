import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Changing events and giving seats back")
struct EventChangeTests {
    func plan(_ app: Application, _ owner: Account, capacity: Int? = nil) async throws -> String {
        let seats = capacity.map { #","capacity":\#($0)"# } ?? ""
        let r = try await app.api(
            .POST, "/events", token: owner.token,
            json:
                #"{"title":"Roadmap preview","description":"What comes next.","startsAt":"2030-01-15T17:00:00Z","durationMinutes":60,"timeZone":"Europe/Berlin","videoLink":"https://meet.example.com/q4","visibility":"public"\#(seats)}"#
        )
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    /// The properties of the first VEVENT of an iCalendar text, unfolded, and its METHOD.
    func vevent(_ ics: String?) -> [String: String] {
        let lines = (ics ?? "").replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
        var properties: [String: String] = [:]
        if let method = lines.first(where: { $0.hasPrefix("METHOD:") }) { properties["METHOD"] = String(method.dropFirst(7)) }
        guard let begin = lines.firstIndex(of: "BEGIN:VEVENT"), let end = lines[begin...].firstIndex(of: "END:VEVENT") else {
            return properties
        }
        for line in lines[(begin + 1)..<end] {
            guard let colon = line.firstIndex(of: ":") else { continue }
            properties[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return properties
    }

    /// Every calendar mailed to the address, by SEQUENCE (the order a calendar applies them in).
    func calendars(_ app: Application, to email: String) async throws -> [[String: String]] {
        let sent = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).all().compactMap(\.calendar).map { vevent($0) }
        return sent.sorted { Int($0["SEQUENCE"] ?? "") ?? -1 < Int($1["SEQUENCE"] ?? "") ?? -1 }
    }

    func register(_ app: Application, _ id: String, email: String, name: String) async throws -> String {
        let r = try await app.api(.POST, "/events/\(id)/registrations", json: #"{"email":"\#(email)","name":"\#(name)"}"#)
        #expect(r.status == .created, "\(r.raw)")
        return String((r.body["personalLink"] as? String ?? "").split(separator: "/").last ?? "")
    }

    @Test func aNewTimeReachesEveryoneRegisteredAsTheSameCalendarEntryWithAHigherSequence() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await plan(app, a)
            let uid = "event-\(id.lowercased())@bonafide"
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            _ = try await register(app, id, email: "ana@customer.example", name: "Ana")

            let moved = try await app.api(
                .PATCH, "/events/\(id)", token: a.token, json: #"{"startsAt":"2030-01-16T17:00:00Z","title":"Roadmap Q&A"}"#)
            #expect(moved.status == .ok && moved.body["title"] as? String == "Roadmap Q&A", "\(moved.raw)")
            #expect((moved.body["startsAt"] as? String ?? "").hasPrefix("2030-01-16T17:00:00"), "\(moved.raw)")
            for email in [b.email, "ana@customer.example"] {
                let sent = try await calendars(app, to: email)
                #expect(sent.map { $0["METHOD"] } == ["REQUEST", "REQUEST"], "\(email): \(sent)")
                #expect(sent.map { $0["UID"] } == [uid, uid], "one entry in their calendar: \(sent)")
                #expect(sent.map { $0["SEQUENCE"] } == ["0", "1"], "\(email): \(sent)")
                #expect(sent.last?["DTSTART;TZID=Europe/Berlin"] == "20300116T180000" && sent.last?["SUMMARY"] == "Roadmap Q&A")
            }
            let anaMail = try #require(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example").filter(\.$kind == Events.noticeKind)
                    .first())
            #expect(anaMail.subject == "“Roadmap Q&A” has changed" && anaMail.body.contains("It was called “Roadmap preview”."))
            #expect(anaMail.body.contains("New time: ") && anaMail.body.contains("(it was "), "\(anaMail.body)")

            // A new description is news to nobody: no mail, the same sequence. A new video link is: SEQUENCE 2.
            let described = try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"description":"Now with a demo."}"#)
            #expect(described.status == .ok && described.body["description"] as? String == "Now with a demo.")
            #expect(try await calendars(app, to: b.email).count == 2)
            #expect(try await LiveEvent.find(UUID(uuidString: id), on: app.db)?.sequence == 1)
            #expect(
                try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"videoLink":"https://meet.example.com/new"}"#).status
                    == .ok)
            let latest = try await calendars(app, to: "ana@customer.example").last
            #expect(latest?["SEQUENCE"] == "2" && latest?["UID"] == uid && latest?["LOCATION"] == "https://meet.example.com/new")

            // Only the organizer's owners and admins change it; anyone else's attempt changes nothing.
            let member = try await app.invitedMember(of: a, role: "member")
            #expect(try await app.api(.PATCH, "/events/\(id)", token: member.token, json: #"{"title":"Mine"}"#).status == .forbidden)
            #expect(try await app.api(.PATCH, "/events/\(id)", token: b.token, json: #"{"title":"Mine"}"#).status == .notFound)
            #expect(try await LiveEvent.find(UUID(uuidString: id), on: app.db)?.title == "Roadmap Q&A")
        }
    }

    @Test func seatsNeverGoBelowThoseRegisteredAndBadChangesWriteNothing() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await plan(app, a, capacity: 3)
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            _ = try await register(app, id, email: "ana@customer.example", name: "Ana")

            let below = try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"capacity":1,"title":"Smaller"}"#)
            #expect(below.status == .unprocessableEntity && below.body["field"] as? String == "capacity", "\(below.raw)")
            #expect((below.body["detail"] as? String ?? "").contains("2 people are registered"), "\(below.raw)")
            for bad in [
                #"{"capacity":2,"unlimitedSeats":true}"#, #"{"startsAt":"2001-01-01T00:00:00Z"}"#,
                #"{"videoLink":"http://meet.example.com"}"#,
                #"{"title":"  "}"#, #"{"timeZone":"PST"}"#,
            ] {
                let r = try await app.api(.PATCH, "/events/\(id)", token: a.token, json: bad)
                #expect(r.status == .unprocessableEntity, "\(bad): \(r.raw)")
            }
            let row = try #require(try await LiveEvent.find(UUID(uuidString: id), on: app.db))
            #expect(row.capacity == 3 && row.title == "Roadmap preview" && row.sequence == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == Events.noticeKind).count() == 0)

            // As many seats as registrations is fine, and so is no limit.
            #expect(try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"capacity":2}"#).body["seatsLeft"] as? Int == 0)
            let unlimited = try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"unlimitedSeats":true}"#)
            #expect(unlimited.status == .ok && unlimited.body["capacity"] == nil, "\(unlimited.raw)")

            // A cancelled event stays as it was.
            #expect(try await app.api(.POST, "/events/\(id)/cancellation", token: a.token).status == .ok)
            #expect(try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"title":"Back"}"#).status == .conflict)
        }
    }

    @Test func aSeatTakenWhileTheSeatsShrinkIsNeverOverbooked() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await plan(app, a, capacity: 2)
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            let statuses = try await together(2) { i in
                if i == 0 { return try await app.api(.PATCH, "/events/\(id)", token: a.token, json: #"{"capacity":1}"#).status }
                return try await app.api(.POST, "/events/\(id)/registrations", json: #"{"email":"late@cust.example","name":"Late"}"#).status
            }
            // Either the seats shrank first and the registration found the event full, or the other way round.
            #expect(statuses.filter { $0 == .ok || $0 == .created }.count == 1, "\(statuses)")
            let row = try #require(try await LiveEvent.find(UUID(uuidString: id), on: app.db))
            let taken = try await EventRegistration.query(on: app.db).filter(\.$cancelledAt == nil).count()
            #expect(taken <= row.capacity ?? 0, "\(taken) registered for \(row.capacity ?? 0) seats")
        }
    }

    @Test func givingASeatBackSendsThatPersonACalendarCancellation() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await plan(app, a)
            let uid = "event-\(id.lowercased())@bonafide"
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            let token = try await register(app, id, email: "ana@customer.example", name: "Ana")

            #expect(try await app.api(.DELETE, "/events/\(id)/registrations", token: b.token).status == .ok)
            let bobs = try await calendars(app, to: b.email)
            #expect(bobs.map { $0["METHOD"] } == ["REQUEST", "CANCEL"], "\(bobs)")
            #expect(bobs.last?["UID"] == uid && bobs.last?["STATUS"] == "CANCELLED" && bobs.last?["SEQUENCE"] == "1", "\(bobs)")
            // Ana, still registered, hears nothing of Bob's seat.
            #expect(try await calendars(app, to: "ana@customer.example").map { $0["METHOD"] } == ["REQUEST"])

            #expect(try await app.api(.DELETE, "/events/\(id)/registrations", headers: [("X-Event-Token", token)]).status == .ok)
            let anas = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@customer.example")
                .filter(\.$kind == Events.noticeKind).all()
            #expect(
                anas.count == 1 && anas.first?.subject == "Your registration for “Roadmap preview” is cancelled", "\(anas.map(\.subject))")
            let cancel = vevent(anas.first?.calendar)
            #expect(cancel["METHOD"] == "CANCEL" && cancel["UID"] == uid && cancel["SEQUENCE"] == "2", "\(cancel)")

            // Bob registers again: the invitation is newer than his cancellation, so his calendar takes the event back.
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            let again = try await calendars(app, to: b.email).last
            #expect(again?["METHOD"] == "REQUEST" && Int(again?["SEQUENCE"] ?? "") ?? 0 >= 1, "\(again ?? [:])")
        }
    }

    @Test func theOrganizerChangesTheEventOnItsPage() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let id = try await plan(app, a, capacity: 5)
            #expect(try await app.api(.POST, "/events/\(id)/registrations", token: b.token, json: "{}").status == .created)
            _ = try await register(app, id, email: "ana@customer.example", name: "Ana")
            let alice = try await Browser.signedIn(app, as: a)
            let page = try await alice.get("/events/\(id)")
            #expect(page.html.contains("Change the event") && page.html.contains("value=\"2030-01-15T18:00\""), "\(page.html)")
            let bobsPage = try await Browser.signedIn(app, as: b).get("/events/\(id)")
            #expect(bobsPage.status == .ok && !bobsPage.html.contains("Change the event"))

            var form = [
                "title": "Roadmap preview", "description": "What comes next.", "startsAt": "2030-01-15T18:00", "timeZone": "Europe/Berlin",
                "durationMinutes": "90", "capacity": "1", "videoLink": "https://meet.example.com/q4",
                "shownStartsAt": "2030-01-15T18:00", "shownTimeZone": "Europe/Berlin",
            ]
            // Fewer seats than registrations: the form comes back open, as typed, with the reason at the seats.
            let refused = try await alice.post("/events/\(id)/edit", form)
            #expect(refused.status == .unprocessableEntity && refused.html.contains("id=\"capacity-error\""), "\(refused.html)")
            #expect(refused.html.contains("value=\"90\"") && refused.html.contains("<details class=\"card\" id=\"edit-event\" open>"))
            #expect(try await LiveEvent.find(UUID(uuidString: id), on: app.db)?.durationMinutes == 60)

            // Saved with the start as shown: a longer event, the same start, everyone told with the new length.
            form["capacity"] = "2"
            let saved = try await alice.post("/events/\(id)/edit", form)
            #expect(saved.status == .seeOther && saved.location == "/events/\(id.lowercased())", "\(saved.html.prefix(300))")
            let row = try #require(try await LiveEvent.find(UUID(uuidString: id), on: app.db))
            #expect(row.durationMinutes == 90 && row.capacity == 2 && row.sequence == 1)
            #expect(row.startsAt == ISO8601DateFormatter().date(from: "2030-01-15T17:00:00Z"))
            #expect(try await calendars(app, to: "ana@customer.example").last?["DTEND;TZID=Europe/Berlin"] == "20300115T193000")
        }
    }
}
