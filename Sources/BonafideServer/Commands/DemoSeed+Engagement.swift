import BonafideCore
import Fluent
import Foundation
import Vapor

/// The demo's feedback panel, offer and past webinar: each shown with its loop closed (an idea done and one planned,
/// an offer accepted and turned into a commitment, a webinar held with attendance, a recording and its follow-up
/// survey answered). Built through the same services as real use, at the demo's own times.
extension DemoSeed {
    static func seedPanelOfferAndPastWebinar(
        _ app: Application, now: Date, at: (Double, Double) -> Date,
        alice: Actor, ben: Actor, carla: Actor, dan: Actor, esha: Actor, farid: Actor
    ) async throws {
        let db = app.db
        let baseURL = app.bonafide.baseURL
        let day: TimeInterval = 86_400

        // Northwind asks its collaborators (Acme) and its connected circle (Kite) what its storefronts should do next.
        let panel = try await FeedbackPanels.create(
            title: "Storefront customer panel",
            purpose: "Retailers we work with tell us what their shoppers miss; we report back on every idea we take up or turn down.",
            by: alice, at: at(30, 0), on: db)
        for circle in ["collaborator", "connected"] {
            _ = try await FeedbackPanels.invite(panel.id, circle: circle, csv: nil, by: alice, baseURL: baseURL, at: at(31, 0), on: db)
        }
        let deliveryDates = try await FeedbackPanels.propose(
            panel.id, title: "Show the delivery date on the product page",
            details: "Our shoppers ask support “when will it arrive?” before they buy. A date next to the price would answer it.",
            as: .person(carla), at: at(33, 2), on: db)
        let savedCarts = try await FeedbackPanels.propose(
            panel.id, title: "Keep the cart across phone and laptop",
            details: "Half our sessions start on a phone and end on a laptop; the cart is empty when they switch.",
            as: .person(esha), at: at(35, 4), on: db)
        let sizeGuide = try await FeedbackPanels.propose(
            panel.id, title: "Size guide next to the size picker",
            details: "The size guide sits at the bottom of the page; shoppers guess and return.", as: .person(dan), at: at(42, 3), on: db)
        let votes: [(FeedbackPanels.Idea, Actor, Double)] = [
            (deliveryDates, dan, 1), (deliveryDates, esha, 2), (deliveryDates, farid, 3), (savedCarts, carla, 4), (sizeGuide, carla, 5),
            (sizeGuide, farid, 6),
        ]
        for (idea, voter, hour) in votes {
            _ = try await FeedbackPanels.vote(panel.id, idea: idea.id, as: .person(voter), at: at(43, hour), on: db)
        }
        _ = try await FeedbackPanels.comment(
            panel.id, idea: deliveryDates.id,
            body: "We tried two wordings in the usability sessions: “Arrives by Thursday” beat a range of days.", as: .person(ben),
            at: at(44, 2), on: db)
        _ = try await FeedbackPanels.comment(
            panel.id, idea: sizeGuide.id, body: "Our returns data agrees: about half of our returns are the wrong size.",
            as: .person(carla), at: at(44, 5), on: db)
        _ = try await FeedbackPanels.decide(
            panel.id, idea: deliveryDates.id, status: "done",
            outcome:
                "Shipped in product page template 2.0.3: the page shows “Arrives by …” from the fulfilment feed. Acme's product pages kept 8% more shoppers in the first two weeks.",
            by: alice, baseURL: baseURL, at: at(55, 3), on: db)
        _ = try await FeedbackPanels.decide(
            panel.id, idea: savedCarts.id, status: "planned",
            outcome: "Planned for design system 2.1 next quarter; the panel sees the wireframes first.", by: alice, baseURL: baseURL,
            at: at(57, 3), on: db)

        // Acme has been Northwind's client since 2024 (its profile says so), long before this redesign: the circle
        // placement carries that date, so the offer's six months are met the way they would be in real use.
        try await Circles.place(
            carla.organizationID, in: .collaborator, note: "Our main retail client", by: alice, at: now.addingTimeInterval(-426 * day),
            on: db)
        let offer = try await Offers.create(
            .init(
                title: "Half-price usability session with our shopper panel",
                details: """
                    One moderated session with **five shoppers** from our panel on a flow of your choice, with a written report \
                    within a week. Half our usual rate (EUR 1,900 instead of EUR 3,800).
                    """,
                kind: .offer, audience: .partners, minRelationshipDays: 180,
                personalNote: "Thank you for deciding quickly every time we asked: this one is for partners of six months and more.",
                validUntil: now.addingTimeInterval(45 * day)), by: alice, at: at(58, 0), on: db)
        _ = try await Offers.respond(
            offer.id, accept: true, note: "Yes, please: we would like to test the new loyalty pages.", by: carla, at: at(59, 0), on: db)

        // A webinar held three weeks ago: who registered, who came, the recording and the attendees' survey.
        let held = at(39, 7)
        let clinic = try await Events.create(
            .init(
                title: "Storefront conversion clinic",
                description: """
                    What twelve usability sessions taught us about product pages and checkout: **five fixes** you can ship \
                    this quarter, with before-and-after numbers. 45 minutes and 15 for questions.
                    """,
                startsAt: held, durationMinutes: 60, timeZone: "Europe/Berlin", capacity: 80,
                videoLink: "https://meet.example.com/northwind-clinic", audience: .public), by: alice, at: at(20, 0), on: db)
        var attendees: [UUID] = []
        for (person, came) in [(carla, true), (dan, false), (esha, true)] {
            let seat = try await Events.register(clinic.id, by: person, baseURL: baseURL, at: at(25, 0), on: db)
            if came { attendees.append(seat.id) }
        }
        let (customer, _) = try await Events.register(
            clinic.id, email: "jonas.weber@outdoor-shop.example", name: "Jonas Weber", baseURL: baseURL, at: at(27, 0), on: db)
        attendees.append(customer.id)
        _ = try await Events.markAttendance(clinic.id, registrations: attendees, attended: true, by: alice, at: at(39, 8.5), on: db)
        let absent = try await Events.registrations(clinic.id, by: alice, on: db).filter { !attendees.contains($0.id) }.map(\.id)
        if !absent.isEmpty {
            _ = try await Events.markAttendance(clinic.id, registrations: absent, attended: false, by: alice, at: at(39, 8.5), on: db)
        }
        _ = try await Events.setRecording(
            clinic.id, link: "https://northwind.example/recordings/conversion-clinic", by: alice, at: at(39, 9), on: db)
        let (survey, _) = try await Events.followUpSurvey(clinic.id, kind: "csat", by: alice, baseURL: baseURL, at: at(39, 10), on: db)
        let key = try await SurveyLinks.key(on: db)
        if let asked = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!)
            .filter(\.$email == Validation.normalizedEmail(carla.user.email)).first()
        {
            _ = try await Surveys.respond(
                token: SurveyLinks.token(for: asked.id!, key: key),
                .init(score: 5, reason: "The checkout examples were exactly what our team needed.", answers: [:]), at: at(40, 2), on: db)
        }
        // The survey's invitations are history too: nobody is mailed when the demo starts.
        let organizer = try await Organization.find(alice.organizationID, on: db)?.name ?? ""
        try await OutboxMessage.query(on: db).filter(\.$kind == "survey-invitation")
            .filter(\.$subject == "\(organizer) asks: \(survey.title)").delete()
    }
}
