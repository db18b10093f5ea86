import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Support requests and the consistency check")
struct SupportTests {
    func actor(_ app: Application, _ account: Account) async throws -> Actor {
        Actor(user: try #require(try await User.find(UUID(uuidString: account.id), on: app.db)))
    }

    func summaries(_ body: [String: Any]) -> [String] {
        (body["explanation"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
    }

    func trust(_ app: Application, from viewer: Account, of subject: Account) async throws -> [String: Any] {
        _ = try await TrustService.drain(on: app.db)
        let r = try await app.api(.GET, "/trust/\(subject.organizationID)", token: viewer.token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.body
    }

    func section(_ html: String, _ id: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\"") else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</section>")?.upperBound ?? rest.endIndex)])
    }

    func supportMails(_ app: Application, to email: String) async throws -> [String] {
        try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$eventKind == "support.changed").all().map(\.subject)
    }

    static let utc = TimeZone(identifier: "UTC")!
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func aRequestAnsweredInTimeShowsInTheFiguresAndCountsForReliability() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let opened = try await app.api(
                .POST, "/organizations/\(b.organizationID)/support-requests", token: a.token,
                json: #"{"subject":"Checkout fails","body":"Since this morning, card payments fail.","priority":"urgent"}"#)
            #expect(opened.status == .created, "\(opened.raw)")
            #expect(opened.body["status"] as? String == "open" && opened.body["late"] as? Bool == false)
            #expect(opened.body["promise"] as? String == "4 working hours", "urgent is sooner than one working day: \(opened.raw)")
            #expect(opened.body["requesterOrganizationName"] as? String == "Northwind" && opened.body["requestedBy"] as? String == "Alice")
            let id = opened.body["id"] as? String ?? ""
            #expect(try await supportMails(app, to: b.email) == ["Northwind asks for support (urgent): Checkout fails"])

            // Each side lists it on its own side only.
            #expect(try await app.api(.GET, "/support-requests?role=provider", token: b.token).list.map { $0["id"] as? String } == [id])
            #expect(try await app.api(.GET, "/support-requests?role=provider", token: a.token).list.isEmpty)
            #expect(try await app.api(.GET, "/support-requests?role=requester", token: a.token).list.count == 1)
            #expect(try await app.api(.GET, "/support-requests", token: b.token).list.count == 1)

            // Any of Acme's people answers; the first answer is in time.
            let mia = try await app.invitedMember(of: b, role: "member")
            let answered = try await app.api(
                .POST, "/support-requests/\(id)/messages", token: mia.token, json: #"{"body":"Fixed: a certificate had expired."}"#)
            #expect(answered.status == .created, "\(answered.raw)")
            #expect(answered.body["status"] as? String == "answered" && answered.body["late"] as? Bool == false)
            #expect(answered.body["firstResponseAt"] != nil)
            #expect((answered.body["messages"] as? [[String: Any]])?.first?["author"] as? String == "Mia")
            #expect(try await supportMails(app, to: a.email) == ["Acme answered your support request: Checkout fails"])

            // Resolved by the requester; only it reopens, and only once resolved.
            let resolved = try await app.api(.POST, "/support-requests/\(id)/resolution", token: a.token, json: #"{"action":"resolve"}"#)
            #expect(resolved.body["status"] as? String == "resolved" && resolved.body["resolvedAt"] != nil, "\(resolved.raw)")
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/resolution", token: b.token, json: #"{"action":"resolve"}"#).status
                    == .conflict)
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/resolution", token: b.token, json: #"{"action":"reopen"}"#).status
                    == .forbidden)
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/messages", token: b.token, json: #"{"body":"More"}"#).status == .conflict)

            // The figures, for Acme's partner and its own people.
            let figures = try await app.api(.GET, "/organizations/\(b.organizationID)/support-figures", token: a.token)
            #expect(figures.status == .ok, "\(figures.raw)")
            #expect(figures.body["requests"] as? Int == 1 && figures.body["answered"] as? Int == 1)
            #expect(figures.body["withinPromise"] as? Double == 1 && figures.body["promise"] as? String == "1 working day")
            #expect(
                figures.body["summary"] as? String
                    == "Answers support requests in 1 min (median, 90 days, 1 request); 100% within its promise of 1 working day; resolves in 1 min.",
                "\(figures.raw)")
            #expect(try await app.api(.GET, "/organizations/\(b.organizationID)/support-figures", token: mia.token).status == .ok)

            // In time, it counts for Acme in Northwind's trust.
            let assessment = try await trust(app, from: a, of: b)
            #expect(
                summaries(assessment).contains { $0.hasPrefix("Answered support request “Checkout fails” in 1 min, within its promise") },
                "\(summaries(assessment))")
        }
    }

    @Test func aLateAnswerCountsAgainstReliability() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let opened = try await app.api(
                .POST, "/organizations/\(b.organizationID)/support-requests", token: a.token,
                json: #"{"subject":"Invoice wrong","body":"The March invoice counts two licences twice."}"#)
            #expect(opened.status == .created, "\(opened.raw)")
            #expect(opened.body["promise"] as? String == "1 working day")
            let id = opened.body["id"] as? String ?? ""
            // Opened three days ago and due two days ago.
            let row = try #require(try await SupportRequest.find(UUID(uuidString: id), on: app.db))
            row.createdAt = Date().addingTimeInterval(-3 * 86_400)
            row.dueAt = Date().addingTimeInterval(-2 * 86_400)
            try await row.save(on: app.db)

            let answered = try await app.api(.POST, "/support-requests/\(id)/messages", token: b.token, json: #"{"body":"Corrected."}"#)
            #expect(answered.body["late"] as? Bool == true, "\(answered.raw)")
            let assessment = try await trust(app, from: a, of: b)
            #expect(
                summaries(assessment).contains("Answered support request “Invoice wrong” after 3 days (promised within 1 working day)"),
                "\(summaries(assessment))")
            let reliability = (assessment["components"] as? [[String: Any]] ?? []).first { $0["component"] as? String == "reliability" }
            #expect((reliability?["value"] as? Double ?? 1) < 0.5, "\(String(describing: reliability))")
            let figures = try await app.api(.GET, "/organizations/\(b.organizationID)/support-figures", token: a.token)
            #expect(figures.body["withinPromise"] as? Double == 0, "\(figures.raw)")
        }
    }

    @Test func theSweepMarksAnOverdueRequestLateOnceAndItCountsAsMissed() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let t0 = Date()
            let entry = try await Support.open(
                with: UUID(uuidString: b.organizationID), subject: "Export broken", body: "The CSV export is empty.",
                by: try await actor(app, a), at: t0, on: app.db)
            #expect(try await Support.sweepOverdue(now: t0, on: app.db) == 0, "not due yet")
            let later = t0.addingTimeInterval(10 * 86_400)
            // Two sweeps at once (two servers): the request is marked, and its provider told, once.
            async let first = Support.sweepOverdue(now: later, on: app.db)
            async let second = Support.sweepOverdue(now: later, on: app.db)
            #expect(try await first + second == 1)
            #expect(try await Support.sweepOverdue(now: later, on: app.db) == 0)
            #expect(try await SupportRequest.find(entry.id, on: app.db)?.late == true)
            let mails = try await supportMails(app, to: b.email)
            #expect(mails.filter { $0.hasPrefix("Still unanswered past your promise") }.count == 1, "\(mails)")

            let evidence = try await TrustService.evidence(
                viewer: try #require(UUID(uuidString: a.organizationID)), subject: try #require(UUID(uuidString: b.organizationID)),
                at: later, on: app.db)
            #expect(
                evidence.contains { $0.kind == .missed && $0.summary.hasPrefix("Has not answered support request “Export broken” since") })
            // Answered at last: late, no longer missed.
            let answered = try await Support.reply(
                to: entry.id, body: "Sorry, fixed now.", by: try await actor(app, b), at: later, on: app.db)
            #expect(answered.late && answered.status == .answered)
            let after = try await TrustService.evidence(
                viewer: try #require(UUID(uuidString: a.organizationID)), subject: try #require(UUID(uuidString: b.organizationID)),
                at: later, on: app.db)
            #expect(after.filter { $0.summary.contains("Export broken") }.map(\.kind) == [.lateWithoutNotice])
        }
    }

    @Test func onlyPartnersAndCirclesMayAskAndNobodyElseSeesAnything() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let path = "/organizations/\(b.organizationID)/support-requests"
            let ask = #"{"subject":"Hello","body":"Can you help us?"}"#
            let stranger = try await app.api(.POST, path, token: c.token, json: ask)
            #expect(stranger.status == .notFound, "\(stranger.raw)")
            let unknown = try await app.api(.POST, "/organizations/\(UUID())/support-requests", token: c.token, json: ask)
            #expect(unknown.status == .notFound && unknown.body["detail"] as? String == stranger.body["detail"] as? String, "no leak")
            #expect(try await app.api(.GET, "/organizations/\(b.organizationID)/support-figures", token: c.token).status == .notFound)

            let opened = try await app.api(.POST, path, token: a.token, json: ask)
            let id = opened.body["id"] as? String ?? ""
            #expect(try await app.api(.GET, "/support-requests/\(id)", token: c.token).status == .notFound)
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/messages", token: c.token, json: #"{"body":"Hi"}"#).status == .notFound)
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/resolution", token: c.token, json: #"{"action":"resolve"}"#).status
                    == .notFound)
            #expect(try await app.api(.GET, "/support-requests", token: c.token).list.isEmpty)
            #expect(try await app.api(.GET, "/support-requests/\(id)", token: a.token).status == .ok)
            #expect(try await app.api(.GET, "/support-requests/\(id)", token: b.token).status == .ok)

            // Following is interest, not a relation; Acme keeping Kite among its connected is. Kite placing Acme would not be.
            #expect(try await app.api(.PUT, "/circles/\(b.organizationID)", token: c.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(try await app.api(.POST, path, token: c.token, json: ask).status == .notFound)
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: b.token, json: #"{"circle":"follow"}"#).status == .ok)
            #expect(try await app.api(.POST, path, token: c.token, json: ask).status == .notFound)
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: b.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(try await app.api(.POST, path, token: c.token, json: ask).status == .created)
            #expect(try await app.api(.GET, "/organizations/\(b.organizationID)/support-figures", token: c.token).status == .ok)
        }
    }

    @Test func badInputIsRefusedAndWritesNothing() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let path = "/organizations/\(b.organizationID)/support-requests"
            let long = String(repeating: "x", count: Support.maxBody + 1)
            let longSubject = String(repeating: "s", count: Support.maxSubject + 1)
            let cases: [(String, String, String?, HTTPStatus)] = [
                (path, #"{"subject":"","body":"Help"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"   ","body":"Help"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"\#(longSubject)","body":"Help"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"Help","body":"\#(long)"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"Help","body":" "}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"Help"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"Help","body":"x","priority":"asap"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"Help","body":"x","partnershipId":"nope"}"#, a.token, .unprocessableEntity),
                ("/organizations/\(a.organizationID)/support-requests", #"{"subject":"Help","body":"x"}"#, a.token, .unprocessableEntity),
                (path, #"{"subject":"Help","body":"x"}"#, nil, .unauthorized),
            ]
            for (url, json, token, expected) in cases {
                let r = try await app.api(.POST, url, token: token, json: json)
                #expect(r.status == expected, "\(url) \(json.prefix(60)): \(r.raw)")
                #expect(r.headers.contentType?.description.contains("problem+json") == true, "\(r.headers)")
            }
            #expect(try await SupportRequest.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "support.changed").count() == 0)

            let opened = try await app.api(.POST, path, token: a.token, json: #"{"subject":"Help","body":"x"}"#)
            let id = opened.body["id"] as? String ?? ""
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/messages", token: b.token, json: #"{"body":"  "}"#).status
                    == .unprocessableEntity)
            #expect(
                try await app.api(.POST, "/support-requests/\(id)/resolution", token: b.token, json: #"{"action":"close"}"#).status
                    == .unprocessableEntity)
            #expect(try await SupportMessage.query(on: app.db).count() == 0)
            #expect(try await SupportRequest.find(UUID(uuidString: id), on: app.db)?.firstResponseAt == nil)
        }
    }

    @Test func theResponseTimeParserReadsCommonPhrases() {
        let cases: [(String, ResponseTime?)] = [
            ("No 24/7 support; replies within one working day", .workingDays(1)),
            ("We answer within 24 hours.", .hours(24)),
            ("Support requests are answered within 2 days", .days(2)),
            ("We reply the same day.", .sameDay),
            ("Replies within 4h on weekdays", .hours(4)),
            ("We respond within a business day", .workingDays(1)),
            ("Urgent support: answered in under 2 working hours", .workingHours(2)),
            ("We get back to you by the next working day", .workingDays(1)),
            ("Support replies within a week", .days(7)),
            ("We deliver designs within 2 days", nil),
            ("Our support team is friendly", nil),
            ("", nil),
        ]
        for (text, expected) in cases { #expect(ResponseTime.parse(text) == expected, "\(text)") }
        #expect(ResponseTime.tokens("24/7 and 24h") == ["24", "7", "and", "24", "h"])
        #expect(
            ResponseTime.claim(in: "About us.\nNo 24/7 support; replies within one working day")?.sentence
                == "replies within one working day")

        // Working time is counted in the organization's week: Friday 16:00 plus one working day is Monday 16:00.
        let week = WorkingHours(startMinute: 9 * 60, endMinute: 17 * 60, days: [1, 2, 3, 4, 5], timeZone: Self.utc)
        #expect(
            ResponseTime.workingDays(1).deadline(from: Self.date("2030-01-11T16:00:00Z"), hours: week) == Self.date("2030-01-14T16:00:00Z"))
        #expect(
            ResponseTime.workingHours(4).deadline(from: Self.date("2030-01-11T16:00:00Z"), hours: week) == Self.date("2030-01-14T12:00:00Z")
        )
        #expect(ResponseTime.sameDay.deadline(from: Self.date("2030-01-12T10:00:00Z"), hours: week) == Self.date("2030-01-14T17:00:00Z"))
        #expect(ResponseTime.hours(24).deadline(from: Self.date("2030-01-11T16:00:00Z"), hours: week) == Self.date("2030-01-12T16:00:00Z"))
    }

    /// Acme promises an answer within one working day (in UTC, Monday to Friday 9 to 17); Northwind asks on five
    /// weekdays of January 2030, each answered after `wait`.
    func promiseAndAnswers(_ app: Application, after wait: TimeInterval, count: Int = 5) async throws -> (a: Account, b: Account) {
        let (a, b, _) = try await app.activePartnership()
        let acme = try #require(try await Organization.find(UUID(uuidString: b.organizationID), on: app.db))
        acme.limitations = ["No 24/7 support; replies within one working day"]
        acme.timeZone = "UTC"
        acme.workStartMinute = 9 * 60
        acme.workEndMinute = 17 * 60
        acme.workDays = [1, 2, 3, 4, 5]
        try await acme.save(on: app.db)
        let (alice, bob) = (try await actor(app, a), try await actor(app, b))
        for day in ["2030-01-07", "2030-01-08", "2030-01-09", "2030-01-14", "2030-01-15"].prefix(count) {
            let asked = Self.date("\(day)T10:00:00Z")
            let e = try await Support.open(
                with: acme.id, subject: "Question of \(day)", body: "Please help.", by: alice, at: asked, on: app.db)
            #expect(e.promise == "1 working day")
            _ = try await Support.reply(to: e.id, body: "Here you are.", by: bob, at: asked.addingTimeInterval(wait), on: app.db)
        }
        return (a, b)
    }

    @Test func theConsistencyCheckNotesAMedianOfThreeDaysAgainstAPromiseOfOne() async throws {
        try await withTestApp { app in
            let (_, b) = try await promiseAndAnswers(app, after: 3 * 86_400)
            let acme = try #require(UUID(uuidString: b.organizationID))
            let notes = try await Consistency.notes(of: acme, at: Self.date("2030-02-01T12:00:00Z"), on: app.db)
            let note = try #require(notes.first { $0.key == "responseTime" }, "\(notes)")
            #expect(note.title == "You say you answer within 1 working day; your median over the last 90 days is 3 days.")
            #expect(note.claim == "Your profile (Limitations): “replies within one working day”", "\(note.claim)")
            #expect(note.record.hasPrefix("5 of the 5 support requests and partners' questions"), "\(note.record)")
            #expect(!note.suggestion.isEmpty)

            // Owners and admins read it at the API and on their organization page; members do not.
            let api = try await app.api(.GET, "/organization/consistency", token: b.token)
            #expect(api.status == .ok, "\(api.raw)")
            #expect((api.body["notes"] as? [[String: Any]])?.first?["key"] as? String == "responseTime", "\(api.raw)")
            let mia = try await app.invitedMember(of: b, role: "member")
            #expect(try await app.api(.GET, "/organization/consistency", token: mia.token).status == .forbidden)
            let bob = try await Browser.signedIn(app, as: b)
            let card = section(try await bob.get("/organization").html, "consistency")
            #expect(card.contains("You say you answer within 1 working day; your median over the last 90 days is 3 days."), "\(card)")
            let member = try await Browser.signedIn(app, as: mia)
            #expect(section(try await member.get("/organization").html, "consistency").isEmpty)
        }
    }

    @Test func noNoteWhenThePromiseIsKeptOrTheRecordIsThin() async throws {
        try await withTestApp { app in
            let (_, b) = try await promiseAndAnswers(app, after: 2 * 3_600)
            let acme = try #require(UUID(uuidString: b.organizationID))
            let report = try await Consistency.report(of: acme, at: Self.date("2030-02-01T12:00:00Z"), on: app.db)
            #expect(report.notes.isEmpty, "\(report.notes)")
            #expect(
                report.quiet.contains { $0.hasPrefix("Response time: your median first answer of 2 h keeps your promise of 1 working day") }
            )
        }
        try await withTestApp { app in
            let (_, b) = try await promiseAndAnswers(app, after: 3 * 86_400, count: 4)
            let acme = try #require(UUID(uuidString: b.organizationID))
            let report = try await Consistency.report(of: acme, at: Self.date("2030-02-01T12:00:00Z"), on: app.db)
            #expect(report.notes.isEmpty, "four answers are too few to call a habit: \(report.notes)")
            #expect(report.quiet.contains { $0.contains("needs at least \(Consistency.minimumAnswers)") }, "\(report.quiet)")
        }
    }

    /// What the response time is judged on besides support requests: the questions partners asked Acme, on either side
    /// of the partnership, from the first moment of the 90 days on. Not Acme's own questions, not what asked for no
    /// answer, not a question between two other organizations, and not a request its asker settled before any answer.
    @Test func theResponseTimeJudgesPartnersQuestionsToItOnEitherSideWithinTheWindow() async throws {
        try await withTestApp { app in
            let (a, b) = try await promiseAndAnswers(app, after: 3 * 86_400, count: 1)
            let acme = try #require(UUID(uuidString: b.organizationID))
            let now = Self.date("2030-02-01T12:00:00Z")
            let since = now.addingTimeInterval(-Consistency.window)
            let c = try await app.register("Carla", org: "Globex")
            /// `inviter` asks `invitee`'s organization into a partnership, which accepts; its id.
            func partnership(_ inviter: Account, _ invitee: Account) async throws -> String {
                let created = try await app.api(
                    .POST, "/partnerships", token: inviter.token,
                    json: #"{"name":"Pilot","partnerEmail":"\#(invitee.email)","agreement":"v1 text"}"#)
                #expect(created.status == .created, "\(created.raw)")
                let secret = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
                #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: invitee.token).status == .ok)
                return created.body["id"] as? String ?? ""
            }
            let acmeIsPartner = try #require(try await Partnership.query(on: app.db).first()?.id?.apiString)
            let acmeInvited = try await partnership(b, c)
            let others = try await partnership(a, c)
            /// A message `by` writes in a thread of its own, at `at`, answered `answeredAfter` later.
            func question(_ pid: String, by asker: Account, at: Date, answeredAfter: TimeInterval?, needsResponse: Bool = true)
                async throws
            {
                let asked = try await app.api(
                    .POST, "/partnerships/\(pid)/messages", token: asker.token,
                    json: #"{"body":"Can you share access?","subject":"Access","needsResponse":\#(needsResponse)}"#)
                #expect(asked.status == .created, "\(asked.raw)")
                let m = try #require(try await Message.find(UUID(uuidString: asked.body["id"] as? String ?? ""), on: app.db))
                m.createdAt = at
                m.respondedAt = answeredAfter.map { at.addingTimeInterval($0) }
                try await m.save(on: app.db)
            }
            // None of these counts: each would be a sixth answer, waiting until now.
            try await question(acmeIsPartner, by: b, at: Self.date("2030-01-20T10:00:00Z"), answeredAfter: nil)
            try await question(acmeIsPartner, by: a, at: Self.date("2030-01-20T10:00:00Z"), answeredAfter: nil, needsResponse: false)
            try await question(others, by: a, at: Self.date("2030-01-20T10:00:00Z"), answeredAfter: nil)
            try await question(acmeInvited, by: c, at: since.addingTimeInterval(-1), answeredAfter: 3 * 86_400)
            let settled = try await Support.open(
                with: acme, subject: "Never mind", body: "Found it.", by: try await actor(app, a), at: Self.date("2030-01-21T10:00:00Z"),
                on: app.db)
            _ = try await Support.resolve(settled.id, by: try await actor(app, a), at: Self.date("2030-01-21T11:00:00Z"), on: app.db)

            // One support request and four questions, two on each side, the last asked at the first moment of the window.
            try await question(acmeIsPartner, by: a, at: Self.date("2030-01-07T10:00:00Z"), answeredAfter: 3 * 86_400)
            try await question(acmeIsPartner, by: a, at: Self.date("2030-01-08T10:00:00Z"), answeredAfter: 3 * 86_400)
            try await question(acmeInvited, by: c, at: Self.date("2030-01-09T10:00:00Z"), answeredAfter: 3 * 86_400)
            let four = try await Consistency.report(of: acme, at: now, on: app.db)
            #expect(four.quiet.contains { $0.hasPrefix("Response time: 4 questions and support requests to judge") }, "\(four.quiet)")
            try await question(acmeInvited, by: c, at: since, answeredAfter: 3 * 86_400)
            let notes = try await Consistency.notes(of: acme, at: now, on: app.db)
            let note = try #require(notes.first { $0.key == "responseTime" }, "\(notes)")
            #expect(note.record.hasPrefix("5 of the 5 support requests and partners' questions"), "\(note.record)")
            #expect(note.title == "You say you answer within 1 working day; your median over the last 90 days is 3 days.")
        }
    }

    @Test func aRequestOpenedThroughTheWebFormReachesTheProviderWhoAnswersIt() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let acme = b.organizationID.lowercased()
            let alice = try await Browser.signedIn(app, as: a)
            // Acme's profile shows Northwind its figures and the form, with Acme fixed.
            let card = section(try await alice.get("/organizations/\(acme)").html, "support")
            #expect(card.contains("No support requests in the last 90 days"), "\(card)")
            #expect(card.contains("name=\"provider\" value=\"\(acme)\""), "\(card)")

            // A refusal comes back as typed on the support page, with its reason; nothing is written.
            let refused = try await alice.post(
                "/support", ["provider": acme, "subject": " ", "body": "Kept <as typed>", "priority": "normal"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("A subject has 1 to \(Support.maxSubject) characters."), "\(refused.html)")
            #expect(refused.html.contains(">Kept &lt;as typed&gt;</textarea>"))
            #expect(refused.html.contains("<option value=\"\(acme)\" selected>Acme</option>"))
            #expect(try await SupportRequest.query(on: app.db).count() == 0)

            let sent = try await alice.post(
                "/support", ["provider": acme, "subject": "Checkout <fails>", "body": "Card payments fail.", "priority": "urgent"])
            #expect(sent.status == .seeOther, "\(sent.html.prefix(300))")
            let path = try #require(sent.location)
            #expect(path.hasPrefix("/support/"))
            let own = try await alice.get(path)
            #expect(
                own.html.contains("<h1>Checkout &lt;fails&gt;</h1>") && own.html.contains("promised within 4 working hours"), "\(own.html)")

            // Acme's people find it among the requests to them and answer it.
            let bob = try await Browser.signedIn(app, as: b)
            let list = section(try await bob.get("/support").html, "support-to-us")
            #expect(list.contains("Checkout &lt;fails&gt;") && list.contains("Northwind"), "\(list)")
            let answered = try await bob.post(path + "/messages", ["body": "Fixed, sorry."])
            #expect(answered.status == .seeOther && answered.location == path, "\(answered.html.prefix(300))")
            let thread = section(try await alice.get(path).html, "support-thread")
            #expect(thread.contains("Fixed, sorry.") && thread.contains("Bob, Acme"), "\(thread)")

            // Anyone else gets the app's 404, and no card on Acme's profile.
            let cleo = try await Browser.signedIn(app, as: try await app.register("Cleo", org: "Kite"))
            #expect(try await cleo.get(path).status == .notFound)
            #expect(section(try await cleo.get("/organizations/\(acme)").html, "support").isEmpty)
        }
    }
}
