import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Demo engagement")
struct DemoEngagementTests {
    func login(_ app: Application, _ email: String) async throws -> String {
        let r = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(email)","password":"\#(DemoSeed.password)"}"#)
        #expect(r.status == .ok, "\(r.raw)")
        return r.body["token"] as? String ?? ""
    }

    @Test func theDemoShowsAPanelActedOnAnAcceptedOfferAndAWebinarHeld() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            let carla = try await login(app, "carla@acme.example")
            let alice = try await login(app, "alice@northwind.example")

            // Carla is on Northwind's panel: three ideas with votes and comments, one done with what was done, one planned.
            let panels = try await app.api(.GET, "/panels", token: carla).list
            let panel = try #require(panels.first { $0["title"] as? String == "Storefront customer panel" }, "\(panels)")
            let detail = try await app.api(.GET, "/panels/\(panel["id"] as? String ?? "")", token: carla)
            #expect(detail.status == .ok && detail.body["member"] as? Bool == true, "\(detail.raw)")
            let ideas = detail.body["ideas"] as? [[String: Any]] ?? []
            #expect(ideas.count == 3 && ideas.allSatisfy { ($0["votes"] as? Int ?? 0) > 0 }, "\(ideas)")
            #expect(ideas.contains { !($0["comments"] as? [Any] ?? []).isEmpty })
            #expect(ideas.contains { $0["status"] as? String == "planned" && $0["outcome"] != nil })
            let actedOn = detail.body["actedOn"] as? [[String: Any]] ?? []
            #expect(actedOn.count == 1 && (actedOn.first?["outcome"] as? String ?? "").contains("Arrives by"), "\(actedOn)")

            // Acme accepted Northwind's offer for partners of six months and more: a commitment proposed in their partnership.
            let offers = try await app.api(.GET, "/offers", token: carla)
            let forYou = offers.body["forYou"] as? [[String: Any]] ?? []
            let offer = try #require(forYou.first { ($0["minRelationshipDays"] as? Int ?? 0) >= 180 }, "\(offers.raw)")
            #expect((offer["personalLine"] as? String ?? "").hasPrefix("You have worked with Northwind Studio for"), "\(offer)")
            let answer = offer["answer"] as? [String: Any] ?? [:]
            #expect(answer["decision"] as? String == "accepted", "\(offer)")
            let commitmentID = try #require(answer["commitmentId"] as? String, "\(offer)")
            let commitment = try #require(try await Commitment.find(UUID(uuidString: commitmentID), on: app.db))
            #expect(commitment.status == .proposed && commitment.title.hasPrefix("Offer: "))
            let own = try await app.api(.GET, "/offers", token: alice).body["own"] as? [[String: Any]] ?? []
            #expect(own.first { $0["id"] as? String == offer["id"] as? String }?["accepted"] as? Int == 1, "\(own)")

            // A webinar held three weeks ago: its recording for those who see it, attendance for the organizer.
            let events = try await app.api(.GET, "/events", token: carla).list
            let held = try #require(events.first { $0["title"] as? String == "Storefront conversion clinic" }, "\(events)")
            let eventID = held["id"] as? String ?? ""
            #expect((held["recordingLink"] as? String ?? "").hasPrefix("https://"), "\(held)")
            let row = try #require(try await LiveEvent.find(UUID(uuidString: eventID), on: app.db))
            #expect(row.endsAt < Date().addingTimeInterval(-14 * 86_400) && row.endsAt > Date().addingTimeInterval(-28 * 86_400))
            let registrations = try await app.api(.GET, "/events/\(eventID)/registrations", token: alice).list
            #expect(registrations.filter { $0["attended"] as? Bool == true }.count == 3, "\(registrations)")
            #expect(registrations.filter { $0["attended"] as? Bool == false }.count == 1, "\(registrations)")
            let browser = Browser(app)
            #expect(
                try await browser.post("/login", ["email": "carla@acme.example", "password": DemoSeed.password]).status == .seeOther)
            let page = try await browser.get("/events/\(eventID)")
            #expect(page.status == .ok && page.html.contains("id=\"event-recording\"") && page.html.contains("This event is over."))
            // Its follow-up survey went to the attendees, and Carla answered it.
            let survey = try #require(
                try await Survey.query(on: app.db).filter(\.$title == "Follow-up: Storefront conversion clinic").first())
            #expect(try await SurveyRecipient.query(on: app.db).filter(\.$survey.$id == survey.id!).count() == 3)
            #expect(try await SurveyResponse.query(on: app.db).filter(\.$survey.$id == survey.id!).count() == 1)

            // None of it is mailed when the demo starts.
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "jonas.weber@outdoor-shop.example").count() == 0)
            let invitations = try await OutboxMessage.query(on: app.db).filter(\.$kind == "survey-invitation").all()
            #expect(!invitations.contains { $0.subject.contains(survey.title) })
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == Notifier.mailKind).count() == 0)
        }
    }
}
