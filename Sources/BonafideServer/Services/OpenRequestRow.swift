import Fluent
import Foundation
import SQLKit

/// A request waiting for an answer as the dashboards list it: the message with its author's name and its thread's
/// subject, joined in one query and decoded straight into values (the models with both joined decoded each through
/// reflection, three models a row).
struct OpenRequestRow: Sendable {
    var id: UUID
    var threadId: UUID
    var partnershipId: UUID
    var authorId: UUID
    var authorName: String
    var organizationId: UUID
    var body: String
    var needsResponse: Bool
    var respondedAt: Date?
    var createdAt: Date
    var subject: String

    /// Reads the columns `waiting` selects, each with one call to the driver (two when it may be NULL).
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        threadId = try row.decodeUUID(column: "thread_id")
        partnershipId = try row.decodeUUID(column: "partnership_id")
        authorId = try row.decodeUUID(column: "author_id")
        authorName = try row.decode(column: "author_name", as: String.self)
        organizationId = try row.decodeUUID(column: "organization_id")
        body = try row.decode(column: "body", as: String.self)
        needsResponse = try row.decode(column: "needs_response", as: Bool.self)
        respondedAt = try row.decodeIfPresent(column: "responded_at", as: Date.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        subject = try row.decode(column: "subject", as: String.self)
    }

    /// The requests in these partnerships that wait for an answer from `organization`: those the other side asked,
    /// oldest first.
    static func waiting(in partnershipIDs: [UUID], for organization: UUID, on db: any Database) async throws -> [OpenRequestRow] {
        guard !partnershipIDs.isEmpty else { return [] }
        let rows = try await db.sql().raw(
            """
            SELECT m.id, m.thread_id, m.partnership_id, m.author_id, u.name AS author_name, m.organization_id, m.body,
                   m.needs_response, m.responded_at, m.created_at, t.subject
            FROM messages m JOIN users u ON u.id = m.author_id JOIN message_threads t ON t.id = m.thread_id
            WHERE m.partnership_id IN \(SQLBind.group(partnershipIDs)) AND m.needs_response = \(bind: true)
              AND m.responded_at IS NULL AND m.organization_id <> \(bind: organization)
            ORDER BY m.created_at, m.id
            """
        ).all()
        return try rows.map(OpenRequestRow.init(row:))
    }
}
