import Vapor

/// Where a redirect may send a browser: a path on this site, written in characters that cannot end the header
/// or be read by a browser as another host.
///
/// `next=/\evil.example` and `next=/%09/evil.example` look like paths but browsers resolve them to another
/// host (they treat `\` as `/` and drop tabs), and a line break in `Location` ends the header and lets the
/// rest of the value write the response. So only a short list of characters passes, never a second slash or
/// backslash at the start, and anything else goes to the fallback.
enum SafeRedirect {
    static let fallback = SiteURL.dashboard()
    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?=&%:@!$'()*+,;#".utf8)

    /// The target when it is a same-origin path of safe characters, else nil.
    static func path(_ candidate: String?) -> String? {
        guard let candidate, candidate.utf8.count <= 2_000 else { return nil }
        let bytes = Array(candidate.utf8)
        guard bytes.first == UInt8(ascii: "/"), bytes.dropFirst().first != UInt8(ascii: "/"),
            bytes.allSatisfy(allowed.contains)
        else { return nil }
        // An encoded slash or backslash right after the first slash is decoded by some servers and proxies.
        let lowered = candidate.lowercased()
        guard !lowered.hasPrefix("/%2f"), !lowered.hasPrefix("/%5c") else { return nil }
        return candidate
    }

    static func target(_ candidate: String?, fallback: String = fallback) -> String { path(candidate) ?? fallback }
}

extension Request {
    /// A 303 to a same-origin path; an unsafe target goes to the dashboard instead.
    func safeRedirect(to candidate: String) -> Response {
        redirect(to: SafeRedirect.target(candidate))
    }
}

/// The last line of defence: whatever a handler put in `Location`, only a safe same-origin path leaves the server.
struct SafeLocationMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if let location = response.headers.first(name: .location), SafeRedirect.path(location) == nil {
            response.headers.replaceOrAdd(name: .location, value: SafeRedirect.fallback)
        }
        return response
    }
}
