import Vapor

/// The address a request came from. Behind a load balancer every connection comes from the balancer, so limits
/// per client would lump everyone together; the balancers named in BONAFIDE_TRUSTED_PROXIES are looked through to
/// the address they report in X-Forwarded-For. Only those: anyone else could write any address there.
enum ClientAddress {
    /// Walks X-Forwarded-For from the right (each proxy appends the address it saw) past the trusted proxies.
    static func resolve(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String? {
        guard let peer else { return nil }
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusted.contains(hop) {
            return numericAddress(hop) != nil ? hop : peer
        }
        return peer
    }
}

extension Request {
    /// See `ClientAddress`; nil when there is no peer (in-process tests).
    var clientAddress: String? {
        ClientAddress.resolve(
            peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor], trusted: application.bonafide.trustedProxies)
    }
}
