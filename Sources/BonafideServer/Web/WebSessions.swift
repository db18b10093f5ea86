import BonafideCore
import Crypto
import Fluent
import Foundation
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
        s.ip = req.remoteAddress?.ipAddress ?? ""
        s.data = ["csrf": Secrets.make(prefix: "")]
        try await s.save(on: req.db)
        s.$user.value = user
        state.session = s
        state.newSecret = secret
        state.dirty = false
        req.actor = pendingSecondFactor ? nil : Actor(user: user)
    }

    /// The person behind a page's script calling the JSON API: their session cookie, and the session's form token
    /// in `X-CSRF-Token`, which another site's page cannot read or send (a custom header needs CORS, never granted).
    static func apiActor(_ req: Request) async throws -> Actor? {
        guard let raw = req.cookies[cookie]?.string, raw.utf8.count < 200, let sent = req.headers.first(name: "X-CSRF-Token"),
            let s = try await WebSession.query(on: req.db).filter(\.$tokenHash == Secrets.digest(raw)).with(\.$user).first(),
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

/// What the session middleware knows about this request's browser; a reference so handlers can change it.
final class WebState: @unchecked Sendable {
    // @unchecked: one request's task owns it.
    var session: WebSession?
    /// A session started during this request: its cookie is set on the response.
    var newSecret: String?
    var clearCookie = false
    /// The session's data changed and is saved after the handler.
    var dirty = false
    var visitorCSRF: String?
    var setVisitorCSRF = false
    var incomingFlash: (message: String, error: Bool)?
    var outgoingFlash: (message: String, error: Bool)?
    var flashTaken = false
    var incomingChallenge: String?
    var outgoingChallenge: String?
    var challengeTaken = false
}

extension Request {
    private struct WebStateKey: StorageKey { typealias Value = WebState }

    var webState: WebState {
        if let state = storage[WebStateKey.self] { return state }
        let state = WebState()
        storage[WebStateKey.self] = state
        return state
    }

    /// A value kept in the signed-in session until removed (nil for visitors).
    func sessionValue(_ key: String) -> String? { webState.session?.data[key] }

    func setSessionValue(_ key: String, _ value: String?) {
        guard let s = webState.session else { return }
        s.data[key] = value
        webState.dirty = true
    }

    /// The token every form carries, so other sites cannot post on a user's behalf: the session's for people
    /// signed in, a cookie's for visitors.
    var csrfToken: String {
        let state = webState
        if let s = state.session, let token = s.data["csrf"] { return token }
        if let token = state.visitorCSRF { return token }
        let token = Secrets.make(prefix: "")
        state.visitorCSRF = token
        state.setVisitorCSRF = true
        return token
    }

    /// A fresh challenge for a passkey ceremony (`purpose` "create" or "get"), kept in this browser's cookie.
    func issueWebAuthnChallenge(_ purpose: String) -> [UInt8] {
        let challenge = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        webState.outgoingChallenge = purpose + "." + Base64URL.encode(challenge)
        return challenge
    }

    /// The challenge issued for `purpose`, used up: a signed answer counts once.
    func takeWebAuthnChallenge(_ purpose: String) -> [UInt8]? {
        let state = webState
        state.challengeTaken = true
        guard let raw = state.incomingChallenge, raw.hasPrefix(purpose + ".") else { return nil }
        state.incomingChallenge = nil
        return Base64URL.decode(String(raw.dropFirst(purpose.count + 1)))
    }

    func flash(_ message: String, error: Bool = false) {
        webState.outgoingFlash = (message, error)
    }

    func takeFlash() -> (message: String, error: Bool)? {
        let state = webState
        if let out = state.outgoingFlash {
            state.outgoingFlash = nil
            return out
        }
        state.flashTaken = true
        defer { state.incomingFlash = nil }
        return state.incomingFlash
    }
}

extension WebSessions {
    /// The person of this browser's session, read only (no cookie written, nothing refused): for pages answered
    /// outside the routes that load the session, such as "not found".
    static func recognize(_ req: Request) async throws {
        guard let raw = req.cookies[cookie]?.string, raw.utf8.count < 200,
            let s = try await WebSession.query(on: req.db).filter(\.$tokenHash == Secrets.digest(raw)).with(\.$user).first(),
            !s.isExpired(at: Date()), !s.pendingSecondFactor
        else { return }
        req.webState.session = s
        req.actor = Actor(user: s.user)
    }
}

/// Loads the browser's session and person; refuses forms whose token does not match; writes cookies back.
struct WebSessionMiddleware: AsyncMiddleware {
    let secureCookies: Bool

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let state = req.webState
        let now = Date()
        if let raw = req.cookies[WebSessions.cookie]?.string, raw.utf8.count < 200 {
            if let s = try await WebSession.query(on: req.db).filter(\.$tokenHash == Secrets.digest(raw)).with(\.$user).first() {
                if s.isExpired(at: now) {
                    try await s.delete(on: req.db)
                    state.clearCookie = true
                } else {
                    state.session = s
                    if !s.pendingSecondFactor { req.actor = Actor(user: s.user) }
                    // Seen at most once a minute, so reading pages does not become a write each time.
                    if now.timeIntervalSince(s.lastSeenAt) > 60 {
                        s.lastSeenAt = now
                        state.dirty = true
                    }
                }
            } else {
                state.clearCookie = true
            }
        }
        if let token = req.cookies[WebSessions.csrfCookie]?.string, token.utf8.count == 43 { state.visitorCSRF = token }
        if let raw = req.cookies[WebSessions.flashCookie]?.string { state.incomingFlash = Self.decodeFlash(raw) }
        if let raw = req.cookies[WebSessions.challengeCookie]?.string, raw.utf8.count < 100 { state.incomingChallenge = raw }
        if req.method == .POST {
            let sent = try? req.content.get(String.self, at: "_csrf")
            let expected = state.session?.data["csrf"] ?? state.visitorCSRF
            guard let sent, let expected, constantTimeEqual(sent.utf8, expected.utf8) else {
                throw Problem(.forbidden, "This form has expired or did not come from Bonafide. Go back, reload the page and try again.")
            }
        }
        let response = try await next.respond(to: req)
        try await finish(req, response)
        return response
    }

    private func finish(_ req: Request, _ response: Response) async throws {
        let state = req.webState
        if state.dirty, let s = state.session { try await s.save(on: req.db) }
        if let secret = state.newSecret {
            response.cookies[WebSessions.cookie] = cookie(secret, maxAge: Int(WebSession.absoluteLifetime))
        } else if state.clearCookie {
            response.cookies[WebSessions.cookie] = cookie("", maxAge: 0)
        }
        if state.setVisitorCSRF, let token = state.visitorCSRF {
            response.cookies[WebSessions.csrfCookie] = cookie(token, maxAge: 86_400)
        }
        if let challenge = state.outgoingChallenge {
            response.cookies[WebSessions.challengeCookie] = cookie(challenge, maxAge: 300)
        } else if state.challengeTaken, req.cookies[WebSessions.challengeCookie] != nil {
            response.cookies[WebSessions.challengeCookie] = cookie("", maxAge: 0)
        }
        if let flash = state.outgoingFlash {
            response.cookies[WebSessions.flashCookie] = cookie(Self.encodeFlash(flash), maxAge: 300)
        } else if state.flashTaken, req.cookies[WebSessions.flashCookie] != nil {
            response.cookies[WebSessions.flashCookie] = cookie("", maxAge: 0)
        }
    }

    private func cookie(_ value: String, maxAge: Int) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: maxAge == 0 ? Date(timeIntervalSince1970: 0) : nil, maxAge: maxAge, path: "/",
            isSecure: secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    /// "e." or "i." and the message in base64url: cookie values may not hold spaces, commas or quotes.
    static func encodeFlash(_ flash: (message: String, error: Bool)) -> String {
        (flash.error ? "e." : "i.") + Base64URL.encode(flash.message.utf8.prefix(1_500))
    }

    static func decodeFlash(_ raw: String) -> (message: String, error: Bool)? {
        guard raw.count > 2, raw.count < 4_000, let bytes = Base64URL.decode(String(raw.dropFirst(2))) else { return nil }
        return (String(decoding: bytes, as: UTF8.self), raw.hasPrefix("e."))
    }
}
