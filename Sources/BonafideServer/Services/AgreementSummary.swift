import Fluent
import Foundation
import SQLKit

/// The agreement as it stands: the latest version's text, number, author's name and date, in one query decoded
/// straight into values (the page read the version as a model joined with its author's whole user row).
struct AgreementSummary: Decodable, Sendable {
    var text: String
    var version: Int
    var authorName: String
    var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case text, version
        case authorName = "author_name", createdAt = "created_at"
    }

    /// The latest version, nil before anyone wrote one (as `Partnerships.latestAgreement(of:on:)`).
    static func latest(in partnershipID: UUID, on db: any Database) async throws -> AgreementSummary? {
        try await db.sql().raw(
            """
            SELECT a.text, a.version, u.name AS author_name, a.created_at
            FROM agreement_versions a JOIN users u ON u.id = a.author_id
            WHERE a.partnership_id = \(bind: partnershipID)
            ORDER BY a.version DESC
            LIMIT 1
            """
        ).first().map(AgreementSummary.init(row:))
    }
}

extension AgreementSummary {
    /// Column by column (`SQLRow+Columns`), as `first(decoding:)` read it through `SQLRowDecoder`.
    init(row: any SQLRow) throws {
        text = try row.decode(column: "text", as: String.self)
        version = try row.decode(column: "version", as: Int.self)
        authorName = try row.decode(column: "author_name", as: String.self)
        createdAt = try row.decodeIfPresent(column: "created_at", as: Date.self)
    }
}
