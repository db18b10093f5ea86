import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Message form")
struct MessageFormTests {
    @Test func aRefusedMessageKeepsWhatWasTypedAndAnAcceptedOneIsConfirmed() async throws {
        try await withTestApp { app in
            let (north, _, pid) = try await app.activePartnership()
            let browser = try await Browser.signedIn(app, as: north)
            let path = "/partnerships/\(pid)/messages"
            let empty = try await browser.post(path, ["subject": "Plans <Q4> & more", "body": "  \n ", "needsResponse": "true"])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.html.contains("Start a conversation in"))
            #expect(empty.html.contains(#"value="Plans &lt;Q4&gt; &amp; more""#) && empty.html.contains(#"id="body-error""#))
            #expect(empty.html.contains(#"value="true" checked"#))
            #expect(try await Message.query(on: app.db).count() == 0, "nothing was written")

            let started = try await browser.post(path, ["subject": "Kick-off", "body": "Hello"])
            #expect(started.status == .seeOther)
            let thread = try #require(started.location)
            let page = try await browser.get(thread)
            #expect(page.html.contains("Conversation started. The other side has been notified."))
            let tid = String(thread.split(separator: "/").last ?? "")

            let long = String(repeating: "é", count: 10_001)
            let refused = try await browser.post(path, ["threadId": tid, "body": long])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("<h1>Kick-off</h1>") && refused.html.contains(">\(long)</textarea>"))
            #expect(
                refused.html.contains(#"<p class="error-text" id="body-error" role="alert">A message must have 1 to 10000 characters.</p>"#)
            )
            #expect(try await Message.query(on: app.db).count() == 1)

            let replied = try await browser.post(path, ["threadId": tid, "body": "Thanks"])
            #expect(replied.status == .seeOther && replied.location == thread)
            #expect(try await browser.get(thread).html.contains("Sent."))
        }
    }
}
