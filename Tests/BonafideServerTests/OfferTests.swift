import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Offers and early access")
struct OfferTests {
    let closes = rfc3339(Date().addingTimeInterval(30 * 86_400))

    func offerJSON(title: String = "Free accessibility audit", audience: String = "partners", minDays: Int = 0, kind: String = "offer")
        -> String
    {
        #"{"title":"\#(title)","details":"We audit **one** page of yours.","kind":"\#(kind)","audience":"\#(audience)","minRelationshipDays":\#(minDays),"personalNote":"Thank you for the good year.","validUntil":"\#(closes)"}"#
    }

    /// Moves the partnership's start back, as if it had been opened that many days ago.
    func age(_ app: Application, _ pid: String, days: Double) async throws {
        let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
        p.createdAt = Date().addingTimeInterval(-days * 86_400)
        try await p.save(on: app.db)
    }

    func forYou(_ app: Application, _ account: Account) async throws -> [String] {
        let r = try await app.api(.GET, "/offers", token: account.token)
        #expect(r.status == .ok, "\(r.raw)")
        return (r.body["forYou"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
    }

    @Test func aPartnersOfferReachesThePartnerWithItsOwnLineAndNoStranger() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            try await age(app, pid, days: 426)

            let made = try await app.api(.POST, "/offers", token: a.token, json: offerJSON())
            #expect(made.status == .created, "\(made.raw)")
            let id = made.body["id"] as? String ?? ""
            #expect(made.body["own"] as? Bool == true && made.body["accepted"] as? Int == 0)

            #expect(try await forYou(app, b) == ["Free accessibility audit"])
            let seen = try await app.api(.GET, "/offers/\(id)", token: b.token)
            #expect(
                seen.status == .ok && seen.body["personalLine"] as? String == "You have worked with Northwind for 14 months.", "\(seen.raw)"
            )
            #expect(seen.body["link"] as? String == nil, "no link before accepting")

            // Bob's mail says how long the two have worked together, then the note; Kite hears nothing and finds nothing.
            let mails = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "offer.published").all()
            #expect(mails.map(\.toEmail) == [b.email], "\(mails.map(\.toEmail))")
            #expect(mails.first?.subject == "Northwind offers you: Free accessibility audit")
            let body = mails.first?.body ?? ""
            #expect(body.hasPrefix("You have worked with Northwind for 14 months.\n\nThank you for the good year."), "\(body)")
            #expect(try await forYou(app, c).isEmpty)
            #expect(try await app.api(.GET, "/offers/\(id)", token: c.token).status == .notFound)
            #expect(
                try await app.api(.POST, "/offers/\(id)/responses", token: c.token, json: #"{"decision":"accept"}"#).status == .notFound)
            #expect(try await app.api(.POST, "/offers/\(id)/withdrawal", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/offers/\(id)").status == .unauthorized)
        }
    }

    @Test func aMinimumRelationshipLeavesOutAPartnerTooNew() async throws {
        try await withTestApp { app in
            let (a, b, oldPid) = try await app.activePartnership()
            // A second partner of Northwind, from today.
            let c = try await app.register("Cleo", org: "Kite")
            let created = try await app.api(
                .POST, "/partnerships", token: a.token, json: #"{"name":"Pilot","partnerEmail":"\#(c.email)","agreement":"v1"}"#)
            let secret = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: c.token).status == .ok)
            try await age(app, oldPid, days: 200)

            let made = try await app.api(.POST, "/offers", token: a.token, json: offerJSON(title: "Loyalty rate", minDays: 180))
            #expect(made.status == .created, "\(made.raw)")
            let id = made.body["id"] as? String ?? ""
            #expect(try await forYou(app, b) == ["Loyalty rate"])
            #expect(try await forYou(app, c).isEmpty)
            #expect(try await app.api(.GET, "/offers/\(id)", token: c.token).status == .notFound)
            let told = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "offer.published").all().map(\.toEmail)
            #expect(told == [b.email], "\(told)")

            // Once Kite has been a partner long enough, the same offer is for it too.
            let newPid = created.body["id"] as? String ?? ""
            try await age(app, newPid, days: 181)
            #expect(try await forYou(app, c) == ["Loyalty rate"])
            #expect(
                try await app.api(.GET, "/offers/\(id)", token: c.token).body["personalLine"] as? String
                    == "You have worked with Northwind for 6 months.")
        }
    }

    @Test func acceptedOfferBecomesACommitmentInTheirPartnershipOnce() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let made = try await app.api(.POST, "/offers", token: a.token, json: offerJSON())
            let id = made.body["id"] as? String ?? ""

            // A member answers nothing: owners and admins speak for the organization.
            let mia = try await app.invitedMember(of: b, role: "member")
            #expect(
                try await app.api(.POST, "/offers/\(id)/responses", token: mia.token, json: #"{"decision":"accept"}"#).status == .forbidden)
            let max = try await app.invitedMember(of: a, role: "member", name: "Max")
            #expect(try await app.api(.POST, "/offers", token: max.token, json: offerJSON()).status == .forbidden)
            // The offering side does not answer its own offer.
            #expect(
                try await app.api(.POST, "/offers/\(id)/responses", token: a.token, json: #"{"decision":"accept"}"#).status == .forbidden)

            let accepted = try await app.api(
                .POST, "/offers/\(id)/responses", token: b.token, json: #"{"decision":"accept","note":"Yes please, the checkout page."}"#)
            #expect(accepted.status == .created, "\(accepted.raw)")
            let cid = try #require(accepted.body["commitmentId"] as? String)
            #expect(accepted.body["partnershipId"] as? String == pid.lowercased())
            let commitments = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: b.token)
            // The commitments API writes ids upper case, the newer ones lower case: the same id either way.
            let commitment = commitments.list.first { ($0["id"] as? String)?.lowercased() == cid.lowercased() }
            #expect(commitment?["title"] as? String == "Offer: Free accessibility audit", "\(commitments.raw)")
            #expect(commitment?["status"] as? String == "proposed")
            let row = try #require(try await Commitment.find(UUID(uuidString: cid), on: app.db))
            #expect(row.$ownerOrganization.id.uuidString.lowercased() == a.organizationID)
            #expect(row.$recipientOrganization.id.uuidString.lowercased() == b.organizationID)
            #expect(row.dueAt > Date().addingTimeInterval(29 * 86_400), "due when the offer closes")

            // Decided once; the offering side sees the count.
            let again = try await app.api(.POST, "/offers/\(id)/responses", token: b.token, json: #"{"decision":"decline"}"#)
            #expect(again.status == .conflict, "\(again.raw)")
            #expect(try await app.api(.GET, "/offers/\(id)", token: a.token).body["accepted"] as? Int == 1)
            #expect(try await OfferResponse.query(on: app.db).count() == 1)
        }
    }

    @Test func twoAcceptsAtOnceMakeOneAnswer() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let admin = try await app.invitedMember(of: b, role: "admin", name: "Ada")
            let id = try await app.api(.POST, "/offers", token: a.token, json: offerJSON()).body["id"] as? String ?? ""
            let tokens = [b.token, admin.token]
            let statuses = try await together(2) { i in
                try await app.api(.POST, "/offers/\(id)/responses", token: tokens[i], json: #"{"decision":"accept"}"#).status
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.created, .conflict], "\(statuses)")
            #expect(try await OfferResponse.query(on: app.db).count() == 1)
            #expect(try await Commitment.query(on: app.db).count() == 1)
        }
    }

    @Test func aWithdrawnOfferTakesNoAnswerAndBadInputWritesNothing() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            for bad in [
                offerJSON(title: "  "), offerJSON(audience: "public"), offerJSON(minDays: -1),
                #"{"title":"T","details":"D","kind":"offer","audience":"partners","validUntil":"2001-01-01T00:00:00Z"}"#,
                #"{"title":"T","details":"D","kind":"earlyAccess","audience":"partners","validUntil":"\#(closes)"}"#,
                #"{"title":"T","details":"D","kind":"offer","audience":"partners","validUntil":"\#(closes)","linkedEventId":"\#(UUID())"}"#,
            ] {
                let r = try await app.api(.POST, "/offers", token: a.token, json: bad)
                #expect(r.status == .unprocessableEntity, "\(bad): \(r.raw)")
            }
            #expect(try await Offer.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "offer.published").count() == 0)

            let id = try await app.api(.POST, "/offers", token: a.token, json: offerJSON()).body["id"] as? String ?? ""
            #expect(try await app.api(.POST, "/offers/\(id)/withdrawal", token: b.token).status == .forbidden)
            #expect(try await app.api(.POST, "/offers/\(id)/withdrawal", token: a.token).body["status"] as? String == "withdrawn")
            #expect(try await app.api(.POST, "/offers/\(id)/withdrawal", token: a.token).status == .conflict)
            let late = try await app.api(.POST, "/offers/\(id)/responses", token: b.token, json: #"{"decision":"accept"}"#)
            #expect(late.status == .conflict, "\(late.raw)")
            #expect(try await forYou(app, b).isEmpty, "a withdrawn offer leaves the list")
            #expect(
                try await app.api(.POST, "/offers/\(id)/responses", token: b.token, json: #"{"decision":"maybe"}"#).status
                    == .unprocessableEntity)
            #expect(try await OfferResponse.query(on: app.db).count() == 0)
        }
    }

    @Test func theOffersPageShowsOffersForYouAndTakesAnAnswer() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let alice = try await Browser.signedIn(app, as: a)
            let empty = try await alice.get("/offers")
            #expect(empty.status == .ok && empty.html.contains("id=\"new-offer\""), "\(empty.html.prefix(500))")
            let made = try await alice.post(
                "/offers",
                [
                    "title": "Early seats", "details": "Our **beta**.", "kind": "offer", "audience": "partners",
                    "minRelationshipMonths": "0",
                    "personalNote": "", "validUntil": String(closes.prefix(10)),
                ])
            #expect(made.status == .seeOther, "\(made.html.prefix(500))")

            let bob = try await Browser.signedIn(app, as: b)
            let list = try await bob.get("/offers")
            #expect(list.html.contains("Early seats") && list.html.contains("<strong>beta</strong>"), "\(list.html)")
            #expect(list.html.contains("You have worked with Northwind for"))
            let id = try #require(try await Offer.query(on: app.db).first()?.id)
            let answered = try await bob.post("/offers/\(id)/response", ["decision": "decline", "note": "Not now"])
            #expect(answered.status == .seeOther)
            #expect(try await OfferResponse.query(on: app.db).first()?.status == .declined)
            #expect(try await bob.get("/offers/\(id)").html.contains("Declined"))
        }
    }
}
