import Fluent
import Foundation
import SQLKit

/// A message as the list endpoint reads it: one joined query (its author's name, and whether the reader's
/// organization analyses tone) decoded straight into values. Fluent's eager load of the authors was a second query
/// and the reader's organization a third, and each model decoded through reflection.
struct MessageRow: Sendable {
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

    /// Reads the columns `messages` selects, each with one call to the driver (two when it may be NULL).
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        threadId = try row.decodeUUID(column: "thread_id")
        authorId = try row.decodeUUID(column: "author_id")
        authorName = try row.decode(column: "author_name", as: String.self)
        organizationId = try row.decodeUUID(column: "organization_id")
        body = try row.decode(column: "body", as: String.self)
        needsResponse = try row.decode(column: "needs_response", as: Bool.self)
        respondedAt = try row.decodeIfPresent(column: "responded_at", as: Date.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        sentiment = try row.decodeIfPresent(column: "sentiment", as: Double.self)
        sentimentDrivers = try row.decodeIfPresent(column: "sentiment_drivers", as: String.self)
        viewerTone = try row.decodeIfPresent(column: "viewer_tone", as: Bool.self)
    }

    /// A partnership's messages, or one thread's, oldest first (at most 2,000, as `Messages.messages`), with whether
    /// `viewer`'s organization is shown their tone.
    static func messages(of p: Partnership, thread: UUID?, viewer: Actor, on db: any Database) async throws -> [MessageRow] {
        var inThread: SQLQueryString = ""
        if let thread { inThread = "AND m.thread_id = \(bind: thread)" }
        let rows = try await db.sql().raw(
            """
            SELECT m.id, m.thread_id, m.author_id, u.name AS author_name, m.organization_id, m.body, m.needs_response,
                   m.responded_at, m.created_at, m.sentiment, m.sentiment_drivers,
                   (SELECT o.message_sentiment FROM organizations o WHERE o.id = \(bind: viewer.organizationID)) AS viewer_tone
            FROM messages m JOIN users u ON u.id = m.author_id
            WHERE m.partnership_id = \(bind: p.id!) \(inThread)
            ORDER BY m.created_at
            LIMIT 2000
            """
        ).all()
        return try rows.map(MessageRow.init(row:))
    }
}
