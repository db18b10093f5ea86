import Fluent
import SQLKit

/// An organization's own commitments: its record on a search result, its on-time streak on its profile, a
/// testimonial's basis and a pair's trust evidence all ask by owner, and without this index each read every
/// completed commitment of every organization (the status index), so they grew with the database, not the record.
/// The dates the record and the streak count are in the index too, so counting them never visits the rows.
struct IndexCommitmentOwners: AsyncMigration {
    var name: String { "037_IndexCommitmentOwners" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            CREATE INDEX commitments_owner_status ON commitments (owner_organization_id, status, due_at, completed_at, delivered_at)
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX commitments_owner_status").run()
    }
}
