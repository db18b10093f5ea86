import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// `bonafide demo --scale N`: N times the demo's five organizations on top of the demo itself, each organization with one
/// to three people and about twelve partners, and up to a year of work in every partnership: commitments through their
/// whole lifecycle, conversations with requests answered late, promptly or never, and the timeline and tamper-evident log
/// each change writes. It exists to time pages and lists against a database a hundred times the demo's.
///
/// Going through the services, as `DemoSeed` does, would cost a bcrypt hash per person and a transaction, a trust queue
/// row and notifications per change: hours at N=100. Instead the rows are built in memory, as the services would have
/// left them, and written in multi-row statements, one transaction per batch of partnerships; the log goes through
/// `Ledger.append(contentsOf:)`, so its tree is the one the server builds. The same N gives the same shape (names,
/// counts, states and times come from a seeded generator); ids are random.
enum DemoScale {
    static let organizationsPerScale = 5
    /// Partners of each generated organization (fewer when there are not that many others).
    static let partnersPerOrganization = 12
    /// Generated partners of Northwind Studio, Alice's organization: what her dashboard and lists show beyond the demo.
    static let northwindPartners = 12
    /// Generated partners of each other demo organization (at most half the generated ones).
    static let otherDemoPartners = 6
    /// Commitments per day of an active partnership: about 35 in an average one (eight months), 100,000 at N=100.
    static let commitmentsPerDay = 0.14
    /// Messages per commitment: 200,000 at N=100.
    static let messagesPerCommitment = 2.0
    /// Partnerships written per transaction: tens of thousands of rows, small enough to keep memory flat at any N.
    static let batchSize = 40

    /// The address of the first generated person; its presence means a scaled seed ran already.
    static func email(person: Int, organization: Int) -> String { "user\(person)@org\(organization).scale.example" }
    static var marker: String { email(person: 1, organization: 1) }

    struct Summary: Sendable, CustomStringConvertible {
        var scale: Int
        /// False when the scaled data was already there and nothing was written.
        var seeded = false
        /// Whether the normal demo was seeded now (it is the base the scaled data is added to).
        var demoSeeded = false
        var organizations = 0
        var people = 0
        var partnerships = 0
        var commitments = 0
        var threads = 0
        var messages = 0
        var logEntries = 0
        /// Every row written: the above, members, agreements, timeline events, log leaves and tiles, heads, trust queue.
        var rows = 0
        var seconds = 0.0

        var description: String {
            guard seeded else {
                return "Scaled demo data already present (\(DemoScale.marker) exists); nothing added. "
                    + "Seed again into an empty data folder or database."
            }
            let g = DemoScale.grouped
            let rate = seconds > 0 ? Int(Double(rows) / seconds) : rows
            let last = DemoScale.email(person: 1, organization: scale * DemoScale.organizationsPerScale)
            return """
                Seeded the demo at scale \(scale): \(g(organizations)) organizations, \(g(people)) people, \
                \(g(partnerships)) partnerships, \(g(commitments)) commitments, \(g(messages)) messages in \(g(threads)) threads, \
                \(g(logEntries)) log entries; \
                \(g(rows)) rows in \(String(format: "%.1f", seconds)) s (\(g(rate)) rows/s).
                Sign in as \(DemoScale.marker) … \(last) or alice@northwind.example, password "\(DemoSeed.password)".
                """
        }
    }

    /// 1234567 as "1,234,567" whatever the machine's locale.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Seeds the demo (when absent) and N times it on top; does nothing when a scaled seed ran before.
    static func run(
        scale: Int, on app: Application, now: Date = Date(), progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Summary {
        var summary = Summary(scale: scale)
        summary.demoSeeded = try await DemoSeed.run(on: app, now: now)
        let started = Date()
        let db = app.db
        if try await User.query(on: db).filter(\.$email == marker).first() != nil { return summary }
        guard db is any SQLDatabase else { throw Problem(.internalServerError, "The scaled demo needs an SQL database.") }

        // One bcrypt hash for everyone: the same password, and hashing 1,500 times would take minutes at production cost.
        let passwordHash: String = try await app.password.async.hash(DemoSeed.password)
        var dice = Dice(seed: 0x5CA1E &* UInt64(scale))
        let generated = organizations(count: scale * organizationsPerScale, passwordHash: passwordHash, now: now, dice: &dice)
        for chunk in stride(from: 0, to: generated.count, by: 100).map({ Array(generated[$0..<min($0 + 100, generated.count)]) }) {
            try await db.writeTransaction { tx in
                let sql = try tx.sql()
                try await insert(into: "organizations", NewOrganization.columns, chunk.map(\.organization.values), on: sql)
                try await insert(into: "users", NewUser.columns, chunk.flatMap { $0.users.map(\.values) }, on: sql)
            }
        }
        summary.organizations = generated.count
        summary.people = generated.reduce(0) { $0 + $1.users.count }
        summary.rows = summary.organizations + summary.people
        progress("Scaled demo: \(grouped(summary.organizations)) organizations and \(grouped(summary.people)) people.")

        let pairs = try await pairings(of: generated.map(\.party), on: db, dice: &dice)
        var reported = 0
        for start in stride(from: 0, to: pairs.count, by: batchSize) {
            var batch = Batch()
            for index in start..<min(start + batchSize, pairs.count) {
                var history = History(pairing: pairs[index], now: now, seed: UInt64(scale) << 32 | UInt64(index))
                history.generate()
                batch.add(history)
            }
            let written = batch
            try await db.writeTransaction { tx in try await write(written, on: tx, at: now) }
            summary.partnerships += batch.partnerships.count
            summary.commitments += batch.commitments.count
            summary.threads += batch.threads.count
            summary.messages += batch.messages.count
            summary.logEntries += batch.events.count
            summary.rows += batch.rows
            // About ten lines however large N is.
            let done = min(start + batchSize, pairs.count)
            if done * 10 / pairs.count > reported || done == pairs.count {
                reported = done * 10 / pairs.count
                progress(
                    "Scaled demo: \(grouped(done))/\(grouped(pairs.count)) partnerships, \(grouped(summary.commitments)) commitments, "
                        + "\(grouped(summary.messages)) messages, \(grouped(summary.logEntries)) log entries, "
                        + "\(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            }
        }
        summary.seeded = true
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    // MARK: Organizations and people

    /// One generated organization with its people, as rows and as the generator sees it.
    struct Generated: Sendable {
        var organization: NewOrganization
        var users: [NewUser]
        var party: Party
    }

    static func organizations(count: Int, passwordHash: String, now: Date, dice: inout Dice) -> [Generated] {
        let day: TimeInterval = 86_400
        return (1...max(count, 1)).map { n in
            let trade = dice.int(0...(trades.count - 1))
            let (zone, language) = dice.pick(zones)
            let name = "\(nameWords[(n - 1) % nameWords.count]) \(trades[trade].kind) \(n)"
            // Everyone joined before the year of history starts.
            let joined = now.addingTimeInterval(-dice.double(380, 420) * day)
            let start = dice.int(8...10) * 60 + (dice.chance(0.3) ? 30 : 0)
            let organization = NewOrganization(
                id: UUID(), name: name, description: trades[trade].description, capabilities: trades[trade].capabilities,
                limitations: trades[trade].limitations, timeZone: zone,
                languages: language == "English" ? ["English"] : ["English", language],
                workStart: start, workEnd: start + dice.int(8...9) * 60,
                workDays: dice.chance(0.15) ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5],
                createdAt: joined)
            // One to three people; one in five works from another time zone than the organization's.
            let size = dice.chance(0.3) ? 1 : dice.chance(0.57) ? 2 : 3
            let users = (1...size).map { k in
                NewUser(
                    id: UUID(), email: email(person: k, organization: n),
                    name: "\(dice.pick(firstNames)) \(dice.pick(lastNames))", passwordHash: passwordHash,
                    timeZone: dice.chance(0.2) ? dice.pick(zones).zone : zone, organizationID: organization.id,
                    role: k == 1 ? Role.owner.rawValue : dice.chance(0.3) ? Role.admin.rawValue : Role.member.rawValue,
                    createdAt: joined.addingTimeInterval(Double(k) * 3_600))
            }
            let party = Party(
                id: organization.id, name: name, trade: trade,
                people: users.map { Person(id: $0.id, name: $0.name, email: $0.email, timeZone: $0.timeZone) })
            return Generated(organization: organization, users: users, party: party)
        }
    }

    // MARK: Who works with whom

    /// The partnerships to create, each with its inviting side first. Generated organizations form a circulant graph:
    /// organization i works with i ± d for a few offsets d drawn once, so everyone has the same number of partners
    /// (twelve, or all others when there are fewer) and, the offsets being random, few triangles, like a real network.
    /// Each demo organization then works with some of them: Northwind with twelve, the others with six.
    static func pairings(of generated: [Party], on db: any Database, dice: inout Dice) async throws -> [Pairing] {
        let g = generated.count
        var offsets = Array(1...max(1, (g - 1) / 2))
        for i in offsets.indices.reversed() { offsets.swapAt(i, dice.int(0...i)) }
        offsets = Array(offsets.prefix(partnersPerOrganization / 2))
        var pairings: [Pairing] = []
        if g > 1 {
            for i in 0..<g {
                for d in offsets {
                    let other = generated[(i + d) % g]
                    pairings.append(dice.chance(0.5) ? Pairing(a: generated[i], b: other) : Pairing(a: other, b: generated[i]))
                }
            }
        }
        // A complete graph when there are few organizations: 2d = g - 1 for odd g; for even g the diameter i + g/2 is added.
        if g > 1, g % 2 == 0, offsets.count * 2 < partnersPerOrganization, (g - 1) / 2 == offsets.count {
            for i in 0..<(g / 2) { pairings.append(Pairing(a: generated[i], b: generated[i + g / 2])) }
        }
        for (k, demo) in try await demoParties(on: db).enumerated() {
            let wanted = k == 0 ? min(northwindPartners, g) : min(otherDemoPartners, g / 2)
            let first = dice.int(0...(g - 1))
            // Evenly spread over the generated organizations, starting anywhere.
            for j in 0..<wanted {
                let other = generated[(first + j * g / max(wanted, 1)) % g]
                pairings.append(dice.chance(0.5) ? Pairing(a: demo, b: other) : Pairing(a: other, b: demo))
            }
        }
        return pairings
    }

    /// The demo's organizations with their people, Northwind Studio first.
    static func demoParties(on db: any Database) async throws -> [Party] {
        let users = try await User.query(on: db).filter(\.$email ~~ DemoSeed.logins.map(\.email)).all()
        let organizations = try await Organization.query(on: db).filter(\.$id ~~ Array(Set(users.map(\.$organization.id)))).all()
        var parties: [Party] = []
        for name in DemoSeed.logins.map(\.organization) where !parties.contains(where: { $0.name == name }) {
            guard let org = organizations.first(where: { $0.name == name }), let id = org.id else { continue }
            // In the order of the demo's logins: Alice first in Northwind, so she opens its partnerships most often.
            let people = DemoSeed.logins.filter { $0.organization == name }.compactMap { login in
                users.first { $0.email == login.email }.map { Person(id: $0.id!, name: $0.name, email: $0.email, timeZone: $0.timeZone) }
            }
            guard !people.isEmpty else { continue }
            parties.append(Party(id: id, name: name, trade: trade(named: name), people: people))
        }
        return parties
    }

    // MARK: Writing

    /// The rows of a batch of partnerships, in the order foreign keys need them.
    static func write(_ batch: Batch, on tx: any Database, at now: Date) async throws {
        let sql = try tx.sql()
        try await insert(into: "partnerships", NewPartnership.columns, batch.partnerships.map(\.values), on: sql)
        try await insert(into: "partnership_members", NewMember.columns, batch.members.map(\.values), on: sql)
        try await insert(into: "agreement_versions", NewAgreement.columns, batch.agreements.map(\.values), on: sql)
        try await insert(into: "commitments", NewCommitment.columns, batch.commitments.map(\.values), on: sql)
        try await insert(into: "message_threads", NewThread.columns, batch.threads.map(\.values), on: sql)
        try await insert(into: "messages", NewMessage.columns, batch.messages.map(\.values), on: sql)
        try await insert(into: "partnership_events", NewEvent.columns, batch.events.map(\.values), on: sql)
        // Each partnership's whole log in one call: leaves and tiles in multi-row statements, the head once.
        for log in batch.logs { try await Ledger.append(contentsOf: log.entries, partnership: log.partnership, on: tx) }
        // The background job recomputes trust as it would after this much evidence arrived; a page that cannot wait
        // computes its pair on view.
        for pair in batch.trust { try await TrustService.enqueue(viewer: pair.viewer, subject: pair.subject, at: now, on: tx) }
    }

    /// Inserts rows in multi-row statements, each under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
    static func insert(into table: String, _ columns: [String], _ rows: [[any SQLExpression]], on sql: any SQLDatabase) async throws {
        let perStatement = max(1, min(500, 30_000 / max(columns.count, 1)))
        var start = 0
        while start < rows.count {
            let end = min(start + perStatement, rows.count)
            let insert = sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { insert.values(row) }
            try await insert.run()
            start = end
        }
    }

    /// A bound value, or NULL.
    static func bind<T: Encodable & Sendable>(_ value: T?) -> any SQLExpression {
        guard let value else { return SQLLiteral.null }
        return SQLBind(value)
    }
}
