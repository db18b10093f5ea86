import BonafideCore
import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Browser sessions, kept on the server only for people who signed in. Visitors get no session row: their form
/// token lives in a cookie of its own (double submit), and one-page messages travel in a short-lived cookie.
enum WebSessions {
    static let cookie = "bonafide_session"
    static let csrfCookie = "bonafide_csrf"
    static let flashCookie = "bonafide_flash"
    /// The passkey challenge in flight: a browser signs it within five minutes, once.
    static let challengeCookie = "bonafide_webauthn"

    /// Starts a session for `user` in this browser, ending the one it had: a session fixed before sign-in is
    /// worthless. `pendingSecondFactor` keeps the person signed out until the second factor.
    static func start(_ req: Request, _ user: User, pendingSecondFactor: Bool = false, now: Date = Date()) async throws {
        let state = req.webState
        if let old = state.session { try await old.delete(on: req.db) }
        let secret = Secrets.make(prefix: "")
        let s = WebSession()
        s.tokenHash = Secrets.digest(secret)
        s.$user.id = try user.requireID()
        s.pendingSecondFactor = pendingSecondFactor
        s.createdAt = now
        s.lastSeenAt = now
        s.userAgent = String((req.headers.first(name: .userAgent) ?? "").prefix(300))
        s.ip = req.clientAddress ?? ""
        s.data = ["csrf": Secrets.make(prefix: "")]
        try await s.save(on: req.db)
        s.$user.value = user
        state.session = s
        state.newSecret = secret
        state.dirty = false
        req.actor = pendingSecondFactor ? nil : Actor(user: user)
    }

    /// The session of a cookie's secret with its person, in one plain query (a join, not an eager load's second
    /// query, and no query builder): every signed-in page and every call of a page's script starts here. Both are
    /// loaded as Fluent loads them (`load(from:)`), so the session can still be saved (an UPDATE) or deleted.
    static func find(secret raw: String, on db: any Database) async throws -> WebSession? {
        guard
            let row = try await db.sql().raw(
                """
                SELECT u.*, s.id AS s_id, s.token_hash AS s_token_hash, s.user_id AS s_user_id,
                  s.pending_second_factor AS s_pending_second_factor, s.created_at AS s_created_at,
                  s.last_seen_at AS s_last_seen_at, s.user_agent AS s_user_agent, s.ip AS s_ip, s.data AS s_data
                FROM web_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: Secrets.digest(raw))
                LIMIT 1
                """
            ).first()
        else { return nil }
        let session = try WebSession.load(from: RowOutput(row: row, prefix: "s_"))
        session.$user.value = try User.load(from: RowOutput(row: row))
        return session
    }

    /// The person behind a page's script calling the JSON API: their session cookie, and the session's form token
    /// in `X-CSRF-Token`, which another site's page cannot read or send (a custom header needs CORS, never granted).
    static func apiActor(_ req: Request) async throws -> Actor? {
        guard let raw = req.cookies[cookie]?.string, raw.utf8.count < 200, let sent = req.headers.first(name: "X-CSRF-Token"),
            let s = try await find(secret: raw, on: req.db),
            !s.pendingSecondFactor, !s.isExpired(at: Date()), let expected = s.data["csrf"], constantTimeEqual(sent.utf8, expected.utf8)
        else { return nil }
        return Actor(user: s.user)
    }

    /// Signs this browser out.
    static func end(_ req: Request) async throws {
        let state = req.webState
        if let s = state.session { try await s.delete(on: req.db) }
        state.session = nil
        state.clearCookie = true
        req.actor = nil
    }

    /// Ends every session of a person, or every one but `keeping`.
    static func endAll(of userID: UUID, keeping: UUID? = nil, on db: any Database) async throws {
        var query = WebSession.query(on: db).filter(\.$user.$id == userID)
        if let keeping { query = query.filter(\.$id != keeping) }
        try await query.delete()
    }

    static func list(of userID: UUID, on db: any Database) async throws -> [WebSession] {
        try await WebSession.query(on: db).filter(\.$user.$id == userID).filter(\.$pendingSecondFactor == false)
            .sort(\.$lastSeenAt, .descending).all()
    }

    /// Deletes sessions past their idle or absolute lifetime; run by the sweep.
    @discardableResult
    static func purgeExpired(now: Date = Date(), on db: any Database) async throws -> Int {
        let idle = now.addingTimeInterval(-WebSession.idleLifetime)
        let absolute = now.addingTimeInterval(-WebSession.absoluteLifetime)
        let pending = now.addingTimeInterval(-WebSession.pendingLifetime)
        func expired(_ query: QueryBuilder<WebSession>) -> QueryBuilder<WebSession> {
            query.group(.or) { or in
                or.filter(\.$lastSeenAt < idle).filter(\.$createdAt < absolute)
                or.group(.and) { and in and.filter(\.$pendingSecondFactor == true).filter(\.$createdAt < pending) }
            }
        }
        let count = try await expired(WebSession.query(on: db)).count()
        if count > 0 { try await expired(WebSession.query(on: db)).delete() }
        return count
    }
}

extension WebSessions {
    /// The person of this browser's session, read only (no cookie written, nothing refused): for pages answered
    /// outside the routes that load the session, such as "not found".
    static func recognize(_ req: Request) async throws {
        guard let raw = req.cookies[cookie]?.string, raw.utf8.count < 200,
            let s = try await find(secret: raw, on: req.db),
            !s.isExpired(at: Date()), !s.pendingSecondFactor
        else { return }
        req.webState.session = s
        req.actor = Actor(user: s.user)
    }
}
