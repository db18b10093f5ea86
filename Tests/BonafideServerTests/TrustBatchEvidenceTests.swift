import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The background recompute reads a batch's evidence with one statement per kind for all its pairs. What it reads
/// must be, item for item and in the same order, what the single-pair reading gives each pair (the trust pages use
/// that one): otherwise a page and the stored figures would disagree.
@Suite("Trust batch evidence")
struct TrustBatchEvidenceTests {
    typealias Pair = TrustService.Pair

    func user(_ email: String, _ app: Application) async throws -> User {
        try #require(try await User.query(on: app.db).filter(\.$email == email).first(), "\(email)")
    }

    func organization(_ name: String, _ app: Application) async throws -> UUID {
        try #require(try await Organization.query(on: app.db).filter(\.$name == name).first()?.id, "\(name)")
    }

    /// The pairs the recompute assesses: every pair waiting or holding an opinion, and every ordered pair of
    /// organizations (so those with no partnership count too: credentials, introductions, support).
    func allPairs(_ app: Application) async throws -> [Pair] {
        var pairs: [Pair] = []
        var seen = Set<Pair>()
        func add(_ pair: Pair) { if pair.viewer != pair.subject, seen.insert(pair).inserted { pairs.append(pair) } }
        for item in try await TrustQueueItem.query(on: app.db).all() { add(Pair(viewer: item.$viewer.id, subject: item.$subject.id)) }
        let opinions = try await TrustOpinions.all(on: app.db)
        for pair in opinions.keys.sorted(by: { "\($0)" < "\($1)" }) { add(pair) }
        let organizations = try await Organization.query(on: app.db).sort(\.$name).all().map { try $0.requireID() }
        for viewer in organizations { for subject in organizations { add(Pair(viewer: viewer, subject: subject)) } }
        return pairs
    }

    /// Each real pair followed by pairs of an organization and one that does not exist: enough pairs that every kind
    /// reads in several slices, with a pair and its reverse often in different ones.
    func interleaved(_ pairs: [Pair]) -> [Pair] {
        let spacing = max(3, 700 / max(1, pairs.count))
        var mixed: [Pair] = []
        for pair in pairs {
            mixed.append(pair)
            for i in 0..<spacing {
                mixed.append(i % 2 == 0 ? Pair(viewer: pair.viewer, subject: UUID()) : Pair(viewer: UUID(), subject: pair.subject))
            }
        }
        return mixed
    }

    func describe(_ items: [TrustEvidence]) -> String {
        items.map { "\($0.date.timeIntervalSince1970) \($0.kind.rawValue) w\($0.weight) v\($0.value) \($0.summary)" }.joined(
            separator: "\n")
    }

    /// Compares each pair's batched evidence with its single-pair evidence, item by item in order; returns the kinds
    /// seen and how many items were compared.
    func expectBatchesMatch(_ app: Application, at now: Date) async throws -> (kinds: Set<TrustEvidence.Kind>, items: Int) {
        let pairs = try await allPairs(app)
        #expect(pairs.count >= 20)
        var single: [Pair: [TrustEvidence]] = [:]
        for pair in pairs {
            let items = try await TrustService.evidence(viewer: pair.viewer, subject: pair.subject, at: now, on: app.db)
            // Oldest first, as the model should see them.
            #expect(zip(items, items.dropFirst()).allSatisfy { $0.date <= $1.date }, "\(pair)")
            #expect(TrustService.evidenceOrder(Array(items.reversed())) == items, "\(pair)")
            single[pair] = items
        }
        let mixed = interleaved(pairs)
        let askedTwice: [Pair] = mixed + Array(mixed.prefix(40))
        // All at once (with some pairs asked twice), as a drain's batches of 50, and one by one.
        let batches: [(String, [[Pair]])] = [
            ("all at once", [askedTwice]),
            ("batches of 50", stride(from: 0, to: pairs.count, by: 50).map { Array(pairs[$0..<min($0 + 50, pairs.count)]) }),
            ("one by one", pairs.map { [$0] }),
        ]
        for (name, groups) in batches {
            var batched: [Pair: [TrustEvidence]] = [:]
            for group in groups {
                let read = try await TrustService.evidence(for: group, at: now, on: app.db)
                #expect(Set(read.keys).isSubset(of: Set(group)), "\(name): only the pairs asked")
                batched.merge(read) { a, _ in a }
            }
            for pair in pairs {
                let expected = single[pair] ?? []
                let got = batched[pair] ?? []
                #expect(
                    got == expected,
                    "\(name), \(pair): batched\n\(describe(got))\nsingle\n\(describe(expected))")
            }
            // The made-up organizations have no record.
            for pair in mixed where single[pair] == nil { #expect((batched[pair] ?? []).isEmpty, "\(name), \(pair)") }
        }
        #expect(try await TrustService.evidence(for: [], at: now, on: app.db).isEmpty)
        let all = Array(single.values.joined())
        return (Set(all.map(\.kind)), all.count)
    }

    /// Records of the kinds the demo lacks, so that every kind of evidence is compared: documents shared and held,
    /// personal and mass requests for an introduction, a rating, and a credential known first and second hand.
    func addWhatTheDemoLacks(_ app: Application, at now: Date) async throws {
        let db = app.db
        let acme = try await organization("Acme Retail", app)
        let northwind = try await organization("Northwind Studio", app)
        let kite = try await organization("Kite Analytics", app)
        let harbor = try await organization("Harbor Legal", app)
        let lumen = try await organization("Lumen Labs", app)
        let storefront = try #require(
            try await Partnership.query(on: db).filter(\.$organization.$id == northwind).filter(\.$partner.$id == acme).first())
        for (number, owner, downloads) in [(901, acme, 2), (902, northwind, 0), (903, acme, 0)] {
            let d = Document()
            d.$partnership.id = try storefront.requireID()
            d.number = number
            d.$organization.id = owner
            d.size = 3
            d.header = Data([1, 2, 3])
            d.storageKey = "test-\(number)"
            d.createdAt = now.addingTimeInterval(-Double(number - 890) * 86_400)
            d.downloads = downloads
            try await d.save(on: db)
        }
        let esha = try await user("esha@kite.example", app)
        let grace = try await user("grace@lumen.example", app)
        let requests: [(UUID, User, UUID, UUID, Bool, IntroductionStatus)] = [
            (kite, esha, acme, northwind, false, .accepted),
            (kite, esha, northwind, harbor, false, .requested),
            (lumen, grace, acme, harbor, true, .requested),
            (lumen, grace, kite, northwind, true, .accepted),
        ]
        for (i, (requester, person, via, target, blast, status)) in requests.enumerated() {
            let r = Introduction()
            r.$requester.id = requester
            r.$requestedBy.id = try person.requireID()
            r.$via.id = via
            r.$target.id = target
            r.message = "We would like to meet you."
            r.status = status
            r.blast = blast
            r.createdAt = now.addingTimeInterval(-Double(i + 1) * 86_400)
            try await r.save(on: db)
        }
        let rating = TrustRating()
        rating.$rater.id = acme
        rating.$subject.id = northwind
        rating.rating = 8
        rating.comment = "Fixed the checkout the same day"
        rating.$author.id = try await user("dan@acme.example", app).requireID()
        rating.createdAt = now.addingTimeInterval(-3_600)
        try await rating.save(on: db)
        // Harbor Legal confirmed Northwind's GDPR review: Kite now works with Harbor (first hand), and Acme works with
        // Kite (second hand).
        let felix = Actor(user: try await user("felix@harbor.example", app))
        let (_, secret) = try await Partnerships.create(
            name: "Contract review", partnerEmail: "esha@kite.example", agreement: nil, by: felix, on: db)
        _ = try await Partnerships.accept(secret: secret, by: Actor(user: esha), on: db)
    }

    @Test func theDemosPairsReadInABatchWhatTheyReadOneByOne() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            try await addWhatTheDemoLacks(app, at: now)
            let seen = try await expectBatchesMatch(app, at: now)
            #expect(seen.items > 50, "the demo's partners have a record")
            let expected: Set<TrustEvidence.Kind> = [
                .deliveredOnTime, .sentBack, .rating, .vouch, .credentialVerified, .testimonial, .incident, .incidentHandledOpenly,
                .circlePlacement, .exchange, .checkIn, .confidenceKept, .personalMessage, .massOutreach,
            ]
            #expect(seen.kinds.isSuperset(of: expected), "missing: \(expected.subtracting(seen.kinds))")
            // Both ways of knowing the issuer are compared.
            let acme = try await organization("Acme Retail", app)
            let kite = try await organization("Kite Analytics", app)
            let northwind = try await organization("Northwind Studio", app)
            let batched = try await TrustService.evidence(
                for: [Pair(viewer: acme, subject: northwind), Pair(viewer: kite, subject: northwind)], at: now, on: app.db)
            let secondHand = (batched[Pair(viewer: acme, subject: northwind)] ?? []).filter { $0.kind == .credentialVerified }
            let firstHand = (batched[Pair(viewer: kite, subject: northwind)] ?? []).filter { $0.kind == .credentialVerified }
            #expect(secondHand.map(\.weight) == [0.5], "\(secondHand)")
            #expect(firstHand.map(\.weight) == [1], "\(firstHand)")
        }
    }

    @Test func theScaledDemosPairsReadInABatchWhatTheyReadOneByOne() async throws {
        try await withTestApp { app in
            let now = Date()
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            #expect(try await TrustQueueItem.query(on: app.db).count() > 0)
            let seen = try await expectBatchesMatch(app, at: now)
            #expect(seen.items > 1_000, "the generated partners have a long record: \(seen.items)")
            #expect(seen.kinds.count >= 12, "\(seen.kinds)")
        }
    }

    @Test func theBatchedDrainEmptiesTheScaledQueueAndStoresWhatEachPairsEvidenceSays() async throws {
        try await withTestApp { app in
            let now = Date()
            _ = try await DemoScale.run(scale: 1, on: app, now: now)
            #expect(try await TrustQueueItem.query(on: app.db).count() > 0)
            var batches = 0
            while try await TrustService.drainBatch(limit: 50, at: now, on: app.db).claimed > 0, batches < 500 { batches += 1 }
            #expect(try await TrustQueueItem.query(on: app.db).count() == 0, "after \(batches) batches")
            let opinions = try await TrustOpinions.all(on: app.db)
            #expect(opinions.count >= 40, "the working pairs have opinions")
            var names: [UUID: String] = [:]
            for o in try await Organization.query(on: app.db).all() { names[try o.requireID()] = o.name }
            var stored: [Pair: TrustService.Assessment] = [:]
            for pair in opinions.keys {
                stored[pair] = try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db)
            }
            for pair in opinions.keys {
                let assessment = try #require(stored[pair], "\(pair)")
                // Every snapshot of this drain was computed at `now` from the evidence the pair has now.
                let evidence = try await TrustService.evidence(viewer: pair.viewer, subject: pair.subject, at: now, on: app.db)
                #expect(assessment.evidenceCount == evidence.count, "\(pair)")
                #expect(assessment.viewer == pair.viewer && assessment.subject == pair.subject)
                #expect(assessment.subjectName == names[pair.subject], "\(pair)")
            }
        }
    }

    @Test func theNewestSnapshotWinsAndTheNamesOfManyPairsAreReadAtOnce() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            var rounds = 0
            while try await TrustService.drain(limit: 10_000, at: now, on: app.db) > 0, rounds < 20 { rounds += 1 }
            let pairs = try await allPairs(app)
            // A newer snapshot for two pairs: it must be the one read, not the older ones.
            var bumped: [Pair: Int] = [:]
            for pair in pairs where bumped.count < 2 {
                guard var a = try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db) else {
                    continue
                }
                a.computedAt = now.addingTimeInterval(3_600)
                a.evidenceCount = 10_000 + bumped.count
                bumped[pair] = a.evidenceCount
                try await TrustService.store([a], on: app.db)
            }
            #expect(bumped.count == 2)
            let batched = try await TrustService.latestAssessments(of: interleaved(pairs), on: app.db)
            #expect(Set(batched.keys).isSubset(of: Set(pairs)))
            var found = 0
            for pair in pairs {
                let snapshots = try await TrustSnapshot.query(on: app.db).filter(\.$viewer.$id == pair.viewer)
                    .filter(\.$subject.$id == pair.subject).all()
                guard let newestAt = snapshots.map(\.computedAt).max() else {
                    #expect(batched[pair] == nil, "\(pair) has no snapshot")
                    continue
                }
                // Snapshots stored in one instant tie; either is the newest.
                let newest = snapshots.filter { $0.computedAt == newestAt }
                    .compactMap { try? TrustService.decoder.decode(TrustService.Assessment.self, from: Data($0.report.utf8)) }
                let read = try #require(batched[pair], "\(pair)")
                #expect(newest.contains(read), "\(pair)")
                let single = try #require(try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db))
                #expect(newest.contains(single), "\(pair)")
                #expect(read == single, "the batch and the pair read the same one of the tied snapshots: \(pair)")
                if let marker = bumped[pair] { #expect(read.evidenceCount == marker) }
                found += 1
            }
            #expect(found >= 6)
            #expect(try await TrustService.latestAssessments(of: [], on: app.db).isEmpty)

            // Names: more ids than one statement binds, most of them unknown.
            let organizations = try await Organization.query(on: app.db).all()
            let ids = organizations.map { $0.id! } + (0..<(TrustService.bindsPerStatement + 100)).map { _ in UUID() }
            var expected: [UUID: String] = [:]
            for o in organizations { expected[o.id!] = o.name }
            #expect(try await TrustService.organizationNames(ids.shuffled(), on: app.db) == expected)
            #expect(try await TrustService.organizationNames([], on: app.db).isEmpty)
        }
    }

    @Test func ofSnapshotsStoredInOneInstantTheLastStoredIsReadAtOnceAndPairByPair() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            // The clock held still: the drain stores every snapshot at `now`, and so do the three added below.
            var rounds = 0
            while try await TrustService.drain(limit: 10_000, at: now, on: app.db) > 0, rounds < 20 { rounds += 1 }
            let pairs = try await allPairs(app)
            var marked: [Pair: Int] = [:]
            for pair in pairs where marked.count < 4 {
                guard var a = try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db) else {
                    continue
                }
                // The report keeps whole seconds; the column keeps the instant the drain stored.
                a.computedAt = now
                for step in 0..<3 {
                    a.evidenceCount = 20_000 + 10 * marked.count + step
                    try await TrustService.store([a], on: app.db)
                }
                marked[pair] = a.evidenceCount
            }
            #expect(marked.count == 4)
            let batched = try await TrustService.latestAssessments(of: interleaved(pairs), on: app.db)
            #expect(Set(batched.keys).isSubset(of: Set(pairs)))
            for pair in pairs {
                let single = try await TrustService.latestAssessment(viewer: pair.viewer, subject: pair.subject, on: app.db)
                #expect(batched[pair] == single, "\(pair)")
                // What a page shows is the same one.
                let shown = try await TrustService.latest(viewer: pair.viewer, subject: pair.subject, on: app.db)
                #expect(shown?.assessment == single, "\(pair)")
                guard let marker = marked[pair] else { continue }
                let snapshots = try await TrustSnapshot.query(on: app.db).filter(\.$viewer.$id == pair.viewer)
                    .filter(\.$subject.$id == pair.subject).all()
                let newestAt = try #require(snapshots.map(\.computedAt).max())
                #expect(snapshots.filter { $0.computedAt == newestAt }.count >= 4, "the drain's snapshot and three more tie: \(pair)")
                #expect(single?.evidenceCount == marker, "the last stored of the tied snapshots: \(pair)")
            }
        }
    }
}
