import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Scaled demo")
struct DemoScaleTests {
    struct Count: Decodable { var n: Int }

    func count(_ table: String, _ app: Application) async throws -> Int {
        let sql = try #require(app.db as? any SQLDatabase)
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: Count.self)?.n ?? -1
    }

    /// What a person would count on the pages: organizations, partnerships, commitments, messages, log entries.
    func totals(_ app: Application) async throws -> [String: Int] {
        var totals: [String: Int] = [:]
        for table in [
            "organizations", "users", "partnerships", "partnership_members", "commitments", "message_threads", "messages",
            "partnership_events", "ledger_tiles",
        ] {
            totals[table] = try await count(table, app)
        }
        // Sealed entries are bundled 256 to a row: the heads count the entries.
        let sql = try #require(app.db as? any SQLDatabase)
        totals["ledger_entries"] =
            try await sql.raw("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM ledger_heads").first(decoding: Count.self)?.n ?? -1
        return totals
    }

    @Test func scaleOneAddsAWorkingVerifiableNetworkOnce() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            let demo = try await totals(app)
            let summary = try await DemoScale.run(scale: 1, on: app, now: now)
            #expect(summary.seeded && !summary.demoSeeded)
            let after = try await totals(app)

            // Five organizations beside the demo's five, one to three people each.
            #expect(summary.organizations == 5 && after["organizations"] == demo["organizations"]! + 5)
            #expect((5...15).contains(summary.people) && after["users"] == demo["users"]! + summary.people)
            // The five work with each other (10 partnerships), Northwind with all five, the other demo organizations with two.
            #expect(summary.partnerships == 10 + 5 + 4 * 2)
            #expect(after["partnerships"] == demo["partnerships"]! + summary.partnerships)
            // About 35 commitments and twice as many messages in a partnership that works.
            #expect((300...1_500).contains(summary.commitments), "\(summary)")
            #expect(after["commitments"] == demo["commitments"]! + summary.commitments)
            #expect(summary.messages >= summary.commitments * 3 / 2, "\(summary)")
            #expect(after["messages"] == demo["messages"]! + summary.messages)
            #expect(after["message_threads"] == demo["message_threads"]! + summary.threads)
            // Every event of the timeline is an entry of the log, and the other way round.
            #expect(after["partnership_events"] == demo["partnership_events"]! + summary.logEntries)
            #expect(after["ledger_entries"] == after["partnership_events"])
            #expect(summary.logEntries > summary.commitments * 4, "\(summary)")

            let partnerships = try await Partnership.query(on: app.db).all()
            #expect(Set(partnerships.map(\.status)) == Set(PartnershipStatus.allCases))
            let demoNames = DemoSeed.logins.map(\.organization)
            let generatedIDs = Set(try await Organization.query(on: app.db).filter(\.$name !~ demoNames).all(\.$id))
            #expect(generatedIDs.count == 5)
            let commitments = try await Commitment.query(on: app.db).filter(\.$ownerOrganization.$id ~~ Array(generatedIDs)).all()
            // Every state but "delivered" is common; a delivery waits for its answer a day or two, so few do at any moment.
            let statuses = Set(commitments.map(\.status))
            let common: Set<CommitmentStatus> = [.proposed, .accepted, .completed, .declined, .withdrawn, .missed]
            #expect(statuses.isSuperset(of: common), "\(statuses)")
            #expect(commitments.contains { $0.atRisk } && commitments.contains { $0.flaggedAt != nil })
            // Nothing is overdue yet unmarked: the server's first sweep finds nothing to do.
            #expect(try await Commitments.sweepOverdue(now: now, on: app.db) == 0)
            // Requests answered and some still open.
            let requests = try await Message.query(on: app.db).filter(\.$needsResponse == true).all()
            #expect(requests.contains { $0.respondedAt != nil } && requests.contains { $0.respondedAt == nil })
            #expect(requests.allSatisfy { ($0.respondedAt ?? $0.createdAt) >= $0.createdAt })
            // Every pair of working partners waits for the background trust recompute.
            #expect(try await TrustQueueItem.query(on: app.db).count() > 0)

            // Every partnership's log verifies: the stored root is the one rebuilt from its entries, which are the
            // partnership's events; the generated ones tell their history in time order, all of it past.
            for p in partnerships {
                let head = try await Ledger.head(of: p.id!, on: app.db)
                #expect(try await Ledger.rootFromEntries(of: p.id!, size: head.size, on: app.db) == head.root, "\(p.name)")
                let events = try await PartnershipEvent.query(on: app.db).filter(\.$partnership.$id == p.id!).all()
                #expect(head.size == UInt64(events.count), "\(p.name)")
                let entries = try await Ledger.entries(of: p.id!, start: 0, limit: 5_000, on: app.db)
                    .compactMap { try? LedgerEntry(canonical: Array($0.1.utf8)) }
                #expect(entries.count == events.count)
                #expect(Set(entries.compactMap { $0.payload["event"] }) == Set(events.map { Access.key($0.id!) }), "\(p.name)")
                let sides: [UUID?] = [p.$organization.id, p.$partner.id]
                guard sides.contains(where: { side in side.map { generatedIDs.contains($0) } ?? false }) else { continue }
                let times = entries.compactMap(\.date)
                #expect(times.count == entries.count && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "\(p.name)")
                #expect(times.last.map { $0 <= now } ?? true)
            }

            // A generated person signs in and works in the organization's partnerships.
            let login = try await app.api(
                .POST, "/auth/login", json: #"{"email":"\#(DemoScale.marker)","password":"\#(DemoSeed.password)"}"#)
            #expect(login.status == .ok, "\(login.raw)")
            let token = login.body["token"] as? String
            let user = try #require(try await User.query(on: app.db).filter(\.$email == DemoScale.marker).first())
            #expect(user.emailVerifiedAt != nil)
            let own = partnerships.filter { $0.side(of: user.$organization.id) }
            let listed = try await app.api(.GET, "/partnerships", token: token).list
            #expect(listed.count >= own.filter { $0.status == .active }.count && listed.count <= own.count, "\(listed.count)")
            let working = try #require(own.first { $0.status == .active })
            let listedCommitments = try await app.api(.GET, "/partnerships/\(working.id!.uuidString)/commitments", token: token)
            #expect(listedCommitments.status == .ok && !listedCommitments.list.isEmpty)
            #expect(try await app.api(.GET, "/partnerships/\(working.id!.uuidString)/messages", token: token).list.isEmpty == false)

            // Alice's lists and dashboard include the generated partners.
            let alice = try await app.api(
                .POST, "/auth/login", json: #"{"email":"alice@northwind.example","password":"\#(DemoSeed.password)"}"#)
            let aliceToken = alice.body["token"] as? String
            let aliceList = try await app.api(.GET, "/partnerships", token: aliceToken).list
            let generatedNames = Set(try await Organization.query(on: app.db).filter(\.$id ~~ Array(generatedIDs)).all(\.$name))
            func sideNames(_ item: [String: Any]) -> [String] {
                ["organization", "partner"].compactMap { (item[$0] as? [String: Any])?["name"] as? String }
            }
            let withGenerated = aliceList.filter { item in sideNames(item).contains { generatedNames.contains($0) } }
            // Northwind's partnerships with generated organizations that both joined (an invitation has no partner yet).
            let aliceUser = try #require(try await User.query(on: app.db).filter(\.$email == "alice@northwind.example").first())
            let northwind = aliceUser.$organization.id
            let joined = partnerships.filter { p in
                p.side(of: northwind) && p.$partner.id != nil && generatedIDs.contains(p.otherSide(of: northwind)!)
            }
            #expect(!joined.isEmpty && withGenerated.count == joined.count, "\(aliceList.count) partnerships")
            #expect(try await app.api(.GET, "/dashboard", token: aliceToken).status == .ok)
            // And her web pages show them.
            let browser = Browser(app)
            let signedIn = try await browser.post("/login", ["email": "alice@northwind.example", "password": DemoSeed.password])
            #expect(signedIn.status == .seeOther)
            let page = try await browser.get("/partnerships")
            #expect(page.status == .ok && generatedNames.contains { page.html.contains($0) })
            #expect(try await browser.get("/dashboard").status == .ok)
            let shared = try #require(withGenerated.first?["id"] as? String)
            #expect(try await browser.get("/partnerships/\(shared)").status == .ok)
            // The checkpoint the API signs is the root of the entries it serves.
            let note = try SignedNote.parse(try await app.api(.GET, "/partnerships/\(shared)/log/checkpoint", token: aliceToken).raw)
            let checkpoint = try Checkpoint(text: note.text)
            let head = try await Ledger.head(of: try #require(UUID(uuidString: shared)), on: app.db)
            #expect(checkpoint.size == head.size && checkpoint.root == head.root)

            // A second run adds nothing.
            let again = try await DemoScale.run(scale: 1, on: app, now: now)
            #expect(!again.seeded)
            #expect(try await totals(app) == after)
        }
    }

    @Test func theTrustRecomputeOfADenseNetworkSettles() async throws {
        try await withTestApp { app in
            let now = Date()
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            // Every organization here partners with every other: each change reaches every pair through the network
            // step. Passing on changes that move no opinion that others read kept this queue full for ever.
            var queued: [Int] = []
            while let count = Optional(try await TrustQueueItem.query(on: app.db).count()), count > 0, queued.count < 100 {
                queued.append(count)
                try await TrustService.drain(limit: 100, at: now, on: app.db)
            }
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0, "queued before each pass: \(queued)")
            #expect(try await TrustOpinions.all(on: app.db).count >= 40, "the working pairs have opinions")
        }
    }

    @Test func theSameScaleGivesTheSameShape() async throws {
        let now = Date()
        var shapes: [[Int]] = []
        for _ in 0..<2 {
            try await withTestApp { app in
                let s = try await DemoScale.run(scale: 1, on: app, now: now)
                shapes.append([s.organizations, s.people, s.partnerships, s.commitments, s.threads, s.messages, s.logEntries])
            }
        }
        #expect(shapes[0] == shapes[1])
    }
}
