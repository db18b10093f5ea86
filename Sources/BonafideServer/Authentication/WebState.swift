import BonafideCore
import Crypto
import Fluent
import Foundation
import Vapor

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
