import Foundation
import Vapor

/// A failure the user can understand and act on, rendered as RFC 9457 problem details by the API
/// and as a message by the web UI.
struct Problem: Error, Sendable {
    var status: HTTPResponseStatus
    var detail: String
    var field: String?
    /// Sign-in needs a second factor: the client should ask for a code.
    var mfaRequired: Bool?

    init(_ status: HTTPResponseStatus, _ detail: String, field: String? = nil, mfaRequired: Bool? = nil) {
        self.status = status
        self.detail = detail
        self.field = field
        self.mfaRequired = mfaRequired
    }

    static func notFound(_ what: String) -> Problem { Problem(.notFound, "No \(what) with that id exists here.") }
    static func invalid(_ field: String, _ detail: String) -> Problem { Problem(.unprocessableEntity, detail, field: field) }
    static let unauthorized = Problem(.unauthorized, "Sign in first: send a valid bearer token in the Authorization header.")

    var title: String { status.reasonPhrase }
    var type: String { "https://bonafide.dev/problems/\(status.code)" }
}

struct ProblemBody: Content {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var field: String?
    var mfaRequired: Bool?
}
