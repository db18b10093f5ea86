import BonafideCore
import Fluent
import Foundation
import OpenAPIRuntime
import SQLKit
import Vapor

/// Turns every error into RFC 9457 problem details for the API and a readable page for people.
/// Unexpected errors are logged with an id and answered without internals.
struct ProblemMiddleware: AsyncMiddleware {
    /// The page a person sees for a problem; given by the web layer, so this support code does not depend on it.
    let page: @Sendable (Problem, Request) async throws -> Response

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let problem = Self.problem(for: error, in: request, logger: request.logger)
            if request.url.path.hasPrefix("/api/") || Self.wantsJSON(request.headers.accept) { return try Self.json(problem) }
            return try await page(problem, request)
        }
    }

    /// RFC 9457 problem details.
    static func json(_ problem: Problem) throws -> Response {
        let body = ProblemBody(
            type: problem.type, title: problem.title, status: Int(problem.status.code),
            detail: problem.detail, field: problem.field, mfaRequired: problem.mfaRequired)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/problem+json")
        let res = Response(status: problem.status, headers: headers, body: .init(data: try encoder.encode(body)))
        if problem.status == .unauthorized { res.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
        return res
    }

    /// Whether a client outside the API asked for JSON by name. Vapor's media type equality lets `*/*` match
    /// anything, and every browser's Accept ends in `*/*`, so types are compared by their names here.
    static func wantsJSON(_ accept: [HTTPMediaTypePreference]) -> Bool {
        let named = accept.map { ($0.mediaType.type.lowercased(), $0.mediaType.subType.lowercased()) }
        let json = named.contains { $0.0 == "application" && ($0.1 == "json" || $0.1.hasSuffix("+json")) }
        return json && !named.contains { $0 == ("text", "html") }
    }

    /// Query parameters are decoded without a coding path; the URL says which one is not a number.
    static func nonIntegerQueryItem(in request: Request) -> String? {
        URLComponents(string: request.url.string)?.queryItems?.first { item in Int(item.value ?? "") == nil }?.name
    }

    /// The date decoder cannot say which field it failed on; the body can.
    static func invalidDateField(in request: Request) -> String? {
        guard let data = request.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: data)) as? [String: Any]
        else { return nil }
        let transcoder = RFC3339Transcoder()
        return object.keys.sorted().first { key in
            key.hasSuffix("At") && (object[key] as? String).map { (try? transcoder.decode($0)) == nil } ?? true
        }
    }

    /// The answer to an error, decided by its type (and, where the error cannot say which field it is about,
    /// by the request), never by searching its message text.
    static func problem(for error: any Error, in request: Request? = nil, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let server as ServerError:
            let cause = server.underlyingError
            if cause is Problem || cause is DecodingError || cause is any AbortError || cause is any DatabaseError {
                return problem(for: cause, in: request, logger: logger)
            }
            switch server.httpStatus.code {
            case 415: return Problem(.unsupportedMediaType, "Send the body as application/json.")
            case 400..<500: return Problem(HTTPResponseStatus(statusCode: server.httpStatus.code), server.causeDescription)
            default: return unexpected(error, logger: logger)
            }
        case let decoding as DecodingError:
            return problem(for: decoding, in: request)
        case let abort as any AbortError:
            return Problem(
                abort.status, abort.status == .payloadTooLarge ? "The request body is larger than this server accepts." : abort.reason)
        case let db as any DatabaseError where db.isConstraintFailure:
            return Problem(.conflict, "This conflicts with something that already exists.")
        default:
            return unexpected(error, logger: logger)
        }
    }

    private static func unexpected(_ error: any Error, logger: Logger) -> Problem {
        let id = UUID().uuidString.prefix(8)
        // A ServerError carries the decoded request (passwords included): log only what failed.
        if let server = error as? ServerError {
            logger.error("unexpected error \(id) in \(server.operationID): \(String(reflecting: server.underlyingError))")
        } else {
            logger.error("unexpected error \(id): \(String(reflecting: error))")
        }
        return Problem(.internalServerError, "Something went wrong on our side (error \(id)); nothing was changed.")
    }

    static func problem(for error: DecodingError, in request: Request? = nil) -> Problem {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            let field = parent.isEmpty ? key.stringValue : "\(parent).\(key.stringValue)"
            return Problem.invalid(field, "The field \(field) is required.")
        case .typeMismatch(let type, let context):
            let field = path(context)
            // Query parameters are decoded without a coding path; the URL says which one is not a number.
            if field.isEmpty, type is any BinaryInteger.Type, let name = request.flatMap(nonIntegerQueryItem) {
                return Problem.invalid(name, "The query parameter \(name) must be a whole number.")
            }
            return Problem.invalid(field, "The field \(field) must be \(describe(type)).")
        case .valueNotFound(let type, let context):
            let field = path(context)
            return Problem.invalid(field, "The field \(field) must be \(describe(type)), not null.")
        case .dataCorrupted(let context):
            let field = path(context)
            if context.underlyingError is InvalidDateTime {
                // The date decoder cannot say which field it failed on; the body can.
                let name = request.flatMap(invalidDateField) ?? "a date-time field"
                return Problem.invalid(name, "The field \(name) must be an RFC 3339 date-time such as 2026-12-01T17:00:00Z.")
            }
            if let request, request.body.data?.readableBytes ?? 0 == 0 {
                return Problem(.badRequest, "This operation needs a JSON request body.")
            }
            if context.underlyingError != nil || context.debugDescription.contains("JSON") {
                return Problem(.badRequest, "The body is not valid JSON.")
            }
            if context.debugDescription.contains("Additional properties") {
                return Problem.invalid(field, "The field \(field) is not part of this request; remove it.")
            }
            if field.isEmpty {
                return Problem(.unprocessableEntity, context.debugDescription)
            }
            return Problem.invalid(field, "The field \(field) has an invalid value: \(context.debugDescription)")
        @unknown default:
            return Problem(.badRequest, "The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.contains("String") { return "a string" }
        if name.contains("Int") { return "an integer" }
        if name.contains("Bool") { return "true or false" }
        if name.contains("Double") { return "a number" }
        if name.contains("Array") { return "an array" }
        if name.contains("Dictionary") || name.contains("Container") { return "an object" }
        return "of another type (\(name))"
    }
}

/// Rejects bodies over the limit with 413 before any handler reads them, streamed or not.
/// Document uploads are the exception: they stream to storage under their own, larger limit.
struct BodyLimitMiddleware: AsyncMiddleware {
    let maxBytes: Int
    let streamedMaxBytes: Int64

    /// `POST /api/v1/partnerships/{id}/documents` and `PUT /api/v1/documents/{id}/content`: the routes whose bodies
    /// are streamed to storage, not collected.
    static func isStreamedUpload(_ request: Request) -> Bool {
        let parts = request.url.path.split(separator: "/")
        guard parts.count == 5, parts[0] == "api", parts[1] == "v1" else { return false }
        return (request.method == .POST && parts[2] == "partnerships" && parts[4] == "documents")
            || (request.method == .PUT && parts[2] == "documents" && parts[4] == "content")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if Self.isStreamedUpload(request) {
            if let length = request.headers.first(name: .contentLength).flatMap(Int64.init), length > streamedMaxBytes {
                throw Problem(
                    .payloadTooLarge,
                    "The document has \(Documents.describe(size: length)); documents can be at most \(Documents.describe(size: streamedMaxBytes)) (BONAFIDE_VAULT_MAX_BYTES)."
                )
            }
            return try await next.respond(to: request)
        }
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > maxBytes {
            throw Problem(.payloadTooLarge, "The request body has \(length) bytes; at most \(maxBytes) are accepted.")
        }
        if let data = request.body.data {
            if data.readableBytes > maxBytes {
                throw Problem(.payloadTooLarge, "The request body is larger than the \(maxBytes) bytes accepted.")
            }
        } else if request.method != .GET, request.method != .HEAD {
            do {
                _ = try await request.body.collect(max: maxBytes).get()
            } catch let abort as any AbortError where abort.status == .payloadTooLarge {
                throw Problem(.payloadTooLarge, "The request body is larger than the \(maxBytes) bytes accepted.")
            }
        }
        return try await next.respond(to: request)
    }
}

/// Headers every response carries, error pages and problem+json included.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    /// HSTS only when the server is reached over https: on plain http it would be ignored or lock people out.
    let strictTransport: Bool
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: request)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        res.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        if strictTransport { res.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains") }
        return res
    }
}

/// Foundation's JSON decoder accepts a comma before `}` or `]`, which JSON (RFC 8259) does not: a client that
/// sends one has a bug it should hear about, not a request that half-means something. One pass over the bytes.
struct StrictJSONMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.headers.contentType?.subType.lowercased().hasSuffix("json") == true, let body = request.body.data,
            Self.hasTrailingComma(body.readableBytesView)
        {
            throw Problem(.badRequest, "The body is not valid JSON: a comma comes right before a closing } or ].")
        }
        return try await next.respond(to: request)
    }

    static func hasTrailingComma<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var inString = false
        var escaped = false
        var lastWasComma = false
        for b in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
                lastWasComma = false
            case UInt8(ascii: ","): lastWasComma = true
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastWasComma { return true }
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): break
            default: lastWasComma = false
            }
        }
        return false
    }
}

extension Request {
    /// Throws 429 when this client made too many attempts of this kind.
    func limitAttempts(_ kind: String, key: String, limit: Int, window: TimeInterval = 900, perClient: Bool = true) async throws {
        let client = perClient ? clientAddress ?? "local" : "any"
        guard try await RateLimits.allow("\(kind)|\(client)|\(key)", limit: limit, window: window, on: db.sql()) else {
            throw Problem(.tooManyRequests, "Too many attempts; wait \(Int(window / 60)) minutes and try again.")
        }
    }

    /// Sign-in attempts count per address (guessing one account's password) and per client across addresses
    /// (trying one common password on many accounts).
    func limitSignIn(email: String) async throws {
        let config = application.bonafide
        try await limitAttempts("login", key: BonafideCore.Validation.normalizedEmail(email), limit: config.loginAttemptsPerWindow)
        try await limitAttempts("login-client", key: "", limit: config.loginAttemptsPerClient)
    }

    /// Survey links need no account, so every use counts per address: guessing links stays slow.
    func limitSurveyLinkAttempts() async throws {
        try await limitAttempts("survey-link", key: "", limit: 120, window: 600)
    }
}
