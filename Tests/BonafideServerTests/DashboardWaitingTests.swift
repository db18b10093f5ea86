import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Waiting for you")
struct DashboardWaitingTests {
    /// How often `text` appears in the page.
    func count(_ text: String, in html: String) -> Int { html.components(separatedBy: text).count - 1 }

    @Test func eachThingOnlyYourSideCanMoveAppearsOnceAndLeavesWhenDone() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: north.token, json: #"{"title":"Style guide","dueAt":"\#(due)"}"#)
            let url = "/partnerships/\(pid)/commitments/\(created.body["id"] as? String ?? "")/transitions"
            let acmeBrowser = try await Browser.signedIn(app, as: acme)
            var page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("<strong>Accept or decline</strong>: <a href="), "\(page.prefix(1500))")
            #expect(count("Style guide</a>", in: page) == 1, "listed once, not again under what is owed")
            // Northwind, who proposed it, has nothing waiting.
            #expect(try await Browser.signedIn(app, as: north).get("/dashboard").html.contains("Nothing waits for your side."))

            #expect(try await app.api(.POST, url, token: acme.token, json: #"{"action":"accept"}"#).status == .ok)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("Nothing waits for your side.") && count("Style guide</a>", in: page) == 1)
            #expect(try await app.api(.POST, url, token: north.token, json: #"{"action":"deliver"}"#).status == .ok)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("<strong>Accept the delivery or send it back</strong>") && count("Style guide</a>", in: page) == 1)
            #expect(try await app.api(.POST, url, token: acme.token, json: #"{"action":"approveDelivery"}"#).status == .ok)
            #expect(try await acmeBrowser.get("/dashboard").html.contains("Nothing waits for your side."))

            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: north.token,
                json: #"{"title":"Wrong invoice","description":"Sent to the wrong address.","severity":"minor"}"#)
            #expect(raised.status == .created)
            page = try await acmeBrowser.get("/dashboard").html
            #expect(page.contains("<strong>Acknowledge the incident</strong>: <a href=") && page.contains("Wrong invoice"))
        }
    }
}
