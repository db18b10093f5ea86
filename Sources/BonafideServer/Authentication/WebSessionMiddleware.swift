import BonafideCore
import Crypto
import Fluent
import Foundation
import Vapor

/// Loads the browser's session and person; refuses forms whose token does not match; writes cookies back.
struct WebSessionMiddleware: AsyncMiddleware {
    let secureCookies: Bool

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let state = req.webState
        let now = Date()
        // Each `req.cookies` parses the whole header again (a thirtieth of a page's CPU when asked four times).
        let cookies = req.cookies
        if let raw = cookies[WebSessions.cookie]?.string, raw.utf8.count < 200 {
            if let s = try await WebSessions.find(secret: raw, on: req.db) {
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
        if let token = cookies[WebSessions.csrfCookie]?.string, token.utf8.count == 43 { state.visitorCSRF = token }
        if let raw = cookies[WebSessions.flashCookie]?.string { state.incomingFlash = Self.decodeFlash(raw) }
        if let raw = cookies[WebSessions.challengeCookie]?.string, raw.utf8.count < 100 { state.incomingChallenge = raw }
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
