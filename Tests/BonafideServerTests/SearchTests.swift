import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Search")
struct SearchTests {
    @Test func findsWhatThePersonMaySeeAndNothingElse() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let (orbit, _, otherPid) = try await app.activePartnership(("Olga", "Orbit"), ("Sam", "Sable"))
            let due = rfc3339(Date().addingTimeInterval(5 * 86_400))
            for (token, p, title) in [(north.token, pid, "Style guide for 50% of pages"), (orbit.token, otherPid, "Style guide secret")] {
                #expect(
                    try await app.api(
                        .POST, "/partnerships/\(p)/commitments", token: token, json: #"{"title":"\#(title)","dueAt":"\#(due)"}"#
                    )
                    .status == .created)
            }
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: acme.token,
                json: #"{"subject":"Fonts","body":"Which STYLE of headings do you want on the landing page?"}"#)
            let bob = try await Browser.signedIn(app, as: acme)
            let page = try await bob.get("/search?q=style").html
            #expect(page.contains(">Style guide for 50% of pages</a>") && !page.contains("secret"), "another tenant's work never shows")
            #expect(page.contains(">Fonts</a><div class=\"small muted\">Which STYLE of headings"))
            #expect(
                try await bob.get("/search?q=relaunch").html.contains(
                    "id=\"found-partnerships\"><h2>Partnerships <span class=\"small muted\">(1)"))
            #expect(try await bob.get("/search?q=orbi").html.contains(">Orbit</a>"), "organizations by name")
            // Literal: % is not a wildcard.
            #expect(try await bob.get("/search?q=50%25").html.contains(">Style guide for 50% of pages</a>"))
            #expect(try await bob.get("/search?q=5%25%25").html.contains("id=\"no-results\""))
            let long = try await bob.get("/search?q=" + String(repeating: "a", count: 101))
            #expect(long.status == .unprocessableEntity)
        }
    }
}
