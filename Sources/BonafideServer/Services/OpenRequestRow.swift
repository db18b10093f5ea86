import Fluent
import Foundation
import SQLKit

/// A request waiting for an answer as the dashboards list it: the message with its author's name and its thread's
/// subject, joined in one query and decoded straight into values (the models with both joined decoded each through
/// reflection, three models a row).
struct OpenRequestRow: Decodable, Sendable {
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

    enum CodingKeys: String, CodingKey {
        case id, body, subject
        case threadId = "thread_id", partnershipId = "partnership_id", authorId = "author_id", authorName = "author_name"
        case organizationId = "organization_id", needsResponse = "needs_response", respondedAt = "responded_at"
        case createdAt = "created_at"
    }

    /// The requests in these partnerships that wait for an answer from `organization`: those the other side asked,
    /// oldest first.
    static func waiting(in partnershipIDs: [UUID], for organization: UUID, on db: any Database) async throws -> [OpenRequestRow] {
        guard !partnershipIDs.isEmpty else { return [] }
        return try await db.sql().raw(
            """
            SELECT m.id, m.thread_id, m.partnership_id, m.author_id, u.name AS author_name, m.organization_id, m.body,
                   m.needs_response, m.responded_at, m.created_at, t.subject
            FROM messages m JOIN users u ON u.id = m.author_id JOIN message_threads t ON t.id = m.thread_id
            WHERE m.partnership_id IN \(SQLBind.group(partnershipIDs)) AND m.needs_response = \(bind: true)
              AND m.responded_at IS NULL AND m.organization_id <> \(bind: organization)
            ORDER BY m.created_at, m.id
            """
        ).all(decoding: OpenRequestRow.self)
    }
}
