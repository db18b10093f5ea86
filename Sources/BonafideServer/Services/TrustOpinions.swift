import BonafideCore
import Fluent
import Foundation
import SQLKit

/// The current opinion of each pair (`trust_opinions`), written with every snapshot: plain rows read with SQLKit,
/// no history and no report to decode.
enum TrustOpinions {
    static let schema = "trust_opinions"

    /// A row read column by column (`SQLRow.decodeUUID`): a search walks some two thousand of them, and `SQLRowDecoder`
    /// with `UUID(uuidString:)` was a tenth of it.
    private struct Row {
        var viewer: UUID
        var subject: UUID
        var opinion: Opinion

        init(row: any SQLRow) throws {
            viewer = try row.decodeUUID(column: "viewer_organization_id")
            subject = try row.decodeUUID(column: "subject_organization_id")
            opinion = try Opinion(
                belief: row.decode(column: "belief", as: Double.self), disbelief: row.decode(column: "disbelief", as: Double.self),
                uncertainty: row.decode(column: "uncertainty", as: Double.self), baseRate: row.decode(column: "base_rate", as: Double.self))
        }
    }

    private static let columns = [
        "viewer_organization_id", "subject_organization_id", "belief", "disbelief", "uncertainty", "base_rate",
    ]

    /// The one row whose token changes with any opinion (migration 041).
    static let versionSchema = "trust_opinions_version"

    /// Inserts or replaces each pair's opinion, many pairs to a statement, and names the new state of the opinions with
    /// a new token. Call it last inside the transaction that decides the change: the token then changes exactly when
    /// the opinions do, and its row, locked until that transaction ends, orders writers on PostgreSQL so a reader never
    /// sees a token that came before opinions it has already read; anything after it would hold that lock longer.
    static func store(_ opinions: [(TrustService.Pair, Opinion)], on sql: any SQLDatabase) async throws {
        guard !opinions.isEmpty else { return }
        try await upsert(opinions, on: sql)
        try await sql.update(versionSchema).set("version", to: SQLBind(UUID())).run()
    }

    /// The current token (`store`), or nil if its row is missing (a hand-edited database): then nothing is kept.
    /// Read it before the opinions: a change between the two reads can only make what is kept newer than its token
    /// says, and the next reader, finding another token, works it out again.
    static func version(on db: any Database) async throws -> UUID? {
        try await db.sql().select().column("version").from(versionSchema).where("id", .equal, 1).first()?
            .decodeUUID(column: "version")
    }

    /// `store` without a new token: only for migration 025, which runs before the token's table exists.
    static func upsert(_ opinions: [(TrustService.Pair, Opinion)], on sql: any SQLDatabase) async throws {
        // PostgreSQL refuses to update one row twice in a statement: the last opinion of a pair is the one kept.
        var latest: [TrustService.Pair: Opinion] = [:]
        for (pair, opinion) in opinions { latest[pair] = opinion }
        // In one order everywhere: two writers of the same pairs (a batch whose lease ran out, taken again elsewhere)
        // then lock their rows in the same order and one waits for the other, where in each process's own dictionary
        // order they could each hold a row the other wants.
        let opinions = latest.sorted { $0.key < $1.key }
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
        let rows = try await db.sql().select().columns(columns).from(schema).all().map(Row.init(row:))
        var opinions: [TrustService.Pair: Opinion] = [:]
        opinions.reserveCapacity(rows.count)
        for r in rows { opinions[TrustService.Pair(viewer: r.viewer, subject: r.subject)] = r.opinion }
        return opinions
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
            for row in try await sql.select().columns(columns).from(schema).where("viewer_organization_id", .in, chunk).all() {
                let r = try Row(row: row)
                held[r.viewer, default: [:]][r.subject] = r.opinion
            }
        }
        return held
    }
}
