import Fluent
import Foundation
import SQLKit

/// A conversation as a partnership page lists it: its subject and when it was last written in, decoded straight into
/// values instead of as `MessageThread` models.
struct ThreadSummary: Decodable, Sendable {
    var id: UUID
    var subject: String
    var lastMessageAt: Date

    enum CodingKeys: String, CodingKey {
        case id, subject
        case lastMessageAt = "last_message_at"
    }

    /// The partnership's conversations, most recently active first (as `Messages.threads(of:on:)`), by the index on
    /// (partnership_id, last_message_at): without it every page view read every conversation of every partnership.
    static func all(in partnershipID: UUID, on db: any Database) async throws -> [ThreadSummary] {
        try await db.sql().raw(
            """
            SELECT id, subject, last_message_at FROM message_threads
            WHERE partnership_id = \(bind: partnershipID)
            ORDER BY last_message_at DESC
            """
        ).all().map(ThreadSummary.init(row:))
    }
}

extension ThreadSummary {
    /// Column by column (`SQLRow+Columns`), as `all(decoding:)` read it through `SQLRowDecoder`.
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        subject = try row.decode(column: "subject", as: String.self)
        lastMessageAt = try row.decode(column: "last_message_at", as: Date.self)
    }
}
