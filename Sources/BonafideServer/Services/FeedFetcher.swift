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

    static func makeClient(dnsOverride: [String: String] = [:]) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.dnsOverride = dnsOverride
        // Redirects are followed here, one hop at a time, so each target's address is checked too.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
        // A refused connection fails the poll at once instead of being retried until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .enabled(limit: .size(maxBytes))
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// The whole fetch, redirects and body included: a feed that drips a byte a second must not hold a poll slot.
    static let deadline: Duration = .seconds(30)

    func fetch(_ url: String, etag: String?, lastModified: String?, deadline: Duration = Self.deadline) async throws -> Outcome {
        try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask { try await fetchWithoutDeadline(url, etag: etag, lastModified: lastModified) }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let outcome = first else {
                throw Failure(description: "The feed took longer than \(deadline.components.seconds) seconds to arrive in full.")
            }
            return outcome
        }
    }

    private enum Hop {
        case arrived(Outcome)
        case redirected(to: String)
    }

    private func fetchWithoutDeadline(_ url: String, etag: String?, lastModified: String?) async throws -> Outcome {
        var target = url
        for _ in 0...Self.maxRedirects {
            let hop: Hop
            if let pinned = try await checkAddress(of: target) {
                // Connect to the address that was checked: a second lookup could answer differently (DNS rebinding).
                let client = Self.makeClient(dnsOverride: pinned)
                do {
                    hop = try await self.hop(target, etag: etag, lastModified: lastModified, with: client)
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try? await client.shutdown()
            } else {
                hop = try await self.hop(target, etag: etag, lastModified: lastModified, with: client)
            }
            switch hop {
            case .arrived(let outcome): return outcome
            case .redirected(let next): target = next
            }
        }
        throw Failure(description: "The feed redirects more than \(Self.maxRedirects) times.")
    }

    private func hop(_ target: String, etag: String?, lastModified: String?, with client: HTTPClient) async throws -> Hop {
        var request = HTTPClientRequest(url: target)
        request.headers.add(name: "User-Agent", value: "Bonafide feed reader (+https://bonafide.dev)")
        request.headers.add(name: "Accept", value: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8")
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(30))
        } catch  where Task.isCancelled && BackgroundJobs.isCancellation(error) {
            // A poll cut off by shutdown says nothing about the feed: it must not be recorded on it as a failed poll.
            throw error
        } catch {
            throw Failure(description: "Could not reach \(Self.host(of: target)): \(Self.explain(error)).")
        }
        switch response.status.code {
        case 304:
            return .arrived(.notModified)
        case 301, 302, 303, 307, 308:
            guard let location = response.headers.first(name: "Location"),
                let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL.absoluteString
            else { throw Failure(description: "The feed redirects without saying where.") }
            return .redirected(to: next)
        case 200..<300:
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: Self.maxBytes)
            } catch  where Task.isCancelled && BackgroundJobs.isCancellation(error) {
                throw error
            } catch {
                throw Failure(description: "The feed is larger than \(Self.maxBytes / 1_048_576) MB.")
            }
            return .arrived(
                .fetched(
                    Data(buffer: body), etag: response.headers.first(name: "ETag"),
                    lastModified: response.headers.first(name: "Last-Modified")))
        default:
            throw Failure(description: "The feed answered \(response.status.code) \(response.status.reasonPhrase).")
        }
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

    /// Refuses URLs that resolve to loopback, private, link-local, shared or multicast addresses. Answers the
    /// host and the checked address to connect to (nil when private addresses are allowed or the host is numeric).
    func checkAddress(of url: String, purpose: String = "feeds") async throws -> [String: String]? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else { throw Failure(description: "\"\(url.prefix(100))\" is not an http(s) URL.") }
        guard !allowPrivateAddresses else { return nil }
        let addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(host) }
        guard let first = addresses.first else { throw Failure(description: "\(host) does not resolve to an address.") }
        if addresses.contains(where: Self.isInternal) {
            throw Failure(description: "\(host) resolves to an internal address; \(purpose) must be on the public internet.")
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return numericAddress(bare) == nil ? [host: first] : nil
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

    /// Whether a numeric address belongs to this machine or its private networks, however it is written.
    /// Decided on the address's bytes: IPv4 inside IPv6 (mapped `::ffff:a.b.c.d`, translated `::ffff:0:a.b.c.d`,
    /// compatible `::a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`) reaches the IPv4
    /// address it embeds, so it is judged as that address, in hex spelling as well as dotted.
    static func isInternal(_ address: String) -> Bool {
        let text = address.split(separator: "%").first.map(String.init) ?? address
        guard let bytes = numericAddress(text) else { return true }
        return isInternal(bytes: bytes)
    }

    static func isInternal(bytes b: [UInt8]) -> Bool {
        if b.count == 4 {
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168): return true
            case (172, 16...31), (100, 64...127), (198, 18...19): return true
            case (192, 0) where b[2] == 0 || b[2] == 2: return true
            case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return true
            case (224...255, _): return true
            default: return false
            }
        }
        guard b.count == 16 else { return true }
        let zeros = { (range: Range<Int>) in b[range].allSatisfy { $0 == 0 } }
        let v4 = Array(b[12..<16])
        if zeros(0..<10), b[10] == 0xff, b[11] == 0xff { return isInternal(bytes: v4) }  // ::ffff:a.b.c.d
        if zeros(0..<8), b[8] == 0xff, b[9] == 0xff, zeros(10..<12) { return isInternal(bytes: v4) }  // ::ffff:0:a.b.c.d
        if zeros(0..<12) { return true }  // ::, ::1 and the deprecated compatible ::a.b.c.d
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b { return true }  // NAT64, well-known and local-use
        if b[0] == 0x20, b[1] == 0x02 { return isInternal(bytes: Array(b[2..<6])) }  // 6to4
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x00, b[3] == 0x00 { return true }  // Teredo
        if b[0] & 0xfe == 0xfc { return true }  // unique local
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return true }  // link-local
        if b[0] == 0xff { return true }  // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return true }  // documentation
        return false
    }
}
