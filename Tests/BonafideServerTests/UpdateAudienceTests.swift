import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Updates for named organizations")
struct UpdateAudienceTests {
    /// Northwind (Alice) and Acme (Bob) are partners; Northwind placed Lark (Dora) in its connected circle; Kite (Cleo)
    /// has nothing to do with any of them.
    func fourOrganizations(_ app: Application) async throws -> (a: Account, b: Account, c: Account, d: Account) {
        let (a, b, _) = try await app.activePartnership()
        let c = try await app.register("Cleo", org: "Kite")
        let d = try await app.register("Dora", org: "Lark")
        let placed = try await app.api(.PUT, "/circles/\(d.organizationID)", token: a.token, json: #"{"circle":"connected"}"#)
        #expect(placed.status == .ok, "\(placed.raw)")
        return (a, b, c, d)
    }

    func named(_ title: String, _ organizations: [String]) -> String {
        let ids = organizations.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"title":"\#(title)","body":"Text","visibility":"organizations","organizationIds":[\#(ids)]}"#
    }

    func titles(_ app: Application, _ token: String?) async throws -> [String] {
        let r = try await app.api(.GET, "/updates", token: token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list.compactMap { $0["title"] as? String }
    }

    @Test func theNamedOrganizationReadsItAndNobodyElseOutsideTheWriter() async throws {
        try await withTestApp { app in
            let (a, b, c, d) = try await fourOrganizations(app)
            let published = try await app.api(.POST, "/updates", token: a.token, json: named("Pilot for Lark", [d.organizationID]))
            #expect(published.status == .created, "\(published.raw)")
            let id = published.body["id"] as? String ?? ""
            #expect(published.body["visibility"] as? String == "organizations")
            #expect(published.body["organizationIds"] as? [String] == [d.organizationID.lowercased()], "\(published.raw)")

            // Lark's people read it in their list and by its id, without learning whom else it names.
            #expect(try await titles(app, d.token) == ["Pilot for Lark"])
            let read = try await app.api(.GET, "/updates/\(id)", token: d.token)
            #expect(read.status == .ok && read.body["visibility"] as? String == "organizations", "\(read.raw)")
            #expect(read.body["organizationIds"] == nil, "a reader is not told who else reads it: \(read.raw)")
            // The writer's people see it too, with whom it is for.
            #expect(try await titles(app, a.token) == ["Pilot for Lark"])
            let own = try await app.api(.GET, "/updates/\(id)", token: a.token)
            #expect(own.body["organizationIds"] as? [String] == [d.organizationID.lowercased()], "\(own.raw)")

            // Northwind's partner and a stranger: not in their lists, not found by its id; nor for someone not signed in.
            for token in [b.token, c.token] {
                #expect(try await titles(app, token).isEmpty)
                #expect(try await app.api(.GET, "/updates/\(id)", token: token).status == .notFound)
            }
            #expect(try await app.api(.GET, "/updates/\(id)").status == .notFound)
            let northwind = try #require(try await Organization.find(UUID(uuidString: a.organizationID), on: app.db))
            #expect(!(try await Updates.atom(of: northwind, baseURL: "https://bonafide.example", on: app.db)).contains("Pilot for Lark"))

            // Only Lark's people were told, with the line about how Northwind knows them.
            let mails = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.published").all()
            #expect(mails.map(\.toEmail) == [d.email], "\(mails.map(\.toEmail))")
            #expect(mails.first?.subject == "Northwind: Pilot for Lark")
            #expect(mails.first?.body.contains("Northwind counts Lark among its connected.") == true, "\(mails.first?.body ?? "")")
            let figures = try await app.api(.GET, "/updates/\(id)/figures", token: a.token)
            #expect(figures.body["reached"] as? Int == 1 && figures.body["reachedOrganizations"] as? Int == 1, "\(figures.raw)")

            // Replies follow the same readers: Lark replies in its thread, the partner cannot reply to what it cannot read.
            let reply = try await app.api(.POST, "/updates/\(id)/replies", token: d.token, json: #"{"body":"Count us in."}"#)
            #expect(reply.status == .created, "\(reply.raw)")
            #expect(try await app.api(.POST, "/updates/\(id)/replies", token: b.token, json: #"{"body":"And us?"}"#).status == .notFound)
        }
    }

    @Test func aListOfUpdatesForDifferentReadersDoesNotPoolThem() async throws {
        try await withTestApp { app in
            let (a, b, c, d) = try await fourOrganizations(app)
            for json in [
                #"{"title":"Open news","body":"For everyone.","visibility":"public"}"#, named("For Acme", [b.organizationID]),
                named("For Lark", [d.organizationID]),
            ] {
                let r = try await app.api(.POST, "/updates", token: a.token, json: json)
                #expect(r.status == .created, "\(r.raw)")
            }
            // Each list is decided in one batch; each update keeps its own readers in it.
            #expect(Set(try await titles(app, a.token)) == ["Open news", "For Acme", "For Lark"])
            #expect(Set(try await titles(app, b.token)) == ["Open news", "For Acme"])
            #expect(Set(try await titles(app, d.token)) == ["Open news", "For Lark"])
            #expect(try await titles(app, c.token) == ["Open news"])

            // The single check answers as the list does.
            let ids = Dictionary(
                uniqueKeysWithValues: try await app.api(.GET, "/updates", token: a.token).list.compactMap { u in
                    (u["title"] as? String).flatMap { t in (u["id"] as? String).map { (t, $0) } }
                })
            #expect(try await app.api(.GET, "/updates/\(ids["For Lark"] ?? "")", token: b.token).status == .notFound)
            #expect(try await app.api(.GET, "/updates/\(ids["For Acme"] ?? "")", token: d.token).status == .notFound)
            #expect(try await app.api(.GET, "/updates/\(ids["For Acme"] ?? "")", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/updates/\(ids["For Acme"] ?? "")", token: b.token).status == .ok)

            // The same through Access directly, as any person of each organization, all three objects in one check.
            let updates = try await OrganizationUpdate.query(on: app.db).sort(\.$title).all()
            #expect(updates.map(\.title) == ["For Acme", "For Lark", "Open news"])
            let asKite = try await Access.check(
                .members(of: try #require(UUID(uuidString: c.organizationID))), "reader", updates.map(Updates.object), on: app.db)
            #expect(asKite.map(\.allowed) == [false, false, true])
            let asLark = try await Access.check(
                .members(of: try #require(UUID(uuidString: d.organizationID))), "reader", updates.map(Updates.object), on: app.db)
            #expect(asLark.map(\.allowed) == [false, true, true])
        }
    }

    @Test func organizationsTheWriterDoesNotKnowAreRefusedAndNothingIsWritten() async throws {
        try await withTestApp { app in
            let (a, b, c, _) = try await fourOrganizations(app)
            let member = try await app.invitedMember(of: a, role: "member")
            let nobody = UUID().uuidString.lowercased()
            let refused: [(json: String, naming: String?)] = [
                (named("T", [c.organizationID]), c.organizationID),
                (named("T", [b.organizationID, nobody]), nobody),
                (named("T", [a.organizationID]), a.organizationID),
                (named("T", []), nil),
                (#"{"title":"T","body":"Text","visibility":"organizations"}"#, nil),
                (named("T", ["not-an-id"]), nil),
                (named("T", (0...Access.maxNamed).map { _ in UUID().uuidString }), nil),
                (#"{"title":"T","body":"Text","visibility":"partners","organizationIds":["\#(b.organizationID)"]}"#, nil),
            ]
            for (json, naming) in refused {
                let r = try await app.api(.POST, "/updates", token: a.token, json: json)
                #expect(r.status == .unprocessableEntity, "\(json): \(r.raw)")
                #expect(r.headers.contentType?.description.contains("problem+json") == true, "\(r.headers)")
                if let naming {
                    #expect((r.body["detail"] as? String ?? "").contains(naming.lowercased()), "\(r.raw)")
                }
            }
            // The refusal names what is wrong, not the organization Northwind does know.
            let mixed = try await app.api(.POST, "/updates", token: a.token, json: named("T", [b.organizationID, nobody]))
            #expect(!(mixed.body["detail"] as? String ?? "").contains(b.organizationID.lowercased()), "\(mixed.raw)")
            #expect(
                try await app.api(.POST, "/updates", token: member.token, json: named("T", [b.organizationID])).status == .forbidden)

            #expect(try await OrganizationUpdate.query(on: app.db).count() == 0)
            #expect(try await NamedAudience.query(on: app.db).count() == 0)
            #expect(try await Notification.query(on: app.db).filter(\.$text == "Northwind: T").count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.published").count() == 0)
        }
    }

    @Test func theFormNamesOrganizationsFromThoseTheWriterKnows() async throws {
        try await withTestApp { app in
            let (a, _, c, d) = try await fourOrganizations(app)
            let alice = try await Browser.signedIn(app, as: a)
            let form = try await alice.get("/updates")
            #expect(form.html.contains("<option value=\"organizations\">Named organizations</option>"), "\(form.html)")
            let lark = d.organizationID.lowercased()
            #expect(form.html.contains("name=\"organizationIds[]\" value=\"\(lark)\"> Lark</label>"), "\(form.html)")
            #expect(form.html.contains("> Acme</label>") && !form.html.contains("> Kite</label>"), "only organizations Northwind knows")

            // Named organizations with none ticked: refused at its field, the text kept as typed.
            let none = try await alice.post("/updates", ["title": "Pilot", "body": "Text", "visibility": "organizations"])
            #expect(none.status == .unprocessableEntity, "\(none.html.prefix(300))")
            #expect(none.html.contains("id=\"organizationIds-error\"") && none.html.contains("value=\"Pilot\""), "\(none.html)")
            #expect(try await OrganizationUpdate.query(on: app.db).count() == 0)

            let published = try await alice.post(
                "/updates", ["title": "Pilot", "body": "Text", "visibility": "organizations", "organizationIds[]": lark])
            #expect(published.status == .seeOther, "\(published.html.prefix(300))")
            let path = try #require(published.location)
            #expect(try await alice.get(path).html.contains("Who reads it: Named organizations: Lark"))
            let dora = try await Browser.signedIn(app, as: d)
            #expect(try await dora.get(path).status == .ok)
            let cleo = try await Browser.signedIn(app, as: c)
            #expect(try await cleo.get(path).status == .notFound)
        }
    }
}
