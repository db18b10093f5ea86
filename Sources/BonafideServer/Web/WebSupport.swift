import BonafideCore
import Fluent
import Foundation
import Vapor

extension Request {
    private struct ActorKey: StorageKey { typealias Value = Actor }

    /// The signed-in person, filled by `WebSessionMiddleware` for pages and by bearer auth for the API.
    var actor: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    func requireActor() throws -> Actor {
        guard let actor else { throw Problem.unauthorized }
        return actor
    }

    /// The API caller, from the bearer token (once per request): the generated API and the plain
    /// tile routes authenticate the same way.
    /// The caller when they sent credentials (bad ones are still 401), nil for someone not signed in: for what
    /// anyone may read and signed-in people may read more of.
    func optionalBearerActor() async throws -> Actor? {
        guard headers.bearerAuthorization != nil || headers.first(name: "X-CSRF-Token") != nil else { return nil }
        return try await bearerActor()
    }

    func bearerActor() async throws -> Actor {
        if let actor { return actor }
        guard let bearer = headers.bearerAuthorization else {
            guard let actor = try await WebSessions.apiActor(self) else { throw Problem.unauthorized }
            self.actor = actor
            return actor
        }
        guard let user = try await Accounts.user(forBearer: bearer.token, from: remoteAddress?.ipAddress, on: db)
        else { throw Problem.unauthorized }
        let actor = Actor(user: user)
        self.actor = actor
        return actor
    }
}

/// Sends visitors who are not signed in to the sign-in page, then back.
struct RequireSignInMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.actor != nil else {
            let back = request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return request.redirect(to: "/login?next=\(back)")
        }
        // The organization requires a second factor and this person has none yet: only Settings until they do.
        if request.sessionValue(WebPages.setUpSecondFactorKey) != nil, !request.url.path.hasPrefix("/settings") {
            request.flash("Your organization requires two-factor sign-in: set up an authenticator app below to continue.", error: true)
            return request.redirect(to: SiteURL.Settings.section("two-factor"))
        }
        return try await next.respond(to: request)
    }
}

/// Formats times in the viewer's own time zone.
struct Clock: Sendable {
    let zone: TimeZone

    init(_ identifier: String?) { zone = identifier.flatMap(TimeZone.init(identifier:)) ?? .gmt }

    func format(_ date: Date?, _ pattern: String = "EEE d MMM yyyy, HH:mm zzz") -> String {
        guard let date else { return "" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = pattern
        return f.string(from: date)
    }

    func time(_ date: Date) -> String { format(date, "HH:mm") }

    /// The value of an `<input type="datetime-local">`.
    func inputValue(_ date: Date?) -> String { format(date, "yyyy-MM-dd'T'HH:mm") }

    static func parseLocal(_ text: String, zone identifier: String) -> Date? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            f.dateFormat = pattern
            if let d = f.date(from: text) { return d }
        }
        return nil
    }

    /// "in 3 days", "2 hours ago": how far a date is from now.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = date.timeIntervalSince(now)
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<60: return "now"
        case ..<3600: text = "\(Int(magnitude / 60)) min"
        case ..<86_400: text = "\(Int(magnitude / 3600)) h"
        default: text = "\(Int(magnitude / 86_400)) d"
        }
        return seconds > 0 ? "in \(text)" : "\(text) ago"
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<3600: return "\(max(1, Int(seconds / 60))) min"
        case ..<86_400: return String(format: "%.1f h", seconds / 3600)
        default: return String(format: "%.1f days", seconds / 86_400)
        }
    }
}

enum TimeZones {
    static let all: [String] = TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") }.sorted() + ["UTC"]
}
