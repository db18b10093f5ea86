import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Each pair's current opinion, one row per pair, kept beside the snapshot history: the network step of every
/// recompute and the organization search read every current opinion, and finding them in the history meant
/// loading and decoding every snapshot ever stored (it grows with every change).
struct AddTrustOpinions: AsyncMigration {
    var name: String { "025_AddTrustOpinions" }

    func prepare(on database: any Database) async throws {
        try await database.schema(TrustOpinions.schema)
            .field("viewer_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("belief", .double, .required)
            .field("disbelief", .double, .required)
            .field("uncertainty", .double, .required)
            .field("base_rate", .double, .required)
            .compositeIdentifier(over: "viewer_organization_id", "subject_organization_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX trust_opinions_subject ON trust_opinions (subject_organization_id)").run()
        // The newest snapshot of each pair, as the history had it.
        var latest: [TrustService.Pair: Opinion] = [:]
        for s in try await TrustSnapshot.query(on: database).sort(\.$computedAt, .descending).all() {
            let pair = TrustService.Pair(viewer: s.$viewer.id, subject: s.$subject.id)
            guard latest[pair] == nil,
                let report = try? TrustService.decoder.decode(TrustService.Assessment.self, from: Data(s.report.utf8))
            else { continue }
            latest[pair] = report.overall
        }
        try await TrustOpinions.upsert(latest.map { ($0.key, $0.value) }, on: sql)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TrustOpinions.schema).delete()
    }
}
