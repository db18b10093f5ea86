import Fluent
import SQLKit

/// What several app servers on one database must share. Rate-limit attempts move into the database: each server
/// counted its own before, so three servers let three times the guesses through. The trust queue becomes one whose
/// rows are claimed with a lease: two servers draining it recomputed the same pairs, and a server that died between
/// taking a pair and storing its figures lost the pair.
struct ShareStateAcrossServers: AsyncMigration {
    var name: String { "026_ShareStateAcrossServers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("rate_limit_attempts")
            .id()
            .field("key_digest", .string, .required)
            .field("attempted_at", .datetime, .required)
            .create()
        try await database.schema("trust_queue")
            .id()
            .field("viewer_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("queued_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX rate_limit_attempts_key ON rate_limit_attempts (key_digest, attempted_at)").run()
        // One waiting row per pair. A claimed row leaves this index, so evidence that arrives while its pair is being
        // recomputed queues the pair again instead of being swallowed by the row about to be deleted.
        try await sql.raw(
            """
            CREATE UNIQUE INDEX trust_queue_waiting ON trust_queue (viewer_organization_id, subject_organization_id)
            WHERE claimed_until IS NULL
            """
        ).run()
        try await sql.raw("CREATE INDEX trust_queue_order ON trust_queue (queued_at)").run()
        try await sql.raw(
            """
            INSERT INTO trust_queue (id, viewer_organization_id, subject_organization_id, queued_at)
            SELECT id, viewer_organization_id, subject_organization_id, queued_at FROM trust_pending
            """
        ).run()
        try await database.schema("trust_pending").delete()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("trust_pending")
            .id()
            .field("viewer_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("subject_organization_id", .uuid, .required, .references("organizations", "id"))
            .field("queued_at", .datetime, .required)
            .unique(on: "viewer_organization_id", "subject_organization_id")
            .create()
        if let sql = database as? any SQLDatabase {
            // Claimed rows are being recomputed right now; the waiting ones are what is still owed.
            try await sql.raw(
                """
                INSERT INTO trust_pending (id, viewer_organization_id, subject_organization_id, queued_at)
                SELECT id, viewer_organization_id, subject_organization_id, queued_at FROM trust_queue WHERE claimed_until IS NULL
                """
            ).run()
        }
        try await database.schema("trust_queue").delete()
        try await database.schema("rate_limit_attempts").delete()
    }
}
