import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Introductions, not blasts")
struct IntroductionTests {
    let pitch =
        "Hello, we are Northwind, a six-person design studio for commerce teams. We would love to talk about a storefront project with TARGET next month and would be grateful for an introduction."

    func ask(_ app: Application, _ from: Account, to target: Account, via: Account, _ message: String) async throws -> (
        status: HTTPStatus, body: [String: Any], raw: String
    ) {
        let r = try await app.api(
            .POST, "/introductions", token: from.token,
            json:
                #"{"targetOrganizationId":"\#(target.organizationID)","viaOrganizationId":"\#(via.organizationID)","message":"\#(message)"}"#
        )
        return (r.status, r.body, r.raw)
    }

    @Test func aSharedContactIntroducesOrDeclinesAndTheSameTextToManyIsRefused() async throws {
        try await withTestApp { app in
            // Northwind and Acme are partners; Acme knows Lumen, Kite, Orbit and Pine. Northwind knows none of them.
            let (north, acme, _) = try await app.activePartnership()
            let lumen = try await app.register("Lia", org: "Lumen")
            let kite = try await app.register("Cleo", org: "Kite")
            let orbit = try await app.register("Oskar", org: "Orbit")
            let pine = try await app.register("Pia", org: "Pine")
            let acmeMember = try await app.invitedMember(of: acme, role: "member", name: "Dan")
            for other in [lumen, kite, orbit, pine] {
                #expect(
                    try await app.api(.PUT, "/circles/\(other.organizationID)", token: acme.token, json: #"{"circle":"connected"}"#).status
                        == .ok)
            }
            let contacts = try await app.api(
                .GET, "/introductions/contacts?targetOrganizationId=\(lumen.organizationID)", token: north.token)
            #expect(contacts.list.map { $0["name"] as? String } == ["Acme"])
            let viaStranger = try await ask(app, north, to: lumen, via: kite, pitch)
            #expect(viaStranger.status == .unprocessableEntity && viaStranger.raw.contains("ask an organization that knows you both"))
            #expect(try await ask(app, north, to: lumen, via: acme, "Hi").status == .unprocessableEntity)

            let asked = try await ask(app, north, to: lumen, via: acme, pitch.replacingOccurrences(of: "TARGET", with: "Lumen"))
            #expect(asked.status == .created && asked.body["status"] as? String == "requested", "\(asked.raw)")
            let id = asked.body["id"] as? String ?? ""
            #expect(
                try await ask(app, north, to: lumen, via: acme, pitch.replacingOccurrences(of: "TARGET", with: "Lumen")).status == .conflict
            )
            let bell = try await app.api(.GET, "/notifications", token: acme.token)
            #expect(bell.raw.contains("asks you to introduce them to Lumen"), "\(bell.raw.prefix(300))")
            // Lumen hears nothing until Acme introduces them.
            #expect(try await app.api(.GET, "/introductions", token: lumen.token).list.isEmpty)

            // Only Acme's owners and admins decide; others do not even see it. An introduction needs a personal note.
            let decision = "/introductions/\(id)/decision"
            #expect(
                try await app.api(.POST, decision, token: acmeMember.token, json: #"{"decision":"accept","note":"x"}"#).status == .forbidden
            )
            #expect(try await app.api(.POST, decision, token: lumen.token, json: #"{"decision":"accept","note":"x"}"#).status == .notFound)
            #expect(try await app.api(.POST, decision, token: acme.token, json: #"{"decision":"accept"}"#).status == .unprocessableEntity)
            let note = "Northwind redesigned our storefront and kept every date; worth an hour of your time."
            let accepted = try await app.api(.POST, decision, token: acme.token, json: #"{"decision":"accept","note":"\#(note)"}"#)
            #expect(accepted.status == .ok && accepted.body["status"] as? String == "accepted")
            let again = try await app.api(.POST, decision, token: acme.token, json: #"{"decision":"decline"}"#)
            #expect(again.status == .conflict && again.raw.contains("already accepted"))
            let forLumen = try await app.api(.GET, "/introductions", token: lumen.token).list
            #expect(
                forLumen.count == 1 && forLumen.first?["introducerNote"] as? String == note && forLumen.first?["via"] as? String == "Acme")
            #expect(try await app.api(.GET, "/notifications", token: lumen.token).raw.contains("Acme introduces Northwind to you"))

            // The same text to a second organization goes; to a third it is refused, and Acme and the targets learn it.
            let second = try await ask(app, north, to: kite, via: acme, pitch.replacingOccurrences(of: "TARGET", with: "Kite"))
            #expect(second.status == .created)
            let third = try await ask(app, north, to: orbit, via: acme, pitch.replacingOccurrences(of: "TARGET", with: "Orbit"))
            #expect(third.status == .unprocessableEntity && third.raw.contains("reads like the 2 other requests"), "\(third.raw)")
            let mine = try await app.api(.GET, "/introductions", token: north.token).list
            #expect(mine.first?["status"] as? String == "refused" && mine.first?["target"] as? String == "Orbit")
            #expect(!(try await app.api(.GET, "/introductions", token: acme.token).raw.contains("Orbit")))
            // A personal message to another organization is fine.
            let personal = try await ask(
                app, north, to: pine, via: acme,
                "Pia, your fulfilment work for Acme impressed us; could we compare notes on returns handling?")
            #expect(personal.status == .created)
            #expect(
                try await app.api(
                    .POST, "/introductions/\(second.body["id"] as? String ?? "")/decision", token: acme.token,
                    json: #"{"decision":"decline"}"#
                )
                .body["status"] as? String == "declined")

            // However personal, twenty requests a day is the most.
            let sent = try await Introduction.query(on: app.db).filter(\.$requester.$id == UUID(uuidString: north.organizationID)!).count()
            for i in sent..<Introductions.dailyLimit {
                let row = Introduction()
                row.$requester.id = UUID(uuidString: north.organizationID)!
                row.$requestedBy.id = UUID(uuidString: north.id)!
                row.$target.id = UUID(uuidString: pine.organizationID)!
                row.$via.id = UUID(uuidString: acme.organizationID)!
                row.message = "Personal note number \(i) about something else entirely"
                row.status = .declined
                row.blast = false
                row.createdAt = Date()
                try await row.save(on: app.db)
            }
            let capped = try await ask(app, north, to: kite, via: acme, "Cleo, a different and personal question about your data work.")
            #expect(capped.status == .tooManyRequests && capped.raw.contains("ask again tomorrow"), "\(capped.raw)")

            while try await TrustService.drain(on: app.db) > 0 {}
            let trust = try await app.api(.GET, "/trust/\(north.organizationID)", token: acme.token)
            let why = (trust.body["explanation"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
            #expect(why.contains("Sent the same request for an introduction to many organizations, through you"), "\(why)")
            #expect(why.contains("Asked you personally for an introduction"))
            let orbitView = try await app.api(.GET, "/trust/\(north.organizationID)", token: orbit.token)
            let orbitWhy = (orbitView.body["explanation"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
            #expect(orbitWhy.contains("Sent the same request for an introduction to many organizations, you among them"), "\(orbitWhy)")
        }
    }

    @Test func throughThePages() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let lumen = try await app.register("Lia", org: "Lumen")
            #expect(
                try await app.api(.PUT, "/circles/\(lumen.organizationID)", token: acme.token, json: #"{"circle":"collaborator"}"#).status
                    == .ok)
            let asker = try await Browser.signedIn(app, as: north)
            let profile = try await asker.get("/organizations/\(lumen.organizationID)")
            #expect(profile.html.contains(#"id="ask-introduction""#) && profile.html.contains(">Acme</option>"))
            let sent = try await asker.post(
                "/introductions",
                [
                    "target": lumen.organizationID, "via": acme.organizationID,
                    "message": "We admire your checkout work and want to compare notes.",
                ])
            #expect(sent.location == "/introductions")
            #expect(try await asker.get("/introductions").html.contains("Asked Acme to introduce you"))
            let introducer = try await Browser.signedIn(app, as: acme)
            let page = try await introducer.get("/introductions")
            #expect(page.html.contains("Northwind asks to meet Lumen") && page.html.contains("We admire your checkout work"))
            let id = try await Introduction.query(on: app.db).first()!.id!.uuidString.lowercased()
            try await introducer.post("/introductions/\(id)/decision", ["decision": "accept", "note": ""])
            #expect(try await introducer.get("/introductions").html.contains("Introduce them in a personal note"))
            try await introducer.post("/introductions/\(id)/decision", ["decision": "accept", "note": "They are careful and kind."])
            let target = try await Browser.signedIn(app, as: lumen)
            let made = try await target.get("/introductions")
            #expect(made.html.contains("Acme introduces") && made.html.contains("They are careful and kind."))
        }
    }
}

extension IntroductionTests {
    @Test func sharedContactsAreThoseBothSidesKnowFromConnectedUp() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let lumen = try await app.register("Lia", org: "Lumen")
            let kite = try await app.register("Cleo", org: "Kite")
            let orbit = try await app.register("Oskar", org: "Orbit")
            let pine = try await app.register("Pia", org: "Pine")
            func place(_ member: Account, by placer: Account, in circle: String) async throws {
                let r = try await app.api(.PUT, "/circles/\(member.organizationID)", token: placer.token, json: #"{"circle":"\#(circle)"}"#)
                #expect(r.status == .ok, "\(r.raw)")
            }
            // Northwind knows Acme as a partner and Kite and Orbit from its circles; it only follows Pine.
            try await place(kite, by: north, in: "collaborator")
            try await place(orbit, by: north, in: "connected")
            try await place(pine, by: north, in: "follow")
            // Acme and Kite know Lumen; Pine knows it well but Northwind only follows Pine; Orbit only follows Lumen.
            try await place(lumen, by: acme, in: "connected")
            try await place(lumen, by: kite, in: "trusted-referral")
            try await place(lumen, by: pine, in: "collaborator")
            try await place(lumen, by: orbit, in: "follow")

            // Quill, Sage and Rook are in Northwind's circles and know Lumen only through a partnership: Quill's is
            // active, Sage's ended (a partnership both joined, whoever invited), Rook's an invitation Lumen never took up.
            let quill = try await app.register("Quentin", org: "Quill")
            let sage = try await app.register("Sol", org: "Sage")
            let rook = try await app.register("Rita", org: "Rook")
            for contact in [quill, sage, rook] { try await place(contact, by: north, in: "connected") }
            func invite(_ partner: Account, by inviter: Account) async throws -> (id: String, secret: String) {
                let created = try await app.api(
                    .POST, "/partnerships", token: inviter.token, json: #"{"name":"Supply","partnerEmail":"\#(partner.email)"}"#)
                #expect(created.status == .created, "\(created.raw)")
                let link = created.body["invitationLink"] as? String ?? ""
                return (created.body["id"] as? String ?? "", String(link.split(separator: "/").last ?? ""))
            }
            let withQuill = try await invite(lumen, by: quill)
            #expect(try await app.api(.POST, "/invitations/\(withQuill.secret)/accept", token: lumen.token).status == .ok)
            let withSage = try await invite(sage, by: lumen)
            #expect(try await app.api(.POST, "/invitations/\(withSage.secret)/accept", token: sage.token).status == .ok)
            try await Browser.signedIn(app, as: sage).post("/partnerships/\(withSage.id)/end", ["reason": "The season is over"])
            #expect(try await app.api(.GET, "/partnerships/\(withSage.id)", token: lumen.token).body["status"] as? String == "ended")
            let withRook = try await invite(lumen, by: rook)
            // A pending invitation names no partner organization yet; naming one here leaves only its status to keep
            // Rook out, so the test fails if pending partnerships were ever counted.
            let pending = try #require(try await Partnership.find(UUID(uuidString: withRook.id), on: app.db))
            #expect(pending.status == .invited)
            pending.$partner.id = UUID(uuidString: lumen.organizationID)
            try await pending.save(on: app.db)

            let contacts = try await app.api(
                .GET, "/introductions/contacts?targetOrganizationId=\(lumen.organizationID)", token: north.token)
            #expect(contacts.status == .ok, "\(contacts.raw)")
            #expect(contacts.list.map { $0["name"] as? String } == ["Acme", "Kite", "Quill", "Sage"])
            #expect(
                contacts.list.map { $0["id"] as? String } == [
                    acme.organizationID, kite.organizationID, quill.organizationID, sage.organizationID,
                ])
        }
    }
}
