import BonafideCore
import Fluent
import Foundation
import Vapor

/// Measures the access check (benchmarks/authz.sh runs it) on a seeded network: organizations with one person
/// each, circle placements and partnerships as relations. Times "may this person read that organization's
/// collaborator-only section?" and "may this person see that partnership?" through `Access` reading the
/// database, and the same questions answered by the engine on tuples already in memory (what a cache hit costs).
public enum AuthzBenchmark {
    static func say(_ line: String) { Runner.say(line) }

    public struct Network: Sendable {
        var organizations: [UUID]
        var people: [UUID: User]
        var partnerships: [UUID]
        /// (owner, member) of some placements, so that part of the questions have a chain to find.
        var placements: [(UUID, UUID)]
    }

    /// Seeds `organizations` organizations, each with an owner, about `relations` relations: every organization
    /// places others in its circles, and a tenth of the relations are partnerships (two sides each).
    public static func seed(_ app: Application, organizations count: Int, relations: Int, seed: UInt64 = 1) async throws -> Network {
        var rng = SplitMix64(seed: seed)
        let db = app.db
        let t0 = ContinuousClock.now
        var orgs: [Organization] = []
        var users: [User] = []
        for i in 0..<count {
            let o = Organization(name: "Org \(i)", timeZone: "UTC")
            o.id = UUID()
            orgs.append(o)
            let u = User(
                email: "p\(i)@bench.example", name: "Person \(i)", passwordHash: "-", timeZone: "UTC", organizationID: o.id!, role: .owner)
            u.id = UUID()
            users.append(u)
        }
        for chunk in stride(from: 0, to: count, by: 500) {
            let (someOrgs, somePeople) = (Array(orgs[chunk..<min(chunk + 500, count)]), Array(users[chunk..<min(chunk + 500, count)]))
            try await db.transaction { tx in
                try await someOrgs.create(on: tx)
                try await somePeople.create(on: tx)
            }
        }
        let partnershipCount = relations / 20
        let placementCount = relations - partnershipCount * 2
        var partnerships: [Partnership] = []
        for _ in 0..<partnershipCount {
            let a = Int(rng.next() % UInt64(count)), b = (a + 1 + Int(rng.next() % UInt64(count - 1))) % count
            let p = Partnership(name: "P", organizationID: orgs[a].id!, createdByID: users[a].id!)
            p.id = UUID()
            p.$partner.id = orgs[b].id!
            partnerships.append(p)
        }
        for chunk in stride(from: 0, to: partnerships.count, by: 500) {
            try await partnerships[chunk..<min(chunk + 500, partnerships.count)].map { $0 }.create(on: db)
        }
        var seen = Set<Int>()
        var sample: [(UUID, UUID)] = []
        var batch: [CirclePlacement] = []
        var placed = 0
        let circles: [Circle] = [.follow, .connected, .collaborator, .trustedReferral]
        while placed < placementCount {
            let a = Int(rng.next() % UInt64(count)), b = (a + 1 + Int(rng.next() % UInt64(count - 1))) % count
            guard seen.insert(a * count + b).inserted else { continue }
            let c = CirclePlacement()
            c.$organization.id = orgs[a].id!
            c.$member.id = orgs[b].id!
            c.circle = circles[Int(rng.next() % 4)]
            c.note = ""
            c.$placedBy.id = users[a].id!
            c.placedAt = Date()
            batch.append(c)
            if sample.count < 100_000 { sample.append((orgs[a].id!, orgs[b].id!)) }
            placed += 1
            if batch.count == 1_000 || placed == placementCount {
                let rows = batch
                try await db.transaction { tx in try await rows.create(on: tx) }
                batch = []
            }
        }
        say(
            String(
                format: "seeded   %d organizations, %d people, %d circle placements, %d partnerships (%d relations) in %.0f s", count,
                count,
                placementCount, partnershipCount, placementCount + partnershipCount * 2 + count,
                LedgerBenchmark.seconds(ContinuousClock.now - t0))
        )
        return Network(
            organizations: orgs.map { $0.id! }, people: Dictionary(uniqueKeysWithValues: users.map { ($0.$organization.id, $0) }),
            partnerships: partnerships.map { $0.id! }, placements: sample)
    }

    /// Timings of `questions` checks one after another (latency) and of as many across `concurrency` tasks (rate).
    public static func run(_ app: Application, label: String, network n: Network, questions: Int, concurrency: Int) async throws {
        var rng = SplitMix64(seed: 7)
        // Half the questions are about an organization that placed the asker in a circle (a chain may grant it),
        // half about any organization (mostly refused after reading the rows).
        func pick(_ i: Int) -> (Actor, UUID) {
            if i % 2 == 0 {
                let (owner, member) = n.placements[Int(rng.next() % UInt64(n.placements.count))]
                return (Actor(user: n.people[member]!), owner)
            }
            let a = n.organizations[Int(rng.next() % UInt64(n.organizations.count))]
            let b = n.organizations[Int(rng.next() % UInt64(n.organizations.count))]
            return (Actor(user: n.people[a]!), b)
        }
        let asks = (0..<questions).map(pick)
        let partnershipAsks = (0..<questions).map { i in (asks[i].0, n.partnerships[Int(rng.next() % UInt64(n.partnerships.count))]) }
        let db = app.db

        func section(_ owner: UUID) -> Access.Object { .shared(organization: owner, name: "rates", audience: .collaborator) }
        var allowed = 0
        var latencies: [Double] = []
        for (actor, owner) in asks {
            let t = ContinuousClock.now
            if try await Access.check(.person(actor), "reader", section(owner), on: db).allowed { allowed += 1 }
            latencies.append(LedgerBenchmark.seconds(ContinuousClock.now - t))
        }
        report(label, "section, from the database", latencies, extra: "\(allowed) of \(questions) allowed")
        latencies = []
        for (actor, id) in partnershipAsks {
            let t = ContinuousClock.now
            _ = try? await Policy.partnership(id, for: actor, on: db)
            latencies.append(LedgerBenchmark.seconds(ContinuousClock.now - t))
        }
        report(label, "partnership, from the database", latencies, extra: "row read included")

        // Rate: the same section questions from `concurrency` tasks at once.
        let t0 = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for i in stride(from: worker, to: asks.count, by: concurrency) {
                        _ = try await Access.check(.person(asks[i].0), "reader", section(asks[i].1), on: db)
                    }
                }
            }
            try await group.waitForAll()
        }
        let rate = Double(asks.count) / LedgerBenchmark.seconds(ContinuousClock.now - t0)
        say(String(format: "%@ rate     %.0f section checks/s with %d concurrent askers", label, rate, concurrency))

        // In memory: the engine alone on each question's tuples (read once beforehand), as a cache would serve it.
        var sets: [(String, String, TupleSet)] = []
        for (actor, owner) in asks.prefix(2_000) {
            var tuples = TupleSet([.init("organization:\(Access.key(actor.organizationID))", "member", Access.name(.person(actor)))])
            tuples.insert(.init(Access.name(section(owner)), "organization", "organization:\(Access.key(owner))"))
            tuples.insert(.init(Access.name(section(owner)), "reader", Audience.collaborator.grantee(of: owner)))
            for t in try await Access.relations(of: owner, toward: actor.organizationID, on: db) { tuples.insert(t) }
            sets.append((Access.name(.person(actor)), Access.name(section(owner)), tuples))
        }
        latencies = []
        for _ in 0..<5 {
            for (subject, object, tuples) in sets {
                let t = ContinuousClock.now
                _ = Access.model.check(subject, "reader", object, in: tuples)
                latencies.append(LedgerBenchmark.seconds(ContinuousClock.now - t))
            }
        }
        report(label, "section, tuples in memory", latencies, extra: "the engine alone")
    }

    static func report(_ label: String, _ what: String, _ latencies: [Double], extra: String) {
        let sorted = latencies.sorted()
        func q(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1_000 }
        say(
            String(
                format: "%@ check    %@: p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d (%@)", label, what, q(0.5), q(0.99),
                sorted.last! * 1_000,
                sorted.count, extra))
    }
}
