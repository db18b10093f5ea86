import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import BonafideServer

/// State that several app servers on one database must share: attempts counted in the database, and trust queue
/// pairs handed to one server at a time and taken back from one that died.
@Suite struct SharedStateTests {
    @Test func attemptsAreCountedInTheDatabaseAndRefusedOnesAreTakenBack() async throws {
        try await withTestApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let start = Date()
            var answers: [Bool] = []
            for _ in 0..<5 {
                answers.append(try await RateLimits.allow("login|10.0.0.1|a@example.com", limit: 3, window: 60, now: start, on: sql))
            }
            #expect(answers == [true, true, true, false, false])
            #expect(try await RateLimits.allow("login|10.0.0.2|a@example.com", limit: 3, window: 60, now: start, on: sql), "another key")
            // The two refused attempts were not kept: once the first three leave the window, three more go through.
            let later = start.addingTimeInterval(61)
            for _ in 0..<3 {
                #expect(try await RateLimits.allow("login|10.0.0.1|a@example.com", limit: 3, window: 60, now: later, on: sql))
            }
            #expect(!(try await RateLimits.allow("login|10.0.0.1|a@example.com", limit: 3, window: 60, now: later, on: sql)))
            struct Row: Decodable { var key_digest: String }
            let stored = try await sql.select().column("key_digest").from(RateLimits.schema).all(decoding: Row.self)
            #expect(!stored.contains { $0.key_digest.contains("example.com") || $0.key_digest.contains("10.0.0") }, "only digests")
            try await RateLimits.purge(now: later.addingTimeInterval(RateLimits.retention + 1), on: sql)
            #expect(try await sql.select().column("key_digest").from(RateLimits.schema).all(decoding: Row.self).isEmpty)
        }
    }

    @Test func attemptsRacingEachOtherNeverAllGetThrough() async throws {
        try await withTestApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let now = Date()
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<24 {
                    group.addTask { try await RateLimits.allow("signup|10.0.0.9|", limit: 5, window: 600, now: now, on: sql) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed <= 5, "\(allowed) of 24 racing attempts went through a limit of 5")
            // The refused ones were taken back: attempts one at a time fill the limit exactly, and no further.
            var more = 0
            while try await RateLimits.allow("signup|10.0.0.9|", limit: 5, window: 600, now: now, on: sql) { more += 1 }
            #expect(allowed + more == 5)
        }
    }

    @Test func aClaimedPairGoesToOneServerAndComesBackWhenItsLeaseRunsOut() async throws {
        try await withTestApp { app in
            let a = try #require(UUID(uuidString: try await app.register("Alice", org: "Acme").organizationID))
            let b = try #require(UUID(uuidString: try await app.register("Bob", org: "Birch").organizationID))
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
            try await TrustService.enqueue(viewer: a, subject: b, at: Date(), on: app.db)
            try await TrustService.enqueue(viewer: b, subject: a, at: Date(), on: app.db)
            let first = try await TrustService.claim(1, on: app.db)
            let second = try await TrustService.claim(10, on: app.db)
            #expect(first.count == 1 && second.count == 1 && first[0].id != second[0].id, "each pair goes to one claimant")
            #expect(try await TrustService.claim(10, on: app.db).isEmpty, "held pairs are not handed out twice")
            // Evidence arriving while a pair is held queues it again: the holder may have read the evidence before it.
            try await TrustService.enqueue(viewer: first[0].viewer, subject: first[0].subject, at: Date(), on: app.db)
            try await TrustService.enqueue(viewer: first[0].viewer, subject: first[0].subject, at: Date(), on: app.db)
            let again = try await TrustService.claim(10, on: app.db)
            #expect(again.count == 1 && again[0].viewer == first[0].viewer && again[0].id != first[0].id)
            // A server that died holding a pair: once the lease has run out, another takes it.
            try await TrustQueueItem.query(on: app.db).filter(\.$id == second[0].id)
                .set(\.$claimedUntil, to: Date().addingTimeInterval(-1)).update()
            #expect(try await TrustService.claim(10, on: app.db).map(\.id) == [second[0].id])
            // Every holder died: draining takes and finishes all of it.
            try await TrustQueueItem.query(on: app.db).set(\.$claimedUntil, to: Date().addingTimeInterval(-1)).update()
            #expect(try await TrustService.drain(on: app.db) >= 1)
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0)
        }
    }

    @Test func balancersAreLookedThroughOnlyWhenTrusted() throws {
        let trusted: Set<String> = ["10.0.0.5", "127.0.0.1"]
        #expect(ClientAddress.resolve(peer: "203.0.113.7", forwardedFor: ["198.51.100.1"], trusted: trusted) == "203.0.113.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.1"], trusted: trusted) == "198.51.100.1")
        // A client may write anything at the left; the balancers append on the right.
        #expect(
            ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["1.2.3.4, 198.51.100.1", "127.0.0.1"], trusted: trusted)
                == "198.51.100.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["not an address"], trusted: trusted) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: [], trusted: trusted) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["198.51.100.1"], trusted: trusted) == nil)
        #expect(throws: AppConfig.Invalid.self) { try AppConfig.fromEnvironment(["BONAFIDE_TRUSTED_PROXIES": "10.0.0.5,lb.internal"]) }
        #expect(try AppConfig.fromEnvironment(["BONAFIDE_TRUSTED_PROXIES": "10.0.0.5, ::1"]).trustedProxies == ["10.0.0.5", "::1"])
    }

    /// Each server's PostgreSQL connections: 2 per core unless set, and never fewer (start-up needs two at once).
    @Test func postgresConnectionsPerCoreAreReadAndTooFewAreRefused() throws {
        #expect(try AppConfig.fromEnvironment([:]).postgresConnectionsPerCore == 2)
        #expect(try AppConfig.fromEnvironment(["BONAFIDE_PG_CONNECTIONS_PER_CORE": "6"]).postgresConnectionsPerCore == 6)
        for bad in ["1", "0", "65", "many"] {
            let refused = #expect(throws: AppConfig.Invalid.self) {
                try AppConfig.fromEnvironment(["BONAFIDE_PG_CONNECTIONS_PER_CORE": bad])
            }
            #expect(refused?.description == "Invalid BONAFIDE_PG_CONNECTIONS_PER_CORE=\"\(bad)\": expected a whole number from 2 to 64.")
        }
    }
}
