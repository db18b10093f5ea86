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

    /// Inserts or replaces the pair's opinion.
    static func store(_ o: Opinion, for pair: TrustService.Pair, on sql: any SQLDatabase) async throws {
        try await sql.insert(into: schema).columns(columns)
            .values(
                SQLBind(pair.viewer), SQLBind(pair.subject), SQLBind(o.belief), SQLBind(o.disbelief), SQLBind(o.uncertainty),
                SQLBind(o.baseRate)
            )
            .onConflict(with: ["viewer_organization_id", "subject_organization_id"]) { conflict in
                conflict.set(excludedValueOf: "belief").set(excludedValueOf: "disbelief").set(excludedValueOf: "uncertainty")
                    .set(excludedValueOf: "base_rate")
            }
            .run()
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

    /// The organizations that hold an opinion of `subject`.
    static func viewers(of subject: UUID, on db: any Database) async throws -> [UUID] {
        struct Viewer: Decodable { var viewer_organization_id: UUID }
        return try await db.sql().select().column("viewer_organization_id").from(schema)
            .where("subject_organization_id", .equal, SQLBind(subject)).all(decoding: Viewer.self).map(\.viewer_organization_id)
    }

    /// The organizations `viewer` holds an opinion of.
    static func subjects(of viewer: UUID, on db: any Database) async throws -> [UUID] {
        struct Subject: Decodable { var subject_organization_id: UUID }
        return try await db.sql().select().column("subject_organization_id").from(schema)
            .where("viewer_organization_id", .equal, SQLBind(viewer)).all(decoding: Subject.self).map(\.subject_organization_id)
    }

    static func exists(_ pair: TrustService.Pair, on db: any Database) async throws -> Bool {
        struct One: Decodable { var n: Int }
        return try await db.sql().raw(
            "SELECT 1 AS n FROM trust_opinions WHERE viewer_organization_id = \(bind: pair.viewer) AND subject_organization_id = \(bind: pair.subject)"
        ).first(decoding: One.self) != nil
    }
}
