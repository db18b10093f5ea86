import Fluent
import Foundation
import SQLKit
import Testing

@testable import BonafideServer

/// The session of every signed-in page, read with one plain query and loaded property by property: it must be the
/// session and person Fluent would have loaded, and signing in, out and expiring must work as before.
@Suite("Session lookup")
struct SessionLookupTests {
    /// Each property's value as text: a property `load(from:)` forgot is nil here and a value in Fluent's load.
    static func values(_ model: some Fields) -> [String] {
        model.properties.map { String(describing: $0.anyValue) }
    }

    @Test func loadsTheSessionAndPersonAsFluentLoadsThem() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let browser = try await Browser.signedIn(app, as: a)
            let secret = try #require(browser.cookies["bonafide_session"])
            let found = try #require(try await WebSessions.find(secret: secret, on: app.db))
            let fluent = try #require(
                try await WebSession.query(on: app.db).filter(\.$tokenHash == Secrets.digest(secret)).first())
            let person = try #require(try await User.find(fluent.$user.id, on: app.db))

            #expect(found.user.name == "Alice" && found.user.email == a.email)
            #expect(found.$user.id == fluent.$user.id && found.user.$organization.id == person.$organization.id)
            #expect(Self.values(found.user) == Self.values(person))
            // Loaded, not built: saving writes nothing unchanged, and is an update of the row, not an insert.
            #expect(!found.hasChanges && !found.user.hasChanges && found._$idExists && found.user._$idExists)
            // Compared without the person, which the Fluent load leaves unloaded.
            found.$user.value = nil
            #expect(Self.values(found) == Self.values(fluent))
            #expect(found.data["csrf"] != nil && found.data == fluent.data)

            #expect(try await WebSessions.find(secret: secret + "x", on: app.db) == nil)
        }
    }

    @Test func aPageSeenAfterAMinuteTouchesOnlyLastSeen() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let browser = try await Browser.signedIn(app, as: a)
            let before = try #require(try await WebSession.query(on: app.db).first())
            let earlier = Date().addingTimeInterval(-120)
            before.lastSeenAt = earlier
            try await before.save(on: app.db)

            #expect(try await browser.get("/dashboard").status == .ok)
            let after = try #require(try await WebSession.query(on: app.db).first())
            #expect(try await WebSession.query(on: app.db).count() == 1)
            #expect(after.id == before.id && after.lastSeenAt > earlier.addingTimeInterval(60))
            #expect(after.tokenHash == before.tokenHash && after.data == before.data && after.createdAt == before.createdAt)
            // The session's form token still signs forms; ending every session leaves none.
            #expect(try await browser.post("/settings/sessions/end-all", [:]).location?.hasPrefix("/login") == true)
            #expect(try await WebSession.query(on: app.db).count() == 0)
            #expect(try await browser.get("/dashboard").location?.hasPrefix("/login") == true)
        }
    }

    @Test func signedOutExpiredAndEndedSessionsAreRefused() async throws {
        try await withTestApp { app in
            let (north, _, pid) = try await app.activePartnership()
            let page = "/partnerships/\(pid)"

            #expect(try await Browser(app).get(page).location?.hasPrefix("/login") == true)

            let browser = try await Browser.signedIn(app, as: north)
            #expect(try await browser.get(page).status == .ok)

            // Past its absolute lifetime: refused, the row deleted, the cookie cleared.
            let session = try #require(try await WebSession.query(on: app.db).first())
            session.createdAt = Date().addingTimeInterval(-91 * 86_400)
            try await session.save(on: app.db)
            #expect(try await browser.get(page).location?.hasPrefix("/login") == true)
            #expect(try await WebSession.query(on: app.db).count() == 0)
            #expect(browser.cookies["bonafide_session"] == nil || browser.cookies["bonafide_session"] == "")

            // Waiting for the second factor: not signed in.
            let pending = try await Browser.signedIn(app, as: north)
            try await WebSession.query(on: app.db).set(\.$pendingSecondFactor, to: true).update()
            #expect(try await pending.get(page).location?.hasPrefix("/login") == true)

            // Signed out, then the old cookie sent again: refused.
            let out = try await Browser.signedIn(app, as: north)
            let cookie = try #require(out.cookies["bonafide_session"])
            #expect(try await out.get(page).status == .ok)
            try await out.post("/logout", [:])
            out.cookies["bonafide_session"] = cookie
            #expect(try await out.get(page).location?.hasPrefix("/login") == true)
        }
    }
}
