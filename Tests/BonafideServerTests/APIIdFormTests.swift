import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// Ids leave the server in one form, lower-case, whichever endpoint or page writes them (older endpoints wrote
/// upper-case ones), and are accepted back in either case.
@Suite("API id form")
struct APIIdFormTests {
    /// "id", "ids" and the camel-case names ending in "Id" or "Ids" ("partnershipId", "organizationIds").
    static func namesAnID(_ key: String) -> Bool {
        key == "id" || key == "ids" || key.hasSuffix("Id") || key.hasSuffix("Ids")
    }

    /// The values under id keys anywhere in a JSON document; each entry of a list of ids counts.
    static func ids(in json: Any, under key: String? = nil) -> [(key: String, value: String)] {
        if let object = json as? [String: Any] {
            return object.flatMap { entry in ids(in: entry.value, under: entry.key) }
        }
        if let list = json as? [Any] {
            return list.flatMap { item in ids(in: item, under: key) }
        }
        if let text = json as? String, let key, namesAnID(key) {
            return [(key: key, value: text)]
        }
        return []
    }

    func login(_ app: Application, _ email: String) async throws -> String {
        let r = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(email)","password":"\#(DemoSeed.password)"}"#)
        #expect(r.status == .ok, "\(r.raw)")
        return r.body["token"] as? String ?? ""
    }

    /// Reads the path and expects every id in the answer to be a lower-case UUID; answers the document and how many
    /// ids it held.
    func read(_ app: Application, _ path: String, token: String) async throws -> (json: Any, ids: Int) {
        let r = try await app.api(.GET, path, token: token)
        #expect(r.status == .ok, "\(path): \(r.raw.prefix(300))")
        let json = try JSONSerialization.jsonObject(with: Data(r.raw.utf8))
        let found = Self.ids(in: json)
        for (key, value) in found {
            #expect(UUID(uuidString: value) != nil && value == value.lowercased(), "\(path): \(key) is \(value)")
        }
        return (json, found.count)
    }

    func idsOf(_ json: Any) -> [String] {
        (json as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func everyIdTheDemoAnswersWithIsALowerCaseUUID() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            let alice = try await login(app, "alice@northwind.example")
            let carla = try await login(app, "carla@acme.example")
            let me = try await read(app, "/me", token: alice)
            let northwind = (me.json as? [String: Any])?["organizationId"] as? String ?? ""
            #expect(me.ids == 2 && !northwind.isEmpty, "\(me.json)")

            let partnerships = try await read(app, "/partnerships", token: alice)
            let active = (partnerships.json as? [[String: Any]] ?? []).filter { $0["status"] as? String == "active" }
                .compactMap { $0["id"] as? String }
            #expect(!active.isEmpty, "\(partnerships.json)")
            var commitments = 0
            var messages = 0
            for id in active {
                commitments += try await read(app, "/partnerships/\(id)/commitments", token: alice).ids
                messages += try await read(app, "/partnerships/\(id)/messages", token: alice).ids
                _ = try await read(app, "/partnerships/\(id)", token: alice)
                _ = try await read(app, "/partnerships/\(id)/threads", token: alice)
                _ = try await read(app, "/partnerships/\(id)/timeline", token: alice)
            }

            let updates = try await read(app, "/updates", token: alice)
            let events = try await read(app, "/events", token: alice)
            let own = (events.json as? [[String: Any]] ?? []).filter { $0["organizationId"] as? String == northwind }
            #expect(!own.isEmpty, "\(events.json)")
            var seats = 0
            for event in own.compactMap({ $0["id"] as? String }) {
                seats += try await read(app, "/events/\(event)/registrations", token: alice).ids
                _ = try await read(app, "/events/\(event)/questions", token: alice)
            }

            let panels = try await read(app, "/panels", token: alice)
            var ideas = 0
            for panel in idsOf(panels.json) {
                ideas += try await read(app, "/panels/\(panel)", token: alice).ids
            }

            let ownOffers = try await read(app, "/offers", token: alice)
            let offersForAcme = try await read(app, "/offers", token: carla)
            let support = try await read(app, "/support-requests", token: alice)
            for request in idsOf(support.json) {
                _ = try await read(app, "/support-requests/\(request)", token: alice)
            }
            let alicesNotifications = try await read(app, "/notifications", token: alice)
            let carlasNotifications = try await read(app, "/notifications", token: carla)

            let counted: KeyValuePairs<String, Int> = [
                "partnerships": partnerships.ids, "commitments": commitments, "messages": messages, "updates": updates.ids,
                "events": events.ids, "registrations": seats, "panels": panels.ids, "panel details": ideas,
                "offers": ownOffers.ids + offersForAcme.ids,
                "support requests": support.ids,
                "notifications": alicesNotifications.ids + carlasNotifications.ids,
            ]
            for (what, count) in counted {
                #expect(count > 0, "no ids read from \(what): the walk would prove nothing")
            }
        }
    }

    @Test func idsSentInUpperCaseFindTheSameThingsAndComeBackLowerCase() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            let alice = try await login(app, "alice@northwind.example")
            let me = try await app.api(.GET, "/me", token: alice)
            let northwind = try #require(me.body["organizationId"] as? String, "\(me.raw)")

            // A partnership's commitments, asked for with the partnership's id in upper case.
            var commitments: (partnership: String, ids: [String])?
            for p in (try await app.api(.GET, "/partnerships", token: alice)).list where p["status"] as? String == "active" {
                let id = p["id"] as? String ?? ""
                let ids = idsOf(try await read(app, "/partnerships/\(id)/commitments", token: alice).json)
                if !ids.isEmpty {
                    commitments = (id, ids)
                    break
                }
            }
            let listed = try #require(commitments, "no active partnership of Northwind's has commitments")
            let upper = try await read(app, "/partnerships/\(listed.partnership.uppercased())/commitments", token: alice)
            #expect(idsOf(upper.json) == listed.ids)

            let panels = try await read(app, "/panels", token: alice)
            let panel = try #require(idsOf(panels.json).first, "\(panels.json)")
            let detail = try await read(app, "/panels/\(panel.uppercased())", token: alice)
            #expect(((detail.json as? [String: Any])?["panel"] as? [String: Any])?["id"] as? String == panel, "\(detail.json)")

            // The registrations of Northwind's own event that has some, asked for by the event's id in upper case.
            let events = (try await app.api(.GET, "/events", token: alice)).list.filter { $0["organizationId"] as? String == northwind }
            var seats: (event: String, ids: [String])?
            for event in events.compactMap({ $0["id"] as? String }) {
                let ids = idsOf(try await read(app, "/events/\(event)/registrations", token: alice).json)
                if !ids.isEmpty {
                    seats = (event, ids)
                    break
                }
            }
            let registered = try #require(seats, "no event of Northwind's has registrations: \(events)")
            let again = try await read(app, "/events/\(registered.event.uppercased())/registrations", token: alice)
            #expect(idsOf(again.json) == registered.ids)
            #expect((again.json as? [[String: Any]] ?? []).allSatisfy { $0["eventId"] as? String == registered.event }, "\(again.json)")
        }
    }

    @Test func pagesWriteIdsInLinksFormsAndDataAttributesLowerCase() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            let alice = try await login(app, "alice@northwind.example")
            let partnerships = try await app.api(.GET, "/partnerships", token: alice)
            let active = partnerships.list.first { $0["status"] as? String == "active" }
            let partnership = try #require(active?["id"] as? String, "\(partnerships.raw)")
            let uuidShaped = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/
            let browser = Browser(app)
            #expect(
                try await browser.post("/login", ["email": "alice@northwind.example", "password": DemoSeed.password]).status == .seeOther)
            // The new-commitment form lists colleagues as owners by id: the one place a page interpolated raw UUIDs.
            for path in ["/partnerships/\(partnership)", "/partnerships/\(partnership)/commitments/new"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                let written = page.html.matches(of: uuidShaped).map { String($0.output) }
                #expect(!written.isEmpty, "\(path) shows no id at all")
                #expect(written.filter { $0 != $0.lowercased() }.isEmpty, "\(path): \(written.filter { $0 != $0.lowercased() })")
            }
        }
    }
}
