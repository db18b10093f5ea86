import Fluent
import Foundation
import SQLKit

/// A message as the list endpoint reads it: one joined query (its author's name, and whether the reader's
/// organization analyses tone) decoded straight into values. Fluent's eager load of the authors was a second query
/// and the reader's organization a third, and each model decoded through reflection.
struct MessageRow: Decodable, Sendable {
    var id: UUID
    var threadId: UUID
    var authorId: UUID
    var authorName: String
    var organizationId: UUID
    var body: String
    var needsResponse: Bool
    var respondedAt: Date?
    var createdAt: Date
    var sentiment: Double?
    var sentimentDrivers: String?
    /// `Organization.messageSentiment` of the reader's organization, the same on every row (`MessageTone.isShown`).
    var viewerTone: Bool?

    enum CodingKeys: String, CodingKey {
        case id, body, sentiment
        case threadId = "thread_id", authorId = "author_id", authorName = "author_name", organizationId = "organization_id"
        case needsResponse = "needs_response", respondedAt = "responded_at", createdAt = "created_at"
        case sentimentDrivers = "sentiment_drivers", viewerTone = "viewer_tone"
    }

    /// A partnership's messages, or one thread's, oldest first (at most 2,000, as `Messages.messages`), with whether
    /// `viewer`'s organization is shown their tone.
    static func messages(of p: Partnership, thread: UUID?, viewer: Actor, on db: any Database) async throws -> [MessageRow] {
        var inThread: SQLQueryString = ""
        if let thread { inThread = "AND m.thread_id = \(bind: thread)" }
        return try await db.sql().raw(
            """
            SELECT m.id, m.thread_id, m.author_id, u.name AS author_name, m.organization_id, m.body, m.needs_response,
                   m.responded_at, m.created_at, m.sentiment, m.sentiment_drivers,
                   (SELECT o.message_sentiment FROM organizations o WHERE o.id = \(bind: viewer.organizationID)) AS viewer_tone
            FROM messages m JOIN users u ON u.id = m.author_id
            WHERE m.partnership_id = \(bind: p.id!) \(inThread)
            ORDER BY m.created_at
            LIMIT 2000
            """
        ).all(decoding: MessageRow.self)
    }
}
