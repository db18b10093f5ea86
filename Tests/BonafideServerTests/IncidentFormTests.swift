import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Raising an incident in the browser")
struct IncidentFormTests {
    @Test func aRefusedFormComesBackAsTypedWithTheReasonUnderItsField() async throws {
        try await withTestApp { app in
            let (north, _, pid) = try await app.activePartnership()
            let browser = try await Browser.signedIn(app, as: north)
            let form = try await browser.get("/partnerships/\(pid)/incidents/new").html
            #expect(form.contains("value=\"partner\" checked") && form.contains("<option value=\"major\" selected>"))
            let refused = try await browser.post(
                "/partnerships/\(pid)/incidents",
                [
                    "responsible": "us", "title": "Invoice sent to the wrong client", "severity": "critical",
                    "description": "The March invoice went to another client.", "occurredAt": "2099-01-01T10:00",
                ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("id=\"occurredAt-error\" role=\"alert\">The incident cannot have happened in the future.</p>"))
            #expect(refused.html.contains("value=\"us\" checked") && refused.html.contains("<option value=\"critical\" selected>"))
            #expect(refused.html.contains("The March invoice went to another client.</textarea>"))
            #expect(refused.html.contains("value=\"2099-01-01T10:00\" aria-invalid=\"true\""))
            #expect(try await Incident.query(on: app.db).count() == 0)
        }
    }

    /// A resolution with too short a root cause keeps both texts, with the reason under the root cause; the
    /// incident stays as it was.
    @Test func aRefusedResolutionKeepsTheTypedAccount() async throws {
        try await withTestApp { app in
            let (north, south, pid) = try await app.activePartnership()
            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: south.token,
                json: #"{"title":"Late invoice","description":"Sent a month late.","severity":"minor"}"#)
            let iid = raised.body["id"] as? String ?? ""
            let browser = try await Browser.signedIn(app, as: north)
            let path = "/partnerships/\(pid)/incidents/\(iid)/transitions"
            #expect(try await browser.post(path, ["action": "acknowledge"]).status == .seeOther)
            let plan = "From January the books close on the 25th & a second person checks every invoice."
            let refused = try await browser.post(path, ["action": "resolve", "rootCause": "Busy <q4>", "improvementPlan": plan])
            #expect(refused.status == .unprocessableEntity)
            #expect(
                refused.html.contains(#"aria-describedby="rootCause-error">Busy &lt;q4&gt;</textarea>"#), "\(refused.html.prefix(4000))")
            #expect(refused.html.contains("id=\"rootCause-error\" role=\"alert\">Explain the root cause (at least"))
            #expect(refused.html.contains(">\(plan.replacingOccurrences(of: "&", with: "&amp;"))</textarea>"))
            let incident = try await Incident.find(UUID(uuidString: iid), on: app.db)
            #expect(incident?.status == .acknowledged && incident?.rootCause == nil)
        }
    }
}
