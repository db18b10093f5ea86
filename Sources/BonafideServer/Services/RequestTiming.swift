import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A message that asked for an answer, as much as response times need of it: which side asked, when, and when it was
/// answered. The partnership page read every request as a whole `Message` model, body and all, to count and time them.
struct RequestTiming: Decodable, Sendable {
    /// The side that asked.
    var organizationId: UUID
    var createdAt: Date
    var respondedAt: Date?

    enum CodingKeys: String, CodingKey {
        case organizationId = "organization_id", createdAt = "created_at", respondedAt = "responded_at"
    }

    /// Every request of the partnership, answered or not (as `Messages.requests(of:on:)`).
    static func all(in partnershipID: UUID, on db: any Database) async throws -> [RequestTiming] {
        try await db.sql().raw(
            """
            SELECT organization_id, created_at, responded_at FROM messages
            WHERE partnership_id = \(bind: partnershipID) AND needs_response = \(bind: true)
            """
        ).all().map(RequestTiming.init(row:))
    }

    /// For each side: how long it took to answer the other side's requests, as `Messages.responseTimes` works it out.
    static func responseTimes(of p: Partnership, sides: [UUID: Organization], requests: [RequestTiming]) -> [Messages.ResponseTime] {
        [p.$organization.id, p.$partner.id].compactMap { $0 }.compactMap { (orgID: UUID) -> Messages.ResponseTime? in
            guard let org = sides[orgID] else { return nil }
            let addressed = requests.filter { $0.organizationId != orgID }
            let durations = addressed.compactMap { m in m.respondedAt.map { $0.timeIntervalSince(m.createdAt) } }
            return Messages.ResponseTime(
                organization: org, medianSeconds: ResponseStatistics.median(durations), answered: durations.count,
                open: addressed.count - durations.count)
        }
    }
}

extension RequestTiming {
    /// Column by column (`SQLRow+Columns`), as `all(decoding:)` read it through `SQLRowDecoder`.
    init(row: any SQLRow) throws {
        organizationId = try row.decodeUUID(column: "organization_id")
        createdAt = try row.decode(column: "created_at", as: Date.self)
        respondedAt = try row.decodeIfPresent(column: "responded_at", as: Date.self)
    }
}
