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
}
