import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Finding organizations through the trusted network")
struct OrganizationSearchTests {
    func services(_ app: Application, _ account: Account, _ text: String, _ visibility: String = "signedIn") async throws {
        let r = try await app.api(
            .PUT, "/profile/sections/services", token: account.token, json: #"{"content":"\#(text)","visibility":"\#(visibility)"}"#)
        #expect(r.status == .ok, "\(r.raw)")
    }

    func vouch(_ app: Application, _ by: Account, for other: Account, circle: String = "trusted-referral", rating: Int = 9) async throws {
        #expect(
            try await app.api(.PUT, "/circles/\(other.organizationID)", token: by.token, json: #"{"circle":"\#(circle)"}"#).status == .ok)
        let rated = try await app.api(.POST, "/trust/\(other.organizationID)/ratings", token: by.token, json: #"{"rating":\#(rating)}"#)
        #expect(rated.status == .created || rated.status == .ok, "\(rated.raw)")
    }

    func search(_ app: Application, _ token: String, _ query: String) async throws -> [[String: Any]] {
        let r = try await app.api(.GET, "/search/organizations?\(query)", token: token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list
    }

    @Test func aCandidateMyCollaboratorTrustsRanksAboveOneOnlyAStrangerTrusts() async throws {
        try await withTestApp { app in
            // Northwind keeps Acme as a collaborator. Acme vouches for Lumen; Kite, a stranger to Northwind, for Orbit.
            let (north, acme, _) = try await app.activePartnership()
            let kite = try await app.register("Cleo", org: "Kite")
            let lumen = try await app.register("Lia", org: "Lumen")
            let orbit = try await app.register("Oskar", org: "Orbit", timeZone: "Pacific/Auckland")
            let pine = try await app.register("Pia", org: "Pine")
            let hidden = try await app.register("Hugo", org: "Hidden Studio")
            try await vouch(app, north, for: acme, circle: "collaborator")
            try await vouch(app, acme, for: lumen)
            try await vouch(app, kite, for: orbit)
            try await services(app, lumen, "UX design and usability research")
            try await services(app, orbit, "Diseño UX; designers for storefronts")
            try await services(app, pine, "Backend development")
            try await services(app, hidden, "UX design", "collaborator")
            #expect(
                try await app.api(.PUT, "/profile/sections/languages", token: lumen.token, json: #"{"content":"English\nGerman"}"#).status
                    == .ok)
            while try await TrustService.drain(on: app.db) > 0 {}

            let found = try await search(app, north.token, "skill=ux%20designers")
            #expect(found.map { $0["name"] as? String } == ["Lumen", "Orbit"], "\(found)")
            let lumenHit = found[0], orbitHit = found[1]
            #expect((lumenHit["score"] as? Double ?? 0) > 50 && lumenHit["stranger"] as? Bool == false && lumenHit["depth"] as? Int == 2)
            let lumenWhy = lumenHit["why"] as? [String] ?? []
            #expect(lumenWhy.first?.hasPrefix("Vouched for by Acme (") == true, "\(lumenWhy)")
            #expect(lumenWhy.contains("No completed commitments on record yet") && lumenWhy.contains("Works in English, German"))
            #expect((lumenHit["unknown"] as? [String])?.contains("No verified credentials") == true)
            #expect(orbitHit["stranger"] as? Bool == true && orbitHit["score"] as? Double == 50 && orbitHit["uncertainty"] as? Double == 1)
            #expect((orbitHit["why"] as? [String])?.first?.hasPrefix("A stranger") == true)

            // Accents, case and endings do not matter; hidden sections never match; filters narrow.
            #expect(try await search(app, north.token, "skill=DISENO").map { $0["name"] as? String } == ["Orbit"])
            #expect(try await search(app, north.token, "skill=usability%20researchers").map { $0["name"] as? String } == ["Lumen"])
            #expect(try await search(app, north.token, "skill=backend").map { $0["name"] as? String } == ["Pine"])
            #expect(try await search(app, north.token, "skill=ux&minTrust=51").map { $0["name"] as? String } == ["Lumen"])
            #expect(try await search(app, north.token, "skill=ux&language=german").map { $0["name"] as? String } == ["Lumen"])
            #expect(try await search(app, north.token, "skill=ux&overlapHours=2").map { $0["name"] as? String } == ["Lumen"])
            #expect(try await search(app, north.token, "skill=ux&verifiedOnly=true").isEmpty)
            // Placed in Hidden Studio's collaborator circle, Northwind finds it too.
            #expect(
                try await app.api(.PUT, "/circles/\(north.organizationID)", token: hidden.token, json: #"{"circle":"collaborator"}"#).status
                    == .ok)
            #expect(try await search(app, north.token, "skill=ux").contains { $0["name"] as? String == "Hidden Studio" })

            // The same on the Find page, with a clear message for a bad filter.
            let browser = try await Browser.signedIn(app, as: north)
            let page = try await browser.get("/find?skill=ux+designers")
            let lumenAt = page.html.range(of: ">Lumen</a>"), orbitAt = page.html.range(of: ">Orbit</a>")
            #expect(lumenAt != nil && orbitAt != nil && lumenAt!.lowerBound < orbitAt!.lowerBound)
            #expect(page.html.contains("Vouched for by Acme") && page.html.contains("stranger"))
            #expect(try await browser.get("/find?skill=ux&overlapHours=lots").html.contains("Overlap is a number of hours"))

            let bad = try await app.api(.GET, "/search/organizations?minTrust=300", token: north.token)
            #expect(bad.status == .badRequest || bad.status == .unprocessableEntity)
            #expect(try await app.api(.GET, "/search/organizations?skill=ux", token: nil).status == .unauthorized)
        }
    }

    @Test func skillsMatchIgnoringCaseAccentsAndEndings() {
        #expect(TextMatch.matches("designers", in: "We design storefronts"))
        #expect(TextMatch.matches("Forecast modelling", in: "Forecasting and data models"))
        #expect(TextMatch.matches("ökobau", in: "OKOBAU consulting"))
        #expect(TextMatch.matches("services", in: "Our service"))
        #expect(!TextMatch.matches("backend design", in: "Design systems"))
        #expect(TextMatch.stems("Modelling, shopping & UX!") == ["model", "shop", "ux"])
    }

    @Test func trustTravelsThroughVouchersAndFusesIndependentOnes() {
        let good = Opinion(positive: 9, negative: 0), bad = Opinion(positive: 0, negative: 9)
        let graph: [String: [String: Opinion]] = [
            "me": ["ann": good, "dan": bad], "ann": ["bob": good, "cat": good], "dan": ["bob": bad, "eve": good],
            "cat": ["bob": good, "fay": good], "fay": ["gus": good],
        ]
        let reach = TrustPropagation.personalized(from: "me", opinions: graph, maxDepth: 3)
        // Bob: vouched for by Ann; Dan's word is worth nothing to me (I distrust Dan).
        #expect(reach["bob"]?.depth == 2 && reach["bob"]?.vouchers.first?.node == "ann")
        #expect((reach["bob"]?.opinion.expectation ?? 0) > 0.7)
        #expect(reach["eve"] == nil)  // nor does anyone Dan vouches for reach me
        #expect(reach["fay"]?.depth == 3)
        #expect(reach["gus"] == nil)
        // Two independent vouchers count more than one.
        let one = TrustPropagation.personalized(from: "me", opinions: ["me": ["ann": good], "ann": ["x": good]])["x"]!.opinion
        let two = TrustPropagation.personalized(
            from: "me", opinions: ["me": ["ann": good, "cat": good], "ann": ["x": good], "cat": ["x": good]])["x"]!.opinion
        #expect(two.uncertainty < one.uncertainty && two.expectation > one.expectation)
    }
}
