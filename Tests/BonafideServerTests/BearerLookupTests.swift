import Fluent
import Foundation
import Testing

@testable import BonafideServer

/// The person of every API call, read with the token in one plain query and loaded property by property: it must be
/// the person Fluent would have loaded, and the token's use must still be recorded at most once a minute.
@Suite("Bearer token lookup")
struct BearerLookupTests {
    @Test func loadsThePersonAsFluentLoadsItAndRecordsUseOnce() async throws {
        try await withTestApp { app in
            let ada = try await app.register("Ada", org: "Engines")
            let found = try #require(try await Accounts.user(forBearer: ada.token, from: "203.0.113.9", on: app.db))
            let fluent = try #require(try await User.find(UUID(uuidString: ada.id), on: app.db))

            #expect(found.name == "Ada" && found.email == ada.email && found.role == .owner)
            #expect(SessionLookupTests.values(found) == SessionLookupTests.values(fluent))
            #expect(StoredColumns.of(found) == StoredColumns.of(fluent))
            #expect(found._$idExists && !found.hasChanges && StoredColumns.changed(in: found).isEmpty)

            // The use is recorded with the address; the same address within the minute writes nothing.
            let token = try #require(try await APIToken.query(on: app.db).filter(\.$user.$id == found.id!).first())
            let usedAt = try #require(token.lastUsedAt)
            #expect(token.lastUsedIP == "203.0.113.9")
            _ = try #require(try await Accounts.user(forBearer: ada.token, from: "203.0.113.9", on: app.db))
            #expect(try await APIToken.find(token.id, on: app.db)?.lastUsedAt == usedAt)
            _ = try #require(try await Accounts.user(forBearer: ada.token, from: "198.51.100.7", on: app.db))
            #expect(try await APIToken.find(token.id, on: app.db)?.lastUsedIP == "198.51.100.7")

            // Only what changed is written: a change made meanwhile to another column survives the save.
            try await User.query(on: app.db).filter(\.$id == found.id!).set(\.$timeZone, to: "Asia/Tokyo").update()
            found.name = "Ada L."
            #expect(StoredColumns.changed(in: found) == ["name"])
            try await found.save(on: app.db)
            let after = try #require(try await User.find(found.id, on: app.db))
            #expect(after.name == "Ada L." && after.timeZone == "Asia/Tokyo" && after.email == ada.email)
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }
}
