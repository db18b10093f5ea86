import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Offers linking an event")
struct OfferLinkedEventTests {
    let closes = rfc3339(Date().addingTimeInterval(30 * 86_400))

    func plan(_ app: Application, _ owner: Account, visibility: String) async throws -> String {
        let r = try await app.api(
            .POST, "/events", token: owner.token,
            json:
                #"{"title":"Roadmap preview","startsAt":"2030-01-15T17:00:00Z","durationMinutes":60,"timeZone":"Europe/Berlin","videoLink":"https://meet.example.com/q4","visibility":"\#(visibility)"}"#
        )
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    func earlyAccess(_ app: Application, _ owner: Account, audience: String, event: String) async throws -> (
        status: HTTPStatus, body: [String: Any], raw: String
    ) {
        let r = try await app.api(
            .POST, "/offers", token: owner.token,
            json:
                #"{"title":"Early access","details":"Before everyone else.","kind":"earlyAccess","audience":"\#(audience)","validUntil":"\#(closes)","linkedEventId":"\#(event)"}"#
        )
        return (r.status, r.body, r.raw)
    }

    @Test func anEventItsRecipientsMayNotSeeIsRefusedAndOneTheyMaySeeIsOffered() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            // Bob's organization is a partner, but in none of Alice's circles.
            let forCollaborators = try await plan(app, a, visibility: "collaborator")
            let refused = try await earlyAccess(app, a, audience: "partners", event: forCollaborators)
            #expect(refused.status == .unprocessableEntity, "\(refused.raw)")
            #expect(refused.raw.contains("linkedEventId") && refused.raw.contains("leaves out"), "\(refused.raw)")
            // A partners event offered to a circle: circle members need not be partners.
            let forPartners = try await plan(app, a, visibility: "partners")
            #expect(try await earlyAccess(app, a, audience: "collaborator", event: forPartners).status == .unprocessableEntity)
            // Nothing written, nobody told.
            #expect(try await Offer.query(on: app.db).count() == 0)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "offer.published").count() == 0)

            // An event for partners offered to partners, and a connected-circle event offered to the closer collaborators.
            let offered = try await earlyAccess(app, a, audience: "partners", event: forPartners)
            #expect(offered.status == .created, "\(offered.raw)")
            let forConnected = try await plan(app, a, visibility: "connected")
            #expect(try await earlyAccess(app, a, audience: "collaborator", event: forConnected).status == .created)
            let forBob = try await app.api(.GET, "/offers", token: b.token).body["forYou"] as? [[String: Any]] ?? []
            #expect(forBob.count == 1, "the partners' early access reaches Bob; the collaborators' does not")
        }
    }

    @Test func everyAudienceCoversItselfAndCirclesNest() {
        for offer in Offers.audiences {
            #expect(Offers.eventAudience(offer, covers: offer))
            #expect(Offers.eventAudience(.public, covers: offer) && Offers.eventAudience(.signedIn, covers: offer))
        }
        #expect(Offers.eventAudience(.connected, covers: .trustedReferral))
        #expect(!Offers.eventAudience(.trustedReferral, covers: .connected))
        #expect(!Offers.eventAudience(.partners, covers: .connected))
        #expect(!Offers.eventAudience(.connected, covers: .partners))
    }
}
