import Fluent
import Foundation
import SQLKit

/// One row naming the current state of `trust_opinions`: a random token that `TrustOpinions.store` replaces in the
/// transaction that changes any opinion. What a server worked out from the opinions (a searcher's reach through the
/// network, `TrustReachMemo`) stays good while the token it read before reading them is still the one stored, on
/// every server at once, since all of them read the same row. A token, not a counter: one process serves several
/// databases in the tests, and two databases counting from the same start would name different opinions alike.
struct AddTrustOpinionsVersion: AsyncMigration {
    var name: String { "041_AddTrustOpinionsVersion" }

    func prepare(on database: any Database) async throws {
        try await database.schema(TrustOpinions.versionSchema)
            .field("id", .int, .identifier(auto: false))
            .field("version", .uuid, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.insert(into: TrustOpinions.versionSchema).columns("id", "version").values(SQLBind(1), SQLBind(UUID())).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TrustOpinions.versionSchema).delete()
    }
}
