import BonafideCore
import Fluent
import Foundation
import SQLKit

/// The current opinion of each pair (`trust_opinions`), written with every snapshot: plain rows read with SQLKit,
/// no history and no report to decode.
enum TrustOpinions {
    static let schema = "trust_opinions"

    private struct Row: Decodable {
        var viewer_organization_id: UUID
        var subject_organization_id: UUID
        var belief: Double
        var disbelief: Double
        var uncertainty: Double
        var base_rate: Double
    }

    private static let columns = [
        "viewer_organization_id", "subject_organization_id", "belief", "disbelief", "uncertainty", "base_rate",
    ]

    /// Inserts or replaces each pair's opinion, many pairs to a statement.
    static func store(_ opinions: [(TrustService.Pair, Opinion)], on sql: any SQLDatabase) async throws {
        // PostgreSQL refuses to update one row twice in a statement: the last opinion of a pair is the one kept.
        var latest: [TrustService.Pair: Opinion] = [:]
        for (pair, opinion) in opinions { latest[pair] = opinion }
        let opinions = Array(latest)
        // 200 rows of 6 binds stay far below the parameter limits of both databases.
        for start in stride(from: 0, to: opinions.count, by: 200) {
            let insert = sql.insert(into: schema).columns(columns)
            for (pair, o) in opinions[start..<min(start + 200, opinions.count)] {
                insert.values(
                    SQLBind(pair.viewer), SQLBind(pair.subject), SQLBind(o.belief), SQLBind(o.disbelief), SQLBind(o.uncertainty),
                    SQLBind(o.baseRate))
            }
            try await insert.onConflict(with: ["viewer_organization_id", "subject_organization_id"]) { conflict in
                conflict.set(excludedValueOf: "belief").set(excludedValueOf: "disbelief").set(excludedValueOf: "uncertainty")
                    .set(excludedValueOf: "base_rate")
            }
            .run()
        }
    }

    /// Every pair's current opinion.
    static func all(on db: any Database) async throws -> [TrustService.Pair: Opinion] {
        let rows = try await db.sql().select().columns(columns).from(schema).all(decoding: Row.self)
        var opinions: [TrustService.Pair: Opinion] = [:]
        opinions.reserveCapacity(rows.count)
        for r in rows {
            opinions[TrustService.Pair(viewer: r.viewer_organization_id, subject: r.subject_organization_id)] = Opinion(
                belief: r.belief, disbelief: r.disbelief, uncertainty: r.uncertainty, baseRate: r.base_rate)
        }
        return opinions
    }

    /// A digest of every pair's current opinion: how many pairs, and each figure's sum over them, every value cut to
    /// nine decimals and added as integers, so that the database and Swift reach the same numbers whatever order they
    /// add in. The trust job keeps its network from one batch to the next only while the stored opinions give the
    /// digest of the ones it holds: an opinion another writer changed in between (a page computing its pair on view,
    /// another server's batch) changes the digest unless other changes cancel it exactly in all four sums at once.
    struct Checksum: Decodable, Equatable, Sendable {
        var pairs: Int
        var belief: Int64
        var disbelief: Int64
        var uncertainty: Int64
        var baseRate: Int64

        enum CodingKeys: String, CodingKey {
            case pairs, belief, disbelief, uncertainty
            case baseRate = "base_rate"
        }
    }

    static func checksum(of opinions: [TrustService.Pair: Opinion]) -> Checksum {
        // Truncated toward zero, as the statement below casts.
        func cut(_ value: Double) -> Int64 { Int64((value * 1e9).rounded(.towardZero)) }
        var sum = Checksum(pairs: opinions.count, belief: 0, disbelief: 0, uncertainty: 0, baseRate: 0)
        for o in opinions.values {
            sum.belief &+= cut(o.belief)
            sum.disbelief &+= cut(o.disbelief)
            sum.uncertainty &+= cut(o.uncertainty)
            sum.baseRate &+= cut(o.baseRate)
        }
        return sum
    }

    /// The same digest of the stored opinions, in one statement that sends back one row.
    static func checksum(on db: any Database) async throws -> Checksum {
        let sql = try db.sql()
        let postgres = sql.dialect.name == "postgresql"
        func sum(_ column: String) -> String {
            // PostgreSQL's cast to an integer rounds and its sum of integers is a decimal: cut first, cast back after.
            postgres
                ? "CAST(COALESCE(SUM(CAST(trunc(\(column) * CAST(1e9 AS DOUBLE PRECISION)) AS BIGINT)), 0) AS BIGINT) AS \(column)"
                : "COALESCE(SUM(CAST(\(column) * 1e9 AS INTEGER)), 0) AS \(column)"
        }
        let columns = ["belief", "disbelief", "uncertainty", "base_rate"].map(sum).joined(separator: ", ")
        let digest: SQLQueryString = "SELECT COUNT(*) AS pairs, \(unsafeRaw: columns) FROM \(ident: schema)"
        return try await sql.raw(digest).first(decoding: Checksum.self)
            ?? Checksum(pairs: 0, belief: 0, disbelief: 0, uncertainty: 0, baseRate: 0)
    }

    /// Every current opinion held by one of `viewers`, by viewer then subject: the next hop of a walk through the
    /// network, without reading the opinions of those the walk never reaches.
    static func held(by viewers: Set<UUID>, on db: any Database) async throws -> [UUID: [UUID: Opinion]] {
        guard !viewers.isEmpty else { return [:] }
        let sql = try db.sql()
        let ids = Array(viewers)
        var held: [UUID: [UUID: Opinion]] = [:]
        // 500 binds a statement stay far below the parameter limits of both databases.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for r in try await sql.select().columns(columns).from(schema).where("viewer_organization_id", .in, chunk).all(
                decoding: Row.self)
            {
                held[r.viewer_organization_id, default: [:]][r.subject_organization_id] = Opinion(
                    belief: r.belief, disbelief: r.disbelief, uncertainty: r.uncertainty, baseRate: r.base_rate)
            }
        }
        return held
    }
}
