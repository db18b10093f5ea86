import Fluent
import Foundation
import SQLKit

/// Attempts counted in the database, so every app server on it sees one count: limits held per process let each
/// added server take as many guesses again.
enum RateLimits {
    static let schema = "rate_limit_attempts"
    /// Longer than any window a limit uses; older attempts are purged by the sweep.
    static let retention: TimeInterval = 86_400

    /// Records this attempt and answers whether it is within `limit` for the last `window` seconds. The attempt is
    /// written before it is counted, so attempts racing on several servers cannot all slip under the limit (each
    /// sees every attempt written before its own); a refused attempt is taken back, so someone who waits out the
    /// window is not kept out by the tries that were refused.
    static func allow(_ key: String, limit: Int, window: TimeInterval, now: Date = Date(), on db: any SQLDatabase) async throws -> Bool {
        // Keys hold addresses and e-mail addresses: only their digests are stored.
        let digest = Secrets.digest(key)
        let id = UUID()
        try await db.insert(into: schema).columns("id", "key_digest", "attempted_at")
            .values(SQLBind(id), SQLBind(digest), SQLBind(now)).run()
        struct Count: Decodable { var n: Int }
        let count =
            try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(schema)
            .where("key_digest", .equal, digest).where("attempted_at", .greaterThan, now.addingTimeInterval(-window))
            .first(decoding: Count.self)?.n ?? 0
        guard count <= limit else {
            try await db.delete(from: schema).where("id", .equal, id).run()
            return false
        }
        return true
    }

    /// Forgets attempts older than any window.
    static func purge(now: Date = Date(), on db: any SQLDatabase) async throws {
        try await db.delete(from: schema).where("attempted_at", .lessThan, now.addingTimeInterval(-retention)).run()
    }
}
