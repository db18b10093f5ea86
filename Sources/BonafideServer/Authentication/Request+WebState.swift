import BonafideCore
import Crypto
import Fluent
import Foundation
import Vapor

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
