import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Survey forms")
struct SurveyFormTests {
    /// The extra questions' mini-language is previewed as customers will see it before anything is saved, and a
    /// refused line comes back as typed with the reason under it.
    @Test func writingASurveyPreviewsItsQuestionsAndKeepsWhatWasTyped() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let browser = try await Browser.signedIn(app, as: a)
            let lines = "choice: Which team did you work with? | Design | Build & Ops\nscale: How quick were we?\ntext: Anything else?"
            let preview = try await browser.post(
                "/surveys", ["title": "Q4 <pilot>", "kind": "csat", "questions": lines, "preview": "1", "campaign": "Winter"])
            #expect(preview.status == .ok)
            #expect(preview.html.contains("Preview: what customers see after the main question"))
            #expect(preview.html.contains(#"<input type="radio" name="a_q1" value="Build &amp; Ops" disabled> Build &amp; Ops</label>"#))
            #expect(
                preview.html.contains(#"<input type="radio" name="a_q2" value="5" disabled> 5</label>"#)
                    && preview.html.contains("Anything else?</label>"))
            #expect(preview.html.contains(#"value="Q4 &lt;pilot&gt;""#) && preview.html.contains(#"<option value="csat" selected>"#))
            #expect(preview.html.contains(">\(lines.replacingOccurrences(of: "&", with: "&amp;"))</textarea>"))
            #expect(try await Survey.query(on: app.db).count() == 0, "a preview saves nothing")

            let refused = try await browser.post("/surveys", ["title": "Q4", "kind": "nps", "questions": "rating: How fast?"])
            #expect(refused.status == .unprocessableEntity)
            #expect(
                refused.html.contains(#"id="questions-error" role="alert">Extra question line 1 must start with scale:, choice: or text:"#))
            #expect(refused.html.contains(#"aria-describedby="questions-error">rating: How fast?</textarea>"#))
            #expect(try await Survey.query(on: app.db).count() == 0)

            let created = try await browser.post("/surveys", ["title": "Q4", "kind": "csat", "questions": lines])
            #expect(created.status == .seeOther && created.location?.hasPrefix("/surveys/") == true)
            #expect(try await Survey.query(on: app.db).first()?.questions.count == 3)
        }
    }

    /// A customer whose answer is refused (a reason over 2,000 characters) gets their answer back as given.
    @Test func aRefusedAnswerComesBackAsGiven() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let created = try await app.api(
                .POST, "/surveys", token: a.token,
                json:
                    #"{"title":"Q4","kind":"nps","questions":[{"id":"team","kind":"choice","prompt":"Which team?","options":["Design","Build"]}]}"#
            )
            let sid = created.body["id"] as? String ?? ""
            _ = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"recipients":[{"email":"ana@cust.example"}]}"#)
            let people = try await app.api(.GET, "/surveys/\(sid)/recipients", token: a.token).list
            let link = try #require(people.first?["link"] as? String)
            let path = String(
                link[link.range(of: "/", options: [], range: link.range(of: "://")!.upperBound..<link.endIndex)!.lowerBound...])
            let customer = Browser(app)
            let form = try await customer.get(path)
            #expect(form.status == .ok && form.html.contains("Why? (optional)"))
            let long = String(repeating: "slow ", count: 401)
            let refused = try await customer.post(path, ["score": "6", "reason": long, "a_team": "Build"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("The answer to “why?” must have at most 2,000 characters."))
            #expect(refused.html.contains(#"id="score-6" checked"#) && refused.html.contains(#"value="Build" checked"#))
            #expect(refused.html.contains(">\(long)</textarea>"))
            #expect(try await SurveyResponse.query(on: app.db).count() == 0)
            let sent = try await customer.post(path, ["score": "6", "reason": "Slow at times", "a_team": "Build"])
            #expect(sent.status == .created && sent.html.contains("Your answer reached Northwind"))
        }
    }

    /// A survey's recipients are shown 100 a page, in the order they were added.
    @Test func recipientsArePaged() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let sid =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Q4","kind":"nps"}"#).body["id"] as? String ?? ""
            let csv = "email\\n" + (1...150).map { "customer\($0)@cust.example" }.joined(separator: "\\n")
            let added = try await app.api(.POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"csv":"\#(csv)"}"#)
            #expect(added.body["added"] as? Int == 150, "\(added.raw)")
            let browser = try await Browser.signedIn(app, as: a)
            let first = try await browser.get("/surveys/\(sid)").html
            #expect(first.components(separatedBy: "class=\"survey-link\"").count - 1 == 100)
            #expect(first.contains("1–100 of 150") && first.contains(#"<a href="/surveys/\#(sid)?recipients=1#recipients">Next →</a>"#))
            #expect(first.contains("customer100@cust.example") && !first.contains("customer101@cust.example"))
            let second = try await browser.get("/surveys/\(sid)?recipients=1").html
            #expect(second.components(separatedBy: "class=\"survey-link\"").count - 1 == 50)
            #expect(second.contains("101–150 of 150") && second.contains("← Previous") && !second.contains("Next →"))
            #expect(second.contains("customer150@cust.example") && !second.contains("customer100@cust.example"))
        }
    }
}
