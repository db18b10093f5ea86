import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The search reads in a few grouped queries what it read one organization at a time; what it shows must not change.
@Suite("Organization search reads")
struct OrganizationSearchReadTests {
    @Test func recordsReadTogetherAreEachOrganizationsOwn() async throws {
        try await withTestApp { app in
            let now = Date()
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            let ids = try await Organization.query(on: app.db).all(\.$id)

            let completions = try await Commitments.completionRecords(ownedBy: ids, on: app.db)
            for id in ids {
                let completed = try await Commitment.query(on: app.db).filter(\.$ownerOrganization.$id == id).filter(
                    \.$status == .completed
                )
                .all()
                let onTime = completed.filter { c in c.completedAt.map { $0 <= c.dueAt } ?? false }.count
                let expected = completed.isEmpty ? nil : Commitments.CompletionRecord(completed: completed.count, onTime: onTime)
                #expect(completions[id] == expected, "\(id)")
            }
            // Some kept on time and some late, or the comparison proves little.
            #expect(completions.values.contains { $0.onTime > 0 && $0.onTime < $0.completed }, "\(completions)")

            let incidents = try await Incidents.records(of: ids, at: now, on: app.db)
            #expect(Set(incidents.keys) == Set(ids))
            for id in ids {
                var own = try await Incidents.record(of: id, at: now, on: app.db)
                own.published = []
                #expect(incidents[id] == own, "\(id)")
            }
            #expect(incidents.values.contains { $0.total > 0 })
        }
    }

    @Test func aSearchWithoutFiltersShowsWhatTheSameSearchFilteringNothingShows() async throws {
        try await withTestApp { app in
            let now = Date()
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            let alice = Actor(user: try #require(try await User.query(on: app.db).filter(\.$email == "alice@northwind.example").first()))
            // With no filter only the results returned are checked for what Alice may read of them; an overlap of at
            // least 0 hours filters nothing but checks every organization first. Both must say the same.
            let plain = try await OrganizationSearch.search(.init(limit: 100), by: alice, at: now, memo: nil, on: app.db)
            let checked = try await OrganizationSearch.search(.init(overlapHours: 0, limit: 100), by: alice, at: now, memo: nil, on: app.db)
            #expect(plain.map { "\($0)" } == checked.map { "\($0)" })
            let organizations = try await Organization.query(on: app.db).count()
            #expect(plain.count == organizations - 1)
            let lines = plain.flatMap { $0.why + $0.unknown }
            #expect(lines.contains { $0.hasPrefix("Kept ") && $0.hasSuffix(" completed commitments on time") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("Works in ") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("Shares ") || $0 == "No working hours in common with yours" }, "\(lines)")
        }
    }

    @Test func capabilitiesFindAnOrganizationAsItsServicesDo() async throws {
        try await withTestApp { app in
            let asker = try await app.register("Ada", org: "Asker")
            let kite = try await app.register("Kim", org: "Kite")
            let set = try await app.api(
                .PUT, "/profile/sections/capabilities", token: kite.token, json: #"{"content":"Forecast modelling\nData pipelines"}"#)
            #expect(set.status == .ok, "\(set.raw)")
            let found = try await app.api(.GET, "/search/organizations?skill=forecasting%20models", token: asker.token).list
            #expect(found.map { $0["name"] as? String } == ["Kite"], "\(found)")
            #expect(try await app.api(.GET, "/search/organizations?skill=pipeline%20forecast%20ux", token: asker.token).list.isEmpty)
        }
    }

    @Test func reachReadHopByHopIsTheOneEveryOpinionGives() async throws {
        try await withTestApp { app in
            var ids: [UUID] = []
            for i in 0..<12 {
                let org = Organization(name: "Node \(i)", timeZone: "UTC")
                try await org.create(on: app.db)
                ids.append(try org.requireID())
            }
            let good = Opinion(positive: 9, negative: 1), fair = Opinion(positive: 3, negative: 2), bad = Opinion(positive: 0, negative: 9)
            // A ring with chords: everyone is a few hops from everyone, some further than three; distrust (no belief)
            // stops a path, and some pairs are vouched for by two.
            var opinions: [(TrustService.Pair, Opinion)] = []
            for i in 0..<12 {
                opinions.append((.init(viewer: ids[i], subject: ids[(i + 1) % 12]), i % 4 == 0 ? bad : good))
                opinions.append((.init(viewer: ids[i], subject: ids[(i + 3) % 12]), fair))
                if i % 3 == 0 { opinions.append((.init(viewer: ids[i], subject: ids[(i + 4) % 12]), good)) }
            }
            try await TrustOpinions.store(opinions, on: try app.db.sql())
            var graph: [UUID: [UUID: Opinion]] = [:]
            for (pair, opinion) in try await TrustOpinions.all(on: app.db) { graph[pair.viewer, default: [:]][pair.subject] = opinion }
            var deepest = 0
            for root in ids {
                for depth in 1...4 {
                    let everything = TrustPropagation.personalized(from: root, opinions: graph, maxDepth: depth)
                    let hopByHop = try await OrganizationSearch.reach(from: root, maxDepth: depth, on: app.db)
                    #expect(Set(hopByHop.keys) == Set(everything.keys))
                    for (node, want) in everything {
                        let got = try #require(hopByHop[node])
                        #expect(got.opinion == want.opinion && got.depth == want.depth)
                        #expect(got.vouchers.map(\.node) == want.vouchers.map(\.node))
                        #expect(got.vouchers.map(\.opinion) == want.vouchers.map(\.opinion))
                        #expect(got.vouchers.map(\.trustInVoucher) == want.vouchers.map(\.trustInVoucher))
                        deepest = max(deepest, want.depth)
                    }
                    // Not everyone is reached: the walk stops somewhere.
                    if depth == 3 { #expect(everything.count < ids.count - 1) }
                }
            }
            #expect(deepest == 4)
        }
    }

    @Test func aSearchAfterAnOpinionChangesShowsTheNewOpinion() async throws {
        try await withTestApp { app in
            let now = Date()
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            let alice = Actor(user: try #require(try await User.query(on: app.db).filter(\.$email == "alice@northwind.example").first()))
            let other = try #require(try await Organization.query(on: app.db).filter(\.$id != alice.organizationID).first()?.id)
            let pair = TrustService.Pair(viewer: alice.organizationID, subject: other)
            let (trust, distrust) = (Opinion(positive: 40, negative: 0), Opinion(positive: 0, negative: 40))
            try await app.db.writeTransaction { tx in try await TrustOpinions.store([(pair, trust)], on: try tx.sql()) }
            let memo = TrustReachMemo()
            let before = try await OrganizationSearch.search(.init(limit: 100), by: alice, at: now, memo: memo, on: app.db)
            let known = try #require(before.first { $0.id == other }, "\(before)")
            #expect(known.depth == 1 && abs(known.score - trust.expectation * 100) < 1e-9, "\(known)")
            func score() async throws -> Double? {
                try await OrganizationSearch.search(.init(limit: 100), by: alice, at: now, memo: memo, on: app.db).first {
                    $0.id == known.id
                }?
                .score
            }

            // Written without a new token, the change is not seen: the reach worked out before is what answers (so
            // this test shows that it is kept, and that the token is what lets it go).
            try await TrustOpinions.upsert([(pair, distrust)], on: try app.db.sql())
            #expect(try await score() == known.score)

            let token = try await TrustOpinions.version(on: app.db)
            try await app.db.writeTransaction { tx in try await TrustOpinions.store([(pair, distrust)], on: try tx.sql()) }
            #expect(try await TrustOpinions.version(on: app.db) != token)
            let after = try #require(try await score())
            #expect(abs(after - distrust.expectation * 100) < 1e-9, "\(after)")
            #expect(after < known.score - 10)
        }
    }
}
