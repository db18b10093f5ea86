import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Surveys over the API")
struct SurveyAPITests {
    func token(from link: String) -> String { String(link.split(separator: "/").last ?? "") }

    func recipients(_ app: Application, _ sid: String, _ account: Account) async throws -> [[String: Any]] {
        let r = try await app.api(.GET, "/surveys/\(sid)/recipients", token: account.token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list
    }

    @Test func npsSurveyFromCreationToResultsWithIntervalSegmentsAndExport() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let created = try await app.api(
                .POST, "/surveys", token: a.token,
                json:
                    #"{"title":"Q4 partners","kind":"nps","campaign":"Q4","questions":[{"kind":"choice","prompt":"Which team?","options":["Design","Build"]},{"kind":"text","prompt":"Anything else?"}]}"#
            )
            #expect(created.status == .created, "\(created.raw)")
            let sid = created.body["id"] as? String ?? ""
            #expect(created.body["question"] as? String == "How likely are you to recommend us to a friend or colleague?")
            let added = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token,
                json:
                    #"{"partners":true,"csv":"email,name,segment\nana@cust.example,Ana,Enterprise\nbo@cust.example,Bo,Enterprise\ncy@cust.example,Cy,SMB\n\"dee@cust.example\",\"Dee, Jr\",SMB\n"}"#
            )
            #expect(added.status == .ok, "\(added.raw)")
            #expect(added.body["added"] as? Int == 5, "4 customers and Bob of Acme: \(added.raw)")
            let again = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"recipients":[{"email":"ANA@cust.example"}]}"#)
            #expect(again.body["alreadyThere"] as? Int == 1 && again.body["added"] as? Int == 0)
            let sent = try await app.api(.POST, "/surveys/\(sid)/send", token: a.token)
            #expect(sent.body["count"] as? Int == 5)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == "survey-invitation").count() == 5)
            let people = try await recipients(app, sid, a)
            var links: [String: String] = [:]
            for p in people { links[p["email"] as? String ?? ""] = p["link"] as? String }
            #expect(people.first { $0["email"] as? String == b.email }?["segment"] as? String == "Acme")
            // Ana and Bo promote, Cy is passive, Dee skips the score; Bob (Acme) detracts.
            func answer(_ email: String, _ json: String) async throws -> (status: HTTPStatus, raw: String) {
                let r = try await app.api(.POST, "/survey-links/\(token(from: links[email] ?? ""))/response", json: json)
                return (r.status, r.raw)
            }
            #expect(
                try await answer(
                    "ana@cust.example", #"{"score":10,"reason":"Always on time and quick to reply.","answers":{"q1":"Design"}}"#
                ).status == .created)
            #expect(try await answer("bo@cust.example", #"{"score":9,"answers":{"q2":"Keep it up"}}"#).status == .created)
            #expect(try await answer("cy@cust.example", #"{"score":7}"#).status == .created)
            #expect(try await answer("dee@cust.example", #"{"reason":"No opinion yet."}"#).status == .created)
            #expect(try await answer(b.email, #"{"score":3,"reason":"Late twice, and the fix took forever."}"#).status == .created)
            // Reused link: refused, nothing counted twice.
            let reused = try await answer("ana@cust.example", #"{"score":0}"#)
            #expect(reused.status == .conflict, "\(reused.raw)")
            let r = try await app.api(.GET, "/surveys/\(sid)", token: a.token)
            let results = r.body["results"] as? [String: Any] ?? [:]
            #expect(results["n"] as? Int == 4, "the skipped score is not counted")
            #expect(results["skipped"] as? Int == 1)
            #expect(results["responded"] as? Int == 5 && results["invited"] as? Int == 5)
            #expect(abs((results["score"] as? Double ?? 0) - 25) < 1e-9, "2 promoters, 1 passive, 1 detractor of 4")
            let ci = results["ci95"] as? [Double] ?? []
            // Adjusted: p = 2.75/7, d = 1.75/7 -> centre 14.29, se = 100 sqrt((4.5/7 - (1/7)^2)/7) = 29.82.
            #expect(ci.count == 2 && abs(ci[0] - (-44.1598)) < 0.01 && abs(ci[1] - 72.7312) < 0.01, "\(ci)")
            #expect(results["distribution"] as? [Int] == [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1])
            let segments = (results["segments"] as? [[String: Any]] ?? []).map { $0["label"] as? String ?? "" }
            #expect(segments == ["Acme", "Enterprise", "SMB"])
            let comments = results["comments"] as? [[String: Any]] ?? []
            let slipped = comments.first { ($0["text"] as? String ?? "").hasPrefix("Late twice") }
            #expect((slipped?["sentiment"] as? Double ?? 0) < 0, "\(comments)")
            // CSV export: one row per response, extra questions as columns, the comma in a name quoted.
            let csv = try await app.api(.GET, "/surveys/\(sid)/responses.csv", token: a.token)
            #expect(csv.status == .ok)
            let lines = csv.raw.split(separator: "\r\n")
            #expect(lines.first == "submitted_at,email,name,segment,score,reason,sentiment,q1,q2")
            #expect(lines.count == 6)
            #expect(csv.raw.contains("\"Dee, Jr\""))
            #expect(lines.contains { $0.contains("ana@cust.example") && $0.hasSuffix(",Design,") })
            // The partner's answer is trust evidence: Acme's view of Northwind now includes it.
            try await TrustService.drain(on: app.db)
            let trust = try await app.api(.GET, "/trust/\(a.organizationID)", token: b.token)
            let why = (trust.body["explanation"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
            #expect(why.contains { $0.contains("answered “Q4 partners” with 3") }, "\(why)")
        }
    }

    @Test func forgedLinksAreNotFoundAndBadAnswersChangeNothing() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let sid =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Support","kind":"csat"}"#).body["id"] as? String
                ?? ""
            _ = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"recipients":[{"email":"ana@cust.example"}]}"#)
            let link = try await recipients(app, sid, a).first?["link"] as? String ?? ""
            let good = token(from: link)
            // One character changed in the signature, or in the id: both not found.
            var chars = Array(good)
            chars[chars.count - 2] = chars[chars.count - 2] == "A" ? "B" : "A"
            let forged = String(chars)
            chars = Array(good)
            chars[1] = chars[1] == "A" ? "B" : "A"
            for bad in [forged, String(chars), "nonsense", String(repeating: "A", count: 64)] {
                let r = try await app.api(.POST, "/survey-links/\(bad)/response", json: #"{"score":5}"#)
                #expect(r.status == .notFound, "\(bad): \(r.raw)")
                #expect(r.headers.contentType?.description.contains("problem+json") == true)
            }
            #expect(try await app.api(.GET, "/survey-links/\(forged)").status == .notFound)
            // Out of range, unknown question: 422 with a specific detail, and the link still works afterwards.
            let outOfRange = try await app.api(.POST, "/survey-links/\(good)/response", json: #"{"score":6}"#)
            #expect(outOfRange.status == .unprocessableEntity)
            #expect((outOfRange.body["detail"] as? String ?? "").contains("from 1 to 5"))
            let unknown = try await app.api(.POST, "/survey-links/\(good)/response", json: #"{"score":4,"answers":{"zz":1}}"#)
            #expect(unknown.status == .unprocessableEntity, "\(unknown.raw)")
            #expect(try await SurveyResponse.query(on: app.db).count() == 0)
            let info = try await app.api(.GET, "/survey-links/\(good)")
            #expect(info.body["answered"] as? Bool == false && info.body["scale"] as? [Int] == [1, 5])
            #expect(try await app.api(.POST, "/survey-links/\(good)/response", json: #"{"score":4}"#).status == .created)
            let results = try await app.api(.GET, "/surveys/\(sid)", token: a.token).body["results"] as? [String: Any] ?? [:]
            #expect(results["n"] as? Int == 1 && results["score"] as? Double == 100)
            // Another organization cannot see or manage the survey.
            let other = try await app.register("Olga", org: "Other")
            #expect(try await app.api(.GET, "/surveys/\(sid)", token: other.token).status == .notFound)
            #expect(try await app.api(.POST, "/surveys/\(sid)/send", token: other.token).status == .notFound)
            #expect(
                try await app.api(.GET, "/surveys/\(sid)/recipients", token: other.token).status == .notFound, "personal links stay private"
            )
            #expect(try await app.api(.GET, "/surveys/\(sid)/responses.csv", token: other.token).status == .notFound)
            #expect(try await app.api(.GET, "/surveys", token: other.token).list.isEmpty)
        }
    }

    @Test func remindersSkipAnsweredAndOptedOutAndOptOutsAreHonouredLater() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let sid =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Pulse","kind":"nps"}"#).body["id"] as? String ?? ""
            _ = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token,
                json: #"{"csv":"email\none@x.example\ntwo@x.example\nthree@x.example"}"#)
            _ = try await app.api(.POST, "/surveys/\(sid)/send", token: a.token)
            let people = try await recipients(app, sid, a)
            func link(_ email: String) -> String { token(from: people.first { $0["email"] as? String == email }?["link"] as? String ?? "") }
            #expect(try await app.api(.POST, "/survey-links/\(link("one@x.example"))/response", json: #"{"score":9}"#).status == .created)
            #expect(try await app.api(.POST, "/survey-links/\(link("two@x.example"))/opt-out").status == .noContent)
            // Too soon after the invitation: nobody is reminded.
            #expect(try await app.api(.POST, "/surveys/\(sid)/reminders", token: a.token).body["count"] as? Int == 0)
            let survey = try await Survey.find(UUID(uuidString: sid), on: app.db)!
            let actor = Actor(user: try await User.query(on: app.db).filter(\.$email == a.email).first()!)
            let later = Date().addingTimeInterval(2 * 86_400)
            #expect(try await Surveys.remind(survey, by: actor, baseURL: "http://x", at: later, on: app.db) == 1, "only three@")
            #expect(try await Surveys.remind(survey, by: actor, baseURL: "http://x", at: later, on: app.db) == 0, "a day apart")
            let reminders = try await OutboxMessage.query(on: app.db).filter(\.$kind == "survey-reminder").all()
            #expect(reminders.map(\.toEmail) == ["three@x.example"])
            // The opted-out address is not added to the next survey.
            let next =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Next","kind":"nps"}"#).body["id"] as? String ?? ""
            let added = try await app.api(
                .POST, "/surveys/\(next)/recipients", token: a.token,
                json: #"{"recipients":[{"email":"two@x.example"},{"email":"new@x.example"}]}"#)
            #expect(added.body["added"] as? Int == 1 && added.body["optedOut"] as? Int == 1, "\(added.raw)")
        }
    }

    @Test func someoneWhoOptsOutAfterBeingAddedIsNotInvited() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let first =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"A","kind":"nps"}"#).body["id"] as? String ?? ""
            let second =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"B","kind":"nps"}"#).body["id"] as? String ?? ""
            for sid in [first, second] {
                _ = try await app.api(
                    .POST, "/surveys/\(sid)/recipients", token: a.token,
                    json: #"{"recipients":[{"email":"ana@x.example"},{"email":"bo@x.example"}]}"#)
            }
            _ = try await app.api(.POST, "/surveys/\(first)/send", token: a.token)
            let ana = try await recipients(app, first, a).first { $0["email"] as? String == "ana@x.example" }?["link"] as? String ?? ""
            #expect(try await app.api(.POST, "/survey-links/\(token(from: ana))/opt-out").status == .noContent)
            let sent = try await app.api(.POST, "/surveys/\(second)/send", token: a.token)
            #expect(sent.body["count"] as? Int == 1, "only bo: \(sent.raw)")
            let toAna = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "ana@x.example").count()
            #expect(toAna == 1, "ana's only message is the first invitation")
        }
    }

    @Test func badSurveysAndRecipientListsAreRefusedWithSpecificErrors() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let badKind = try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"X","kind":"ces"}"#)
            #expect(badKind.status == .unprocessableEntity || badKind.status == .badRequest, "\(badKind.raw)")
            let badChoice = try await app.api(
                .POST, "/surveys", token: a.token,
                json: #"{"title":"X","kind":"nps","questions":[{"kind":"choice","prompt":"Pick","options":["one"]}]}"#)
            #expect(badChoice.status == .unprocessableEntity)
            #expect((badChoice.body["detail"] as? String ?? "").contains("2 to 10 different options"))
            let sid = try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"X","kind":"nps"}"#).body["id"] as? String ?? ""
            let badCSV = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"csv":"email\nok@x.example\nnot-an-email\n"}"#)
            #expect(badCSV.status == .unprocessableEntity)
            #expect((badCSV.body["detail"] as? String ?? "").contains("Line 3"), "\(badCSV.raw)")
            let noHeader = try await app.api(.POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"csv":"ok@x.example\n"}"#)
            #expect((noHeader.body["detail"] as? String ?? "").contains("header row"))
            #expect(try await SurveyRecipient.query(on: app.db).count() == 0, "nothing added from a bad list")
        }
    }

    @Test func respondentAnswersThroughTheWebFormWithoutAnAccount() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let sid =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Web","kind":"nps"}"#).body["id"] as? String ?? ""
            _ = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"recipients":[{"email":"ana@cust.example"}]}"#)
            let link = try await recipients(app, sid, a).first?["link"] as? String ?? ""
            let path = "/s/\(token(from: link))"
            var cookie = ""
            var csrf = ""
            try await app.testing().test(.GET, path) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("How likely are you to recommend us"))
                cookie = res.headers.setCookie?["bonafide_csrf"]?.string ?? ""
                #expect(res.headers.setCookie?["bonafide_session"] == nil, "no session for an anonymous visitor")
                if let range = res.body.string.range(of: #"name="_csrf" value=""#) {
                    csrf = String(res.body.string[range.upperBound...].prefix { $0 != "\"" })
                }
            }
            let form = "_csrf=\(csrf)&score=8&reason=Solid+work%2C+a+bit+slow+to+reply"
            let session = cookie
            let submit: (inout TestingHTTPRequest) throws -> Void = { req in
                req.headers.replaceOrAdd(name: .cookie, value: "bonafide_csrf=\(session)")
                req.headers.contentType = .urlEncodedForm
                req.body = ByteBuffer(string: form)
            }
            try await app.testing().test(
                .POST, path, beforeRequest: submit,
                afterResponse: { res async in
                    #expect(res.status == .created)
                    #expect(res.body.string.contains("Your answer reached Northwind"))
                })
            // The same form again: refused, the thank-you page says it was already answered.
            try await app.testing().test(
                .POST, path, beforeRequest: submit,
                afterResponse: { res async in
                    #expect(res.status == .conflict)
                    #expect(res.body.string.contains("already answered"))
                })
            #expect(try await SurveyResponse.query(on: app.db).count() == 1)
        }
    }
}
