import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Commitment form")
struct CommitmentFormTests {
    @Test func aRefusedFormKeepsWhatWasTypedWithTheErrorAtItsField() async throws {
        try await withTestApp { app in
            let (north, _, pid) = try await app.activePartnership()
            let browser = try await Browser.signedIn(app, as: north)
            let path = "/partnerships/\(pid)/commitments"
            let refused = try await browser.post(
                path,
                [
                    "title": "Brand audit <draft>", "deliverable": "A 10-page report & slides", "acceptanceCriteria": "Covers all markets",
                    "dueAt": "2020-01-01T10:00", "timeZone": "Europe/Berlin", "ownerId": north.id,
                ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains(#"value="Brand audit &lt;draft&gt;""#), "\(refused.html.prefix(3000))")
            #expect(
                refused.html.contains("A 10-page report &amp; slides</textarea>") && refused.html.contains("Covers all markets</textarea>"))
            #expect(refused.html.contains(#"value="2020-01-01T10:00" aria-invalid="true" aria-describedby="dueAt-error">"#))
            #expect(refused.html.contains(#"<p class="error-text" id="dueAt-error" role="alert">The due date must be in the future.</p>"#))
            #expect(try await Commitment.query(on: app.db).count() == 0, "nothing was created")
            let untitled = try await browser.post(
                path, ["title": "", "dueAt": "2031-01-01T10:00", "timeZone": "Europe/Berlin", "ownerId": north.id])
            #expect(untitled.status == .unprocessableEntity && untitled.html.contains(#"id="title-error""#))
            #expect(untitled.html.contains(#"value="2031-01-01T10:00""#))
            let accepted = try await browser.post(
                path, ["title": "Brand audit", "dueAt": "2031-01-01T10:00", "timeZone": "Europe/Berlin", "ownerId": north.id])
            #expect(accepted.status == .seeOther && accepted.location?.contains("/commitments/") == true)
        }
    }
}
