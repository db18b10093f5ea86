import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The partnership page's last reads through the query builder or `SQLRowDecoder` now read column by column, and its
/// log head and cosignatures are one statement: each must give what the old read gave on the same rows.
@Suite("Partnership page reads")
struct PartnershipPageReadsTests {
    /// Commitments (one with a new date asked and at risk), answered and open requests in two threads, a second
    /// agreement version and the members of both sides.
    @Test func summariesReadColumnByColumnAreTheDecodersSummaries() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let id = try #require(UUID(uuidString: pid))
            let organizationA = try #require(UUID(uuidString: a.organizationID))
            for (title, token) in [("Style guide", a.token), ("Photo shoot", b.token)] {
                let due = rfc3339(Date().addingTimeInterval(3 * 86_400))
                let r = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: token, json: #"{"title":"\#(title)","dueAt":"\#(due)"}"#)
                #expect(r.status == .created, "\(r.raw)")
            }
            try await app.db.sql().raw(
                """
                UPDATE commitments SET at_risk = \(bind: true), proposed_due_at = \(bind: Date(timeIntervalSinceNow: 9 * 86_400))
                WHERE title = 'Photo shoot'
                """
            ).run()
            for (subject, token) in [("Access", b.token), ("Invoice", a.token)] {
                let r = try await app.api(
                    .POST, "/partnerships/\(pid)/messages", token: token,
                    json: #"{"body":"Can you look at this?","subject":"\#(subject)","needsResponse":true}"#)
                #expect(r.status == .created, "\(r.raw)")
            }
            try await app.db.sql().raw(
                "UPDATE messages SET responded_at = \(bind: Date()) WHERE organization_id = \(bind: organizationA)"
            ).run()
            let agreement = try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: b.token, json: #"{"text":"v2 text"}"#)
            #expect(agreement.status.code < 300, "\(agreement.raw)")

            // The references: the same statements through `SQLRowDecoder`, as the reads decoded them before.
            func decoded<T: Decodable>(_ sql: SQLQueryString, as type: T.Type) async throws -> [String] {
                try await app.db.sql().raw(sql).all(decoding: T.self).map { String(describing: $0) }
            }
            let commitments = try await CommitmentSummary.all(in: id, on: app.db)
            #expect(commitments.map(\.title) == ["Style guide", "Photo shoot"])
            #expect(commitments.last?.atRisk == true && commitments.last?.proposedDueAt != nil && commitments.first?.proposedDueAt == nil)
            let reference1 = try await decoded(
                """
                SELECT c.id, c.title, u.name AS owner_name, c.owner_organization_id, c.recipient_organization_id, c.due_at,
                       c.status, c.at_risk, c.proposed_due_at
                FROM commitments c JOIN users u ON u.id = c.owner_id
                WHERE c.partnership_id = \(bind: id) ORDER BY c.due_at, c.created_at
                """, as: CommitmentSummary.self)
            #expect(commitments.map { String(describing: $0) } == reference1)

            let requests = try await RequestTiming.all(in: id, on: app.db)
            #expect(requests.count == 2 && requests.filter { $0.respondedAt == nil }.count == 1)
            let reference2 = try await decoded(
                """
                SELECT organization_id, created_at, responded_at FROM messages
                WHERE partnership_id = \(bind: id) AND needs_response = \(bind: true)
                """, as: RequestTiming.self)
            #expect(requests.map { String(describing: $0) } == reference2)

            let threads = try await ThreadSummary.all(in: id, on: app.db)
            #expect(Set(threads.map(\.subject)) == ["Access", "Invoice"])
            let reference3 = try await decoded(
                """
                SELECT id, subject, last_message_at FROM message_threads
                WHERE partnership_id = \(bind: id) ORDER BY last_message_at DESC
                """, as: ThreadSummary.self)
            #expect(threads.map { String(describing: $0) } == reference3)

            let latest = try #require(try await AgreementSummary.latest(in: id, on: app.db))
            #expect(latest.text == "v2 text" && latest.version == 2 && latest.authorName == "Bob" && latest.createdAt != nil)
            let reference4 = try await decoded(
                """
                SELECT a.text, a.version, u.name AS author_name, a.created_at
                FROM agreement_versions a JOIN users u ON u.id = a.author_id
                WHERE a.partnership_id = \(bind: id) ORDER BY a.version DESC LIMIT 1
                """, as: AgreementSummary.self)
            #expect([String(describing: latest)] == reference4)

            // A colleague of Alice's who is not a member is listed after the members.
            _ = try await app.invitedMember(of: a, role: "member", name: "Mia")
            let people = try await PartnershipPerson.people(of: id, colleaguesOf: organizationA, on: app.db)
            #expect(people.map(\.name) == ["Alice", "Bob", "Mia"] && people.map(\.isMember) == [true, true, false])
            let reference5 = try await decoded(
                """
                SELECT 0 AS kind, m.user_id, u.name, m.organization_id, m.created_at AS joined_at
                FROM partnership_members m JOIN users u ON u.id = m.user_id
                WHERE m.partnership_id = \(bind: id)
                UNION ALL
                SELECT 1 AS kind, u.id AS user_id, u.name, u.organization_id, NULL AS joined_at
                FROM users u
                WHERE u.organization_id = \(bind: organizationA) AND NOT EXISTS (
                  SELECT 1 FROM partnership_members x WHERE x.partnership_id = \(bind: id) AND x.user_id = u.id)
                ORDER BY kind, joined_at, name
                """, as: PartnershipPerson.self)
            #expect(people.map { String(describing: $0) } == reference5)

            // What the page shows of them.
            let page = try await Browser.signedIn(app, as: a).get("/partnerships/\(pid)").html
            #expect(page.contains("Photo shoot") && page.contains("Style guide") && page.contains("v2 text"))
            #expect(page.contains(">Access</a>") && page.contains(">Invoice</a>"))
        }
    }

    /// The other side's tone over 60 days, split at 30, and whether the reader's organization analyses tone, as the
    /// query builder and `Organization.find` read them.
    @Test func theToneIsTheQueryBuildersTone() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let id = try #require(UUID(uuidString: pid))
            let organizationA = try #require(UUID(uuidString: a.organizationID))
            for (body, token) in [("One", b.token), ("Two", b.token), ("Three", b.token), ("Four", b.token), ("Ours", a.token)] {
                let r = try await app.api(.POST, "/partnerships/\(pid)/messages", token: token, json: #"{"body":"\#(body)","subject":"S"}"#)
                #expect(r.status == .created, "\(r.raw)")
            }
            // Recent, recent, 40 days old, unscored; Alice's own message never counts.
            let now = Date()
            for (body, sentiment, age) in [("One", 0.5, 1.0), ("Two", -0.1, 2.0), ("Three", 0.75, 40.0), ("Ours", -1.0, 1.0)] {
                try await app.db.sql().raw(
                    """
                    UPDATE messages SET sentiment = \(bind: sentiment), created_at = \(bind: now.addingTimeInterval(-age * 86_400))
                    WHERE body = \(bind: body)
                    """
                ).run()
            }
            let p = try #require(try await Partnership.find(id, on: app.db))
            let alice = Actor(user: try #require(try await User.find(UUID(uuidString: a.id), on: app.db)))
            let tone = try await MessageTone.partnerTone(in: p, for: alice, now: now, on: app.db)

            // The reference: the query builder's read as the page made it.
            let messages = try await Message.query(on: app.db).filter(\.$partnership.$id == id)
                .filter(\.$organization.$id != organizationA).filter(\.$createdAt >= now.addingTimeInterval(-60 * 86_400))
                .filter(\.$sentiment != nil).field(\.$createdAt).field(\.$sentiment).all()
            let cut = now.addingTimeInterval(-30 * 86_400)
            #expect(tone.recent == MeanEstimate(messages.filter { $0.createdAt >= cut }.compactMap(\.sentiment)))
            #expect(tone.before == MeanEstimate(messages.filter { $0.createdAt < cut }.compactMap(\.sentiment)))
            #expect(tone.recent.n == 2 && abs((tone.recent.mean ?? 0) - 0.2) < 1e-9 && tone.before.n == 1 && tone.before.mean == 0.75)

            #expect(try await MessageTone.isShown(to: alice, on: app.db) == false)
            let organization = try #require(try await Organization.find(organizationA, on: app.db))
            organization.messageSentiment = true
            try await organization.save(on: app.db)
            #expect(try await MessageTone.isShown(to: alice, on: app.db) == true)
            let page = try await Browser.signedIn(app, as: a).get("/partnerships/\(pid)").html
            #expect(page.contains("last 30 days: +0.20 over 2 messages"))
        }
    }

    /// The log's head and cosignatures in one statement are what `Ledger.head` and `Witnessing.cosignatures` read in
    /// two: with no cosignature, and with one from each side.
    @Test func theHeadAndCosignaturesAreTheTwoReadsOnes() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let id = try #require(UUID(uuidString: pid))
            func same() async throws -> Int {
                let (head, cosignatures) = try await WitnessSummary.headAndCosignatures(of: id, on: app.db)
                let oldHead = try await Ledger.head(of: id, on: app.db)
                let old = try await Witnessing.cosignatures(of: id, on: app.db)
                #expect(head.size == oldHead.size && head.root == oldHead.root && head.size > 0)
                func values(_ s: [Witnessing.Stored]) -> [String] {
                    s.map { "\($0.organization) \($0.size) \($0.root) \($0.time) \($0.key.name) \($0.signature.signature)" }.sorted()
                }
                #expect(values(cosignatures) == values(old))
                #expect(cosignatures.map(\.size) == cosignatures.map(\.size).sorted(by: >))
                return cosignatures.count
            }
            #expect(try await same() == 0)
            // A partnership without a log yet has the empty head, as `Ledger.head` gives it.
            let none = try await WitnessSummary.headAndCosignatures(of: UUID(), on: app.db)
            #expect(none.0.size == 0 && none.0.root == Merkle.emptyRoot && none.1.isEmpty)

            let witness = WitnessAPITests()
            let northwind = try NoteSigner(name: "northwind-witness")
            let acme = try NoteSigner(name: "acme-witness")
            try await witness.register(app, a, northwind)
            try await witness.register(app, b, acme)
            #expect(try await witness.cosign(app, pid, as: a, with: northwind).status == .created)
            #expect(try await witness.cosign(app, pid, as: b, with: acme).status == .created)
            #expect(try await same() == 2)
            let page = try await Browser.signedIn(app, as: a).get("/partnerships/\(pid)").html
            #expect(page.contains("every partner cosigned"))
        }
    }
}
