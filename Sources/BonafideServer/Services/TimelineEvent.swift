import Fluent
import Foundation
import SQLKit

/// An entry of a partnership's timeline as readers see it: the event with the name of who made the change, read in
/// one joined query and decoded straight into values. The timeline read up to 500 `PartnershipEvent` models and then
/// their actors in a second query, each model decoded through Fluent's reflection; that decoding was most of the
/// API timeline's time at a hundred times the demo.
struct TimelineEvent: Decodable, Sendable {
    var id: UUID
    var kind: String
    /// Nil for changes nobody made (the server's own sweeps and verdicts).
    var actorName: String?
    var summary: String
    var reason: String?
    var commitmentId: UUID?
    var incidentId: UUID?
    var createdAt: Date

    // Spelled out: converting key case per row and column costs more than the query (see `CommitmentRow`).
    enum CodingKeys: String, CodingKey {
        case id, kind, summary, reason
        case actorName = "actor_name", commitmentId = "commitment_id", incidentId = "incident_id", createdAt = "created_at"
    }

    /// A partnership's events, or one commitment's or incident's, newest first, at most `limit`.
    static func events(
        of partnershipID: UUID, commitment: UUID? = nil, incident: UUID? = nil, limit: Int, on db: any Database
    ) async throws -> [TimelineEvent] {
        var ofCommitment: SQLQueryString = ""
        if let commitment { ofCommitment = "AND e.commitment_id = \(bind: commitment)" }
        var ofIncident: SQLQueryString = ""
        if let incident { ofIncident = "AND e.incident_id = \(bind: incident)" }
        // Ordered by the index on (partnership_id, created_at) as the model query was, so events stored in one instant
        // come in the same order as before.
        return try await db.sql().raw(
            """
            SELECT e.id, e.kind, u.name AS actor_name, e.summary, e.reason, e.commitment_id, e.incident_id, e.created_at
            FROM partnership_events e LEFT JOIN users u ON u.id = e.actor_id
            WHERE e.partnership_id = \(bind: partnershipID) \(ofCommitment) \(ofIncident)
            ORDER BY e.created_at DESC
            LIMIT \(bind: limit)
            """
        ).all(decoding: TimelineEvent.self)
    }
}
