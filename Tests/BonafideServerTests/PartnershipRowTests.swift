import Fluent
import Foundation
import Testing

@testable import BonafideServer

/// The partnership of every partnership page and API call, read with one plain query and loaded property by
/// property (`Policy.partnership`): it must be the partnership Fluent would have loaded, and still save as an update
/// of what changed.
@Suite("Partnership row")
struct PartnershipRowTests {
    @Test func policyLoadsThePartnershipAsFluentLoadsIt() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let id = try #require(UUID(uuidString: pid))
            let alice = try #require(try await User.find(UUID(uuidString: a.id), on: app.db))
            let loaded = try await Policy.partnership(id, for: Actor(user: alice), on: app.db)
            let fluent = try #require(try await Partnership.find(id, on: app.db))

            #expect(loaded.name == "Relaunch" && loaded.status == .active)
            #expect(loaded.$partner.id == UUID(uuidString: b.organizationID) && loaded.$organization.id == alice.$organization.id)
            #expect(loaded.$createdBy.id == alice.id && loaded.createdAt != nil)
            #expect(SessionLookupTests.values(loaded) == SessionLookupTests.values(fluent))
            #expect(StoredColumns.of(loaded) == StoredColumns.of(fluent))
            #expect(loaded._$idExists && !loaded.hasChanges && StoredColumns.changed(in: loaded).isEmpty)

            // Only what changed is written: a change made meanwhile to another column survives the save.
            try await Partnership.query(on: app.db).filter(\.$id == id).set(\.$invitedEmail, to: "later@acme.example").update()
            loaded.name = "Relaunch 2"
            #expect(StoredColumns.changed(in: loaded) == ["name"])
            try await loaded.save(on: app.db)
            let after = try #require(try await Partnership.find(id, on: app.db))
            #expect(after.name == "Relaunch 2" && after.invitedEmail == "later@acme.example" && after.status == .active)
            #expect(try await Partnership.query(on: app.db).count() == 1)

            // Someone of neither side still finds nothing.
            let eve = try await app.register("Eve", org: "Other")
            let stranger = try #require(try await User.find(UUID(uuidString: eve.id), on: app.db))
            await #expect(throws: Problem.self) { _ = try await Policy.partnership(id, for: Actor(user: stranger), on: app.db) }
        }
    }
}
