import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fetches feeds for the mention poller: conditional GETs, a size cap, a deadline, and no requests to the
/// server's own network unless configured (a feed URL is typed by a user; without this check it could reach
/// internal services or cloud metadata endpoints).
struct FeedFetcher: Sendable {
    static let maxBytes = 5 * 1_048_576
    static let maxRedirects = 5

    enum Outcome: Sendable {
        case notModified
        case fetched(Data, etag: String?, lastModified: String?)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let client: HTTPClient
    let allowPrivateAddresses: Bool

    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        // Redirects are followed here, one hop at a time, so each target's address is checked too.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
        // A refused connection fails the poll at once instead of being retried until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .enabled(limit: .size(maxBytes))
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    func fetch(_ url: String, etag: String?, lastModified: String?) async throws -> Outcome {
        var target = url
        for _ in 0...Self.maxRedirects {
            try await checkAddress(of: target)
            var request = HTTPClientRequest(url: target)
            request.headers.add(name: "User-Agent", value: "Bonafide feed reader (+https://bonafide.dev)")
            request.headers.add(name: "Accept", value: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8")
            if let etag { request.headers.add(name: "If-None-Match", value: etag) }
            if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(30))
            } catch {
                throw Failure(description: "Could not reach \(Self.host(of: target)): \(Self.explain(error)).")
            }
            switch response.status.code {
            case 304:
                return .notModified
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "Location"),
                    let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL.absoluteString
                else { throw Failure(description: "The feed redirects without saying where.") }
                target = next
                continue
            case 200..<300:
                let body: ByteBuffer
                do {
                    body = try await response.body.collect(upTo: Self.maxBytes)
                } catch {
                    throw Failure(description: "The feed is larger than \(Self.maxBytes / 1_048_576) MB.")
                }
                return .fetched(
                    Data(buffer: body), etag: response.headers.first(name: "ETag"),
                    lastModified: response.headers.first(name: "Last-Modified"))
            default:
                throw Failure(description: "The feed answered \(response.status.code) \(response.status.reasonPhrase).")
            }
        }
        throw Failure(description: "The feed redirects more than \(Self.maxRedirects) times.")
    }

    static func host(of url: String) -> String { URL(string: url)?.host ?? url }

    static func explain(_ error: any Error) -> String {
        if let e = error as? HTTPClientError, e == .connectTimeout || e == .readTimeout || e == .deadlineExceeded {
            return "it took too long"
        }
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return "the connection was refused" }
        if text.contains("timed out") || text.contains("timeout") { return "it took too long" }
        if text.contains("resolve") || text.contains("dns") || text.contains("nodename") { return "the name does not resolve" }
        if text.contains("ssl") || text.contains("tls") || text.contains("certificate") { return "the secure connection failed" }
        return "the connection failed"
    }

    /// Refuses URLs that resolve to loopback, private, link-local, shared or multicast addresses.
    func checkAddress(of url: String) async throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else { throw Failure(description: "\"\(url.prefix(100))\" is not an http(s) URL.") }
        guard !allowPrivateAddresses else { return }
        let addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(host) }
        guard !addresses.isEmpty else { throw Failure(description: "\(host) does not resolve to an address.") }
        if addresses.contains(where: Self.isInternal) {
            throw Failure(description: "\(host) resolves to an internal address; feeds must be on the public internet.")
        }
    }

    static func resolve(_ host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let trimmed = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard getaddrinfo(trimmed, nil, &hints, &result) == 0, let first = result else {
            throw Failure(description: "\(host) does not resolve to an address.")
        }
        defer { freeaddrinfo(result) }
        var out: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(n.pointee.ai_addr, n.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.append(String(cString: buffer))
            }
            node = n.pointee.ai_next
        }
        return out
    }

    /// Whether a numeric address belongs to this machine or its private networks.
    static func isInternal(_ address: String) -> Bool {
        let a = address.lowercased().split(separator: "%").first.map(String.init) ?? address
        if a.contains(":") {
            if a == "::1" || a == "::" { return true }
            // IPv4 inside IPv6: mapped, compatible and NAT64 forms reach the IPv4 address.
            for prefix in ["::ffff:", "64:ff9b::", "::"] where a.hasPrefix(prefix) && a.dropFirst(prefix.count).contains(".") {
                return isInternal(String(a.dropFirst(prefix.count)))
            }
            if a.hasPrefix("64:ff9b:") { return true }  // NAT64 written in hex: treat as internal rather than decode
            if a.hasPrefix("fc") || a.hasPrefix("fd") { return true }  // unique local
            if a.hasPrefix("fe8") || a.hasPrefix("fe9") || a.hasPrefix("fea") || a.hasPrefix("feb") { return true }  // link-local
            if a.hasPrefix("ff") { return true }  // multicast
            return false
        }
        let parts = a.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return true }
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168), (192, 0): return true
        case (172, 16...31), (100, 64...127), (198, 18...19): return true
        case (224...255, _): return true
        default: return false
        }
    }
}
