import Foundation
import Testing
import Vapor
import VaporTesting

@testable import BonafideServer

@Suite("Site routes and links")
struct SiteURLTests {
    @Test func linksFillParametersInOrderLowercaseAndEncoded() {
        let p = UUID(uuidString: "C0B714D0-2E9D-45EC-A19C-B8BA1B94A83B")!
        let c = UUID(uuidString: "0F5D3E1A-0000-4000-8000-000000000001")!
        #expect(SiteURL.home() == "/")
        #expect(
            SiteURL.commitment(p, c)
                == "/partnerships/c0b714d0-2e9d-45ec-a19c-b8ba1b94a83b/commitments/0f5d3e1a-0000-4000-8000-000000000001")
        #expect(SiteURL.webhookResend(p, c).hasSuffix("/deliveries/0f5d3e1a-0000-4000-8000-000000000001/resend"))
        // A "/" or "?" typed into a section name stays inside its segment.
        #expect(SiteURL.profileSection("a/b?c") == "/organization/sections/a%2Fb%3Fc")
        // A model that was never saved has no id: its link matches no route instead of a neighbouring one.
        #expect(SiteURL.partnership(nil) == "/partnerships/")
        #expect(SiteURL.secondFactor(next: "/partnerships/x?y=1") == "/login/second-factor?next=%2Fpartnerships%2Fx%3Fy%3D1")
    }

    /// The same value registers the route and builds the link, so a link always reaches its handler with the
    /// parameters the handler reads.
    @Test func aRegisteredRouteAnswersItsOwnLinksWithTheirParameters() async throws {
        let app = try await Application.make(.testing)
        do {
            app.get(SiteURL.checkInAgenda) { req in
                "\(req.parameters.get("pid") ?? "-") \(req.parameters.get("ciid") ?? "-")"
            }
            app.post(SiteURL.profileSection) { req in req.parameters.get("section") ?? "-" }
            let p = UUID()
            let ci = UUID()
            try await app.testing().test(.GET, SiteURL.checkInAgenda(p, ci)) { res in
                #expect(res.status == .ok)
                #expect(res.body.string == "\(p.uuidString.lowercased()) \(ci.uuidString.lowercased())")
            }
            try await app.testing().test(.POST, SiteURL.profileSection("Case studies/2026")) { res in
                #expect(res.body.string == "Case studies/2026")
            }
            try await app.testing().test(.GET, SiteURL.checkInAgenda(p, nil)) { res in #expect(res.status == .notFound) }
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
