import Fluent
import Foundation
import Testing

@testable import BonafideServer

/// Both sides of a partnership, read with one plain query and loaded property by property: they must be the
/// organizations Fluent would have loaded, and still save as updates.
@Suite("Partnership sides")
struct PartnershipSidesTests {
    @Test func bothSidesAreTheOrganizationsFluentLoads() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let northwind = try #require(try await Organization.find(UUID(uuidString: a.organizationID), on: app.db))
            northwind.capabilities = ["Logistics", "Ünïcode ✓"]
            northwind.workDays = [1, 3, 5]
            northwind.description = "We ship."
            try await northwind.save(on: app.db)
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))

            let sides = try await Partnerships.sides(of: p, on: app.db)
            let acme = try #require(UUID(uuidString: b.organizationID))
            let fluent = try await Organization.query(on: app.db).filter(\.$id ~~ [northwind.id!, acme]).all()
            #expect(Set(sides.keys) == Set(fluent.map { $0.id! }) && sides.count == 2)
            for organization in fluent {
                let read = try #require(sides[organization.id!])
                #expect(SessionLookupTests.values(read) == SessionLookupTests.values(organization))
                #expect(!read.hasChanges && read._$idExists)
            }
            let ours = try #require(sides[northwind.id!])
            #expect(ours.capabilities == ["Logistics", "Ünïcode ✓"] && ours.workDays == [1, 3, 5] && ours.name == "Northwind")
            #expect(sides[acme]?.name == "Acme")

            // Loaded, not built: a change saves as an update of the same row.
            let count = try await Organization.query(on: app.db).count()
            ours.description = "We ship fast."
            try await ours.save(on: app.db)
            #expect(try await Organization.query(on: app.db).count() == count)
            #expect(try await Organization.find(northwind.id, on: app.db)?.description == "We ship fast.")
        }
    }
}
