import BonafideCore
import Fluent
import Foundation
import Vapor

/// A realistic demo: five organizations, eight people, five partnerships in every state, over 30
/// commitments across every lifecycle state, and conversations with open requests. Built through
/// the same services as real use, so timelines and notifications are true to life.
public enum DemoSeed {
    public static let password = "bonafide-demo"

    public struct Login: Sendable {
        public let email: String
        public let name: String
        public let organization: String
    }

    public static let logins: [Login] = [
        .init(email: "alice@northwind.example", name: "Alice Becker", organization: "Northwind Studio"),
        .init(email: "ben@northwind.example", name: "Ben Vogel", organization: "Northwind Studio"),
        .init(email: "carla@acme.example", name: "Carla Diaz", organization: "Acme Retail"),
        .init(email: "dan@acme.example", name: "Dan Brooks", organization: "Acme Retail"),
        .init(email: "esha@kite.example", name: "Esha Rao", organization: "Kite Analytics"),
        .init(email: "farid@kite.example", name: "Farid Khan", organization: "Kite Analytics"),
        .init(email: "felix@harbor.example", name: "Felix Hart", organization: "Harbor Legal"),
        .init(email: "grace@lumen.example", name: "Grace Lin", organization: "Lumen Labs"),
    ]

    /// Seeds once; returns false when the demo data is already there.
    @discardableResult
    public static func run(on app: Application, now: Date = Date()) async throws -> Bool {
        let db = app.db
        if try await User.query(on: db).filter(\.$email == logins[0].email).first() != nil { return false }
        let hasher = app.password.async
        var users: [String: Actor] = [:]
        let zones = [
            "Northwind Studio": "Europe/Berlin", "Acme Retail": "America/New_York", "Kite Analytics": "Asia/Kolkata",
            "Harbor Legal": "Europe/London", "Lumen Labs": "Australia/Sydney",
        ]
        var orgIDs: [String: UUID] = [:]
        for login in logins {
            if let orgID = orgIDs[login.organization] {
                let inviter = users.values.first { $0.organizationID == orgID }!
                let (_, secret) = try await Accounts.inviteColleague(email: login.email, role: .member, by: inviter, on: db)
                let (user, _) = try await Accounts.register(
                    .init(
                        email: login.email, password: password, name: login.name,
                        organization: "", timeZone: zones[login.organization], invitation: secret), hasher: hasher, on: db)
                users[login.email] = Actor(user: user)
            } else {
                let (user, org) = try await Accounts.register(
                    .init(
                        email: login.email, password: password, name: login.name,
                        organization: login.organization, timeZone: zones[login.organization]), hasher: hasher, on: db)
                orgIDs[login.organization] = org.id!
                users[login.email] = Actor(user: user)
            }
        }
        // Demo people read their mail: their addresses count as confirmed.
        for actor in users.values {
            actor.user.emailVerifiedAt = actor.user.createdAt ?? Date()
            try await actor.user.save(on: db)
        }
        func a(_ name: String) -> Actor { users["\(name)"]! }
        let alice = a("alice@northwind.example"), ben = a("ben@northwind.example")
        let carla = a("carla@acme.example"), dan = a("dan@acme.example")
        let esha = a("esha@kite.example"), farid = a("farid@kite.example")
        let felix = a("felix@harbor.example")

        _ = try await Accounts.updateOrganization(
            .init(
                description: "A six-person product design studio for commerce teams.",
                capabilities: ["UX research and usability testing", "Design systems", "Shopify and headless storefront design"],
                limitations: ["No backend development", "No 24/7 support; replies within one working day"],
                risks: ["Two designers share one key client; holidays in August slow us down"],
                languages: ["English", "German"], workStart: "09:00", workEnd: "17:30", workDays: [1, 2, 3, 4, 5]), by: alice, on: db)
        _ = try await Accounts.updateOrganization(
            .init(
                description: "Mid-size online retailer of outdoor gear.",
                capabilities: ["Product data", "Fulfilment in North America"], limitations: ["Legal review takes two weeks"],
                risks: ["Peak season freezes releases from mid-November"], languages: ["English", "Spanish"],
                workStart: "08:30", workEnd: "17:00", workDays: [1, 2, 3, 4, 5]), by: carla, on: db)
        _ = try await Accounts.updateOrganization(
            .init(
                description: "Analytics and data engineering for retail.", capabilities: ["dbt and warehouse modelling", "Forecasting"],
                limitations: ["No on-site work outside India"], risks: ["Small team: one lead engineer"], languages: ["English", "Hindi"],
                workStart: "10:00", workEnd: "19:00", workDays: [1, 2, 3, 4, 5, 6]), by: esha, on: db)
        _ = try await Accounts.updateOrganization(
            .init(
                description: "Commercial contracts for digital agencies.", capabilities: ["Contract templates", "GDPR reviews"],
                limitations: ["English law only"], languages: ["English"], workStart: "09:00", workEnd: "17:00", workDays: [1, 2, 3, 4, 5]),
            by: felix, on: db)

        // Each part of a profile goes to its own audience: Northwind's story is public, its rates for collaborators.
        for (name, content, audience) in [
            ("about", nil, Audience.public), ("services", "Storefront redesigns\nDesign systems\nUsability testing", .public),
            ("rates", "EUR 95 per hour; fixed-price phases on request", .collaborator),
            ("clients", "Acme Outdoor (since 2024)\nTwo regional bakeries", .connected),
            ("availability", "Two designers free from next month", .partners),
        ] as [(String, String?, Audience)] {
            try await ProfileSections.set(name, content: content, audience: audience, title: nil, by: alice, on: db)
        }
        try await ProfileSections.set(
            "services", content: "Product data\nFulfilment in North America", audience: .signedIn, title: nil, by: carla, on: db)
        try await ProfileSections.set(
            "services", content: "dbt and warehouse modelling\nDemand forecasting\nDashboards", audience: .public, title: nil, by: esha,
            on: db)

        let day: TimeInterval = 86_400
        let start = now.addingTimeInterval(-60 * day)
        // Never later than a minute ago: the demo's history must be history.
        func at(_ days: Double, _ hours: Double = 0) -> Date {
            min(start.addingTimeInterval(days * day + hours * 3600), now.addingTimeInterval(-60))
        }
        // Due dates may lie ahead.
        func due(_ days: Double) -> Date { start.addingTimeInterval(days * day + 9 * 3600) }

        // Active: Northwind <-> Acme, the richest record.
        let (storefrontInvite, inv1) = try await Partnerships.create(
            name: "Acme storefront redesign", partnerEmail: carla.user.email,
            agreement:
                "Northwind redesigns the Acme storefront in three phases (research, design system, page templates).\nAcme provides analytics access and a decision-maker within two working days.\nEach deliverable is accepted against its written criteria.",
            by: alice, on: db)
        _ = storefrontInvite
        let storefront = try await Partnerships.accept(secret: inv1, by: carla, on: db)
        try await Partnerships.addMember(storefront, userID: ben.id, by: alice, on: db)
        try await Partnerships.addMember(storefront, userID: dan.id, by: carla, on: db)
        _ = try await Partnerships.updateAgreement(
            storefront,
            text:
                "Northwind redesigns the Acme storefront in three phases (research, design system, page templates).\nAcme provides analytics access and a decision-maker within two working days.\nEach deliverable is accepted against its written criteria.\nChange requests after sign-off are estimated separately.",
            by: carla, on: db)

        // Active: Acme <-> Kite.
        let (analyticsInvite, inv2) = try await Partnerships.create(
            name: "Quarterly demand forecasting", partnerEmail: esha.user.email,
            agreement:
                "Kite delivers a demand forecast per quarter with a written method note. Acme shares sales data by the 5th of each month.",
            by: dan, on: db)
        _ = analyticsInvite
        let analytics = try await Partnerships.accept(secret: inv2, by: esha, on: db)
        try await Partnerships.addMember(analytics, userID: farid.id, by: esha, on: db)

        // Ended: Northwind <-> Kite.
        let (brandInvite, inv3) = try await Partnerships.create(
            name: "Brand refresh 2026", partnerEmail: farid.user.email, agreement: nil, by: ben, on: db)
        _ = brandInvite
        let brand = try await Partnerships.accept(secret: inv3, by: farid, on: db)

        // Pending invitation and a declined one.
        _ = try await Partnerships.create(
            name: "Contract templates", partnerEmail: felix.user.email,
            agreement: "Harbor Legal drafts a master services agreement and a data processing addendum for Northwind's clients.", by: alice,
            on: db)
        let (dataRoom, inv5) = try await Partnerships.create(
            name: "Data room pilot", partnerEmail: felix.user.email, agreement: nil, by: esha, on: db)
        try await Partnerships.decline(secret: inv5, by: felix, on: db)
        _ = dataRoom

        typealias Step = (CommitmentAction, Actor, Double, String?)
        func commit(
            _ p: Partnership, _ title: String, by owner: Actor, createdDay: Double, dueDay: Double,
            _ steps: [Step], newDueDay: Double? = nil
        ) async throws {
            let c = try await Commitments.create(
                .init(
                    title: title, deliverable: "\(title): shared in the project folder.",
                    acceptanceCriteria: "Reviewed and approved by the receiving side.", dueAt: due(dueDay),
                    timeZone: owner.user.timeZone), in: p, by: owner, now: at(createdDay), on: db)
            for (action, actor, day, reason) in steps {
                _ = try await Commitments.transition(
                    c, in: p, action: action, reason: reason,
                    newDueAt: action == .proposeNewDate ? due(newDueDay ?? dueDay + 7) : nil,
                    by: actor, now: at(day, 10), on: db)
            }
        }
        // Completed on time, late with notice, late without notice.
        try await commit(
            storefront, "Stakeholder interviews", by: ben, createdDay: 1, dueDay: 8,
            [(.accept, carla, 1.2, nil), (.deliver, ben, 7, nil), (.approveDelivery, carla, 7.5, nil)])
        try await commit(
            storefront, "Usability test report", by: alice, createdDay: 2, dueDay: 14,
            [(.accept, dan, 2.5, nil), (.deliver, alice, 13, nil), (.approveDelivery, dan, 14, nil)])
        try await commit(
            storefront, "Analytics access for Northwind", by: dan, createdDay: 1, dueDay: 3,
            [(.accept, alice, 1.1, nil), (.deliver, dan, 2, nil), (.approveDelivery, alice, 2.2, nil)])
        try await commit(
            storefront, "Design system foundations", by: alice, createdDay: 10, dueDay: 24,
            [
                (.accept, carla, 10.5, nil), (.flagAtRisk, alice, 20, "Icon set licence still pending"), (.deliver, alice, 26, nil),
                (.approveDelivery, carla, 27, nil),
            ])
        try await commit(
            storefront, "Product page template", by: ben, createdDay: 15, dueDay: 30,
            [(.accept, carla, 15.2, nil), (.deliver, ben, 33, nil), (.approveDelivery, dan, 34, nil)])
        try await commit(
            storefront, "Brand photography brief", by: carla, createdDay: 5, dueDay: 12,
            [(.accept, alice, 5.1, nil), (.deliver, carla, 11, nil), (.approveDelivery, alice, 11.2, nil)])
        // Sent back, then done.
        try await commit(
            storefront, "Checkout flow wireframes", by: alice, createdDay: 20, dueDay: 40,
            [
                (.accept, carla, 20.5, nil), (.deliver, alice, 35, nil), (.sendBack, carla, 36, "Guest checkout is missing"),
                (.deliver, alice, 38, nil), (.approveDelivery, carla, 39, nil),
            ])
        // Delivered, waiting for acceptance.
        try await commit(
            storefront, "Category page template", by: ben, createdDay: 40, dueDay: 62,
            [(.accept, dan, 40.5, nil), (.deliver, ben, 59.5, nil)])
        try await commit(
            storefront, "Content migration plan", by: dan, createdDay: 45, dueDay: 63,
            [(.accept, alice, 45.5, nil), (.deliver, dan, 59.8, nil)])
        // Accepted and upcoming; one at risk, one with a new date proposed.
        try await commit(storefront, "Accessibility audit", by: alice, createdDay: 50, dueDay: 64, [(.accept, carla, 50.5, nil)])
        try await commit(
            storefront, "Search results template", by: ben, createdDay: 52, dueDay: 66,
            [(.accept, carla, 52.5, nil), (.flagAtRisk, ben, 59, "Waiting for the search API spec from Acme")])
        try await commit(
            storefront, "Launch checklist", by: alice, createdDay: 53, dueDay: 70,
            [(.accept, dan, 53.5, nil), (.proposeNewDate, alice, 59, "Acme asked to add the loyalty pages first")], newDueDay: 78)
        try await commit(storefront, "Loyalty programme copy", by: carla, createdDay: 54, dueDay: 67, [(.accept, alice, 54.5, nil)])
        // Proposed, waiting for the other side.
        try await commit(storefront, "Performance budget", by: ben, createdDay: 59, dueDay: 75, [])
        try await commit(storefront, "Product feed export", by: dan, createdDay: 59.5, dueDay: 72, [])
        // Declined and withdrawn.
        try await commit(
            storefront, "Native app mock-ups", by: alice, createdDay: 12, dueDay: 40, [(.decline, carla, 13, "Out of scope for this phase")]
        )
        try await commit(
            storefront, "Holiday campaign banners", by: ben, createdDay: 18, dueDay: 35,
            [(.withdraw, ben, 19, "Acme's in-house team took this over")])
        // Missed: accepted, then the due date passed undelivered (the sweep below marks them).
        try await commit(storefront, "Style guide PDF", by: ben, createdDay: 30, dueDay: 45, [(.accept, carla, 30.5, nil)])
        try await commit(storefront, "Approval of page templates", by: carla, createdDay: 35, dueDay: 50, [(.accept, alice, 35.5, nil)])
        // Missed and delivered late afterwards.
        try await commit(storefront, "Homepage hero variants", by: alice, createdDay: 30, dueDay: 42, [(.accept, carla, 30.5, nil)])

        try await commit(
            analytics, "Q3 forecast", by: esha, createdDay: 2, dueDay: 20,
            [(.accept, dan, 2.5, nil), (.deliver, esha, 19, nil), (.approveDelivery, dan, 21, nil)])
        try await commit(
            analytics, "Sales data export for July", by: dan, createdDay: 3, dueDay: 8,
            [(.accept, esha, 3.5, nil), (.deliver, dan, 10, nil), (.approveDelivery, esha, 10.5, nil)])
        try await commit(
            analytics, "Method note Q3", by: farid, createdDay: 15, dueDay: 25,
            [
                (.accept, carla, 15.5, nil), (.flagAtRisk, farid, 22, "Holiday data anomaly needs a second pass"),
                (.deliver, farid, 27, nil), (.approveDelivery, carla, 28, nil),
            ])
        try await commit(analytics, "Sales data export for August", by: carla, createdDay: 30, dueDay: 38, [(.accept, esha, 30.5, nil)])
        try await commit(analytics, "Q4 forecast", by: esha, createdDay: 45, dueDay: 68, [(.accept, dan, 45.5, nil)])
        try await commit(
            analytics, "Stock-out dashboard", by: farid, createdDay: 56, dueDay: 74,
            [(.accept, dan, 56.5, nil), (.flagAtRisk, farid, 59.5, "Warehouse feed credentials not yet received")])
        try await commit(analytics, "Forecast accuracy review", by: esha, createdDay: 58, dueDay: 80, [])
        try await commit(
            analytics, "Returns data cleanup", by: dan, createdDay: 20, dueDay: 30, [(.decline, esha, 21, "Needs a separate engagement")])

        try await commit(
            brand, "Logo concepts", by: ben, createdDay: 1, dueDay: 10,
            [(.accept, farid, 1.5, nil), (.deliver, ben, 9, nil), (.approveDelivery, farid, 9.5, nil)])
        try await commit(
            brand, "Brand guidelines", by: ben, createdDay: 5, dueDay: 20,
            [(.accept, farid, 5.5, nil), (.deliver, ben, 23, nil), (.approveDelivery, esha, 24, nil)])
        try await commit(
            brand, "Slide template", by: alice, createdDay: 10, dueDay: 25,
            [(.accept, esha, 10.5, nil), (.withdraw, alice, 26, "Kite switched slide tools")])
        try await commit(brand, "Website colour update", by: farid, createdDay: 12, dueDay: 28, [(.accept, ben, 12.5, nil)])

        // The sweep marks each commitment missed shortly after its due date, as the running server would, and the
        // late delivery of a missed one comes after its miss on the record.
        for day in [30.0, 40, 45] { try await Commitments.sweepOverdue(now: at(day, 12), on: db) }
        if let hero = try await Commitment.query(on: db).filter(\.$title == "Homepage hero variants").first() {
            _ = try await Commitments.transition(
                hero, in: storefront, action: .deliver, reason: "Sorry for the delay", newDueAt: nil, by: alice, now: at(48, 10), on: db)
        }
        try await Commitments.sweepOverdue(now: at(50, 12), on: db)
        try await Commitments.sweepOverdue(now: now, on: db)
        try await Partnerships.end(
            brand, reason: "The refresh shipped; remaining work moves to Kite's in-house designer.", by: esha, on: db)

        // Conversations, answered and open.
        func say(
            _ p: Partnership, _ who: Actor, _ body: String, day: Double, ask: Bool = false, thread: UUID? = nil, subject: String? = nil
        ) async throws -> UUID {
            try await Messages.post(
                .init(body: body, needsResponse: ask, threadID: thread, subject: subject), in: p, by: who, now: at(day, 11), on: db
            ).$thread.id
        }
        let kickoff = try await say(
            storefront, alice, "Welcome aboard! Could you share GA4 read access for ben@northwind.example?", day: 1, ask: true,
            subject: "Kickoff")
        _ = try await say(storefront, dan, "Done: access granted this morning.", day: 1.3, thread: kickoff)
        _ = try await say(
            storefront, carla, "Can you confirm the research sessions happen in the week of the 10th?", day: 3, ask: true, thread: kickoff)
        _ = try await say(storefront, ben, "Confirmed, five sessions booked.", day: 4.5, thread: kickoff)
        let search = try await say(
            storefront, ben, "We need the search API spec to finish the results template. Who owns it on your side?", day: 57, ask: true,
            subject: "Search API spec")
        _ = try await say(
            storefront, ben, "Friendly nudge on the spec: the template is at risk without it.", day: 59.5, ask: true, thread: search)
        let loyalty = try await say(
            storefront, carla, "Could you send a first draft of the loyalty page structure before Friday?", day: 59.6, ask: true,
            subject: "Loyalty pages")
        _ = loyalty
        let data = try await say(
            analytics, esha, "Please send the warehouse feed credentials through the secure channel.", day: 57, ask: true,
            subject: "Warehouse feed")
        _ = try await say(analytics, dan, "Requested from IT; expect them Monday.", day: 58, thread: data)
        _ = try await say(
            analytics, esha, "Still missing the credentials; the dashboard slips without them.", day: 59.7, ask: true, thread: data)
        _ = try await say(
            analytics, carla, "What holdout period do you use to measure forecast accuracy?", day: 58.5, ask: true,
            subject: "Accuracy method")

        // Northwind's NPS survey of its partners' people and its customers, answered over three weeks, so the
        // score, its interval, the weekly trend, segments and reasons with their sentiment all show.
        let pulse = try await Surveys.create(
            .init(
                title: "Client pulse", kind: "nps", question: nil, campaign: "Autumn",
                questions: [
                    .init(
                        id: "q1", kind: .choice, prompt: "Which work did you see most of?", options: ["Design", "Development", "Content"])
                ]),
            by: alice, at: at(40), on: db)
        let customers = (1...12).map {
            Surveys.RecipientInput(email: "customer\($0)@shop.example", name: "Customer \($0)", segment: $0 <= 6 ? "Retail" : "Wholesale")
        }
        _ = try await Surveys.addRecipients(customers, partners: true, to: pulse, by: alice, at: at(40), on: db)
        _ = try await Surveys.send(pulse, by: alice, baseURL: app.bonafide.baseURL, at: at(40), on: db)
        let key = try await SurveyLinks.key(on: db)
        let asked = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == pulse.id!).sort(\.$email).all()
        let answers: [(Int?, String)] = [
            (9, "Clear, honest updates and the design was on time."), (10, "Always on time and quick to reply."),
            (6, "The launch slipped twice and we heard about it late."), (8, ""), (10, "They went above and beyond on the checkout."),
            (3, "No response for a week when the site was down."), (9, "Reliable partner, great design work."),
            (7, "Good work, but the invoices were confusing."), (nil, "No opinion yet."), (10, ""),
            (5, "Our support tickets took forever."),
            (10, "Best agency we have worked with!"), (9, "Fast and friendly."),
        ]
        for (k, r) in asked.enumerated() where k < answers.count {
            _ = try await Surveys.respond(
                token: SurveyLinks.token(for: r.id!, key: key),
                .init(score: answers[k].0, reason: answers[k].1, answers: k % 3 == 0 ? ["q1": .text("Design")] : [:]),
                at: at(41 + Double(k) * 1.4), on: db)
        }

        // Mentions Northwind follows: reviews of itself over ten weeks, and of its partner Acme, whose last week
        // turned sour (late deliveries, an outage) so the weekly trend shows a drop and raises an alert.
        let openers = [
            "Northwind delivered the redesign on time", "Quick to reply and clear estimates", "Great design work from Northwind",
            "Reliable partner: they flagged a delay early", "Helpful and honest about what they cannot do",
            "The new checkout Northwind built is fast",
        ]
        let details = [
            "and the team was a pleasure to work with.", "though the first invoice was confusing.", "and our conversion went up.",
            "but the staging site was down for a day.", "and they answered on a Sunday.",
        ]
        var reviews: [Mentions.Input] = []
        for n in 0..<30 {
            reviews.append(
                .init(
                    text: "\(openers[n % openers.count]) \(details[(n / openers.count + n) % details.count])", author: "Reviewer \(n + 1)",
                    source: "Trustpilot", publishedAt: now.addingTimeInterval(-Double((n / 3) * 7 + (n % 3) * 2 + 1) * day)))
        }
        let acmeWords = [
            "Acme Retail shipped every order on time.", "Friendly Acme staff, easy returns.", "Acme's new store app is great.",
            "Fast delivery from Acme, well packed.", "Good prices at Acme this season.", "Acme support solved my problem in minutes.",
        ]
        for n in 0..<16 {
            reviews.append(
                .init(
                    text: acmeWords[n % acmeWords.count] + ["", " Will shop again.", " Recommended."][n / acmeWords.count],
                    author: "Shopper \(n + 1)", brand: "Acme Retail", source: "News feed",
                    publishedAt: now.addingTimeInterval(-Double((n / 2 + 1) * 7 + (n % 2) * 3 + 1) * day)))
        }
        // An hour apart, but all inside this ISO week: early on a Monday, hours back would split them over two weeks,
        // neither with enough reviews to count, and the drop would not show.
        let sourSpacing = min(3_600, now.timeIntervalSince(Mentions.weekStart(now)) / 5)
        for (k, text) in [
            "Acme Retail's website was down for most of Saturday, orders lost.", "Three weeks late and no refund from Acme.",
            "Acme support never answered; very disappointed.", "Terrible experience: Acme cancelled my order without notice.",
        ].enumerated() {
            reviews.append(
                .init(
                    text: text, brand: "Acme Retail", source: "News feed", publishedAt: now.addingTimeInterval(-Double(k + 1) * sourSpacing)
                ))
        }
        _ = try await Mentions.importMentions(reviews, source: "demo", into: alice.organizationID, at: now, on: db)

        // Circles and testimonials: Northwind keeps Acme close and follows Harbor; Acme refers Northwind and says so.
        try await Circles.place(carla.organizationID, in: .collaborator, note: "Our main retail client", by: alice, at: at(40), on: db)
        try await Circles.place(esha.organizationID, in: .connected, note: "", by: alice, at: at(30), on: db)
        try await Circles.place(felix.organizationID, in: .follow, note: "Could draft our client contracts", by: alice, at: at(50), on: db)
        try await Circles.place(alice.organizationID, in: .trustedReferral, note: "", by: carla, at: at(45), on: db)
        try await Testimonials.write(
            about: alice.organizationID,
            text: "Northwind ran our storefront redesign with clear estimates and quick replies; the usability report changed our roadmap.",
            by: carla, at: at(45), on: db)
        try await Testimonials.write(
            about: carla.organizationID, text: "Acme gave us analytics access within a day and always decided quickly. Easy to work with.",
            by: alice, at: at(46), on: db)
        // Incidents: Northwind handles one openly and publishes its account; Acme discloses one itself; Kite ignores one.
        let leak = try await Incidents.raise(
            .init(
                title: "Staging password posted in a shared channel",
                description: "The storefront staging password appeared in the shared Slack channel that includes two other agencies.",
                severity: .major, occurredAt: at(20)), in: storefront, by: carla, now: at(20, 1), on: db)
        _ = try await Incidents.act(leak, in: storefront, action: .acknowledge, note: "Rotating it now.", by: alice, now: at(20, 3), on: db)
        _ = try await Incidents.act(
            leak, in: storefront, action: .resolve, note: nil,
            rootCause: "Credentials were shared by chat because our password manager had no vault for client projects.",
            improvementPlan:
                "Rotated the password the same day; a client vault per project in our password manager; chat scanning for secrets.",
            by: alice, now: at(22), on: db)
        _ = try await Incidents.act(leak, in: storefront, action: .close, note: nil, by: carla, now: at(23), on: db)
        _ = try await Incidents.publish(leak, in: storefront, true, by: alice, now: at(23, 2), on: db)
        let revoked = try await Incidents.raise(
            .init(
                title: "Analytics access revoked by mistake",
                description: "An access review removed Northwind's analytics login for a day.", severity: .minor,
                occurredAt: at(35), selfReported: true), in: storefront, by: dan, now: at(35, 2), on: db)
        _ = try await Incidents.act(
            revoked, in: storefront, action: .resolve, note: nil,
            rootCause: "The quarterly access review treated partner logins like former staff.",
            improvementPlan: "Partner accounts are tagged and listed separately in the access review.", by: dan, now: at(36), on: db)
        _ = try await Incidents.raise(
            .init(
                title: "Forecast built on last year's data", description: "The Q3 forecast used the 2025 sales extract, not this year's.",
                severity: .minor, occurredAt: at(49)), in: analytics, by: dan, now: at(50), on: db)
        // Credentials: one confirmed by its issuer, one a claim, one waiting for the issuer.
        let gdpr = try await Credentials.add(
            .init(
                kind: .certification, title: "GDPR readiness review 2026", issuerName: "", issuerID: felix.organizationID,
                identifier: "HL-2026-117", validUntil: now.addingTimeInterval(300 * day)), by: alice, now: at(10), on: db)
        _ = try await Credentials.decide(gdpr.id!, .confirm, note: "", by: felix, now: at(11), on: db)
        try await Credentials.add(
            .init(kind: .membership, title: "Shopify Partner Program", issuerName: "Shopify"), by: alice, now: at(12), on: db)
        try await Credentials.add(
            .init(kind: .certification, title: "Forecast data handling audit", issuerName: "", issuerID: esha.organizationID),
            by: carla, now: at(55), on: db)
        // A weekly check-in of the storefront work: held twice with notes, skipped once, an agenda for next time.
        let checkIn = try await CheckIns.schedule(
            .init(
                title: "Storefront weekly", frequency: "weekly", firstAt: at(37, 10), durationMinutes: 30,
                videoLink: "https://meet.example.com/storefront"),
            in: storefront, by: alice, now: at(37), on: db)
        for (week, held, who, notes) in [
            (0.0, true, carla, "Agreed the design-system scope; Acme sends brand assets by Friday."),
            (1.0, false, alice, "Public holiday in Berlin."),
            (2.0, true, ben, "Reviewed the product page template; two fixes before sign-off."),
        ] {
            _ = try await CheckIns.record(
                checkIn, meeting: checkIn.schedule.meeting(Int(week)), held: held, notes: notes, in: storefront, by: who,
                now: checkIn.schedule.meeting(Int(week)).addingTimeInterval(3_600), on: db)
        }
        _ = try await CheckIns.addAgenda("Launch checklist owners", to: checkIn, in: storefront, by: dan, now: now, on: db)
        // Keeping in touch: Northwind writes to its partners and to its connected circle, Acme posts publicly, and
        // Northwind tells the storefront story, which Acme confirms in its own words.
        _ = try await Updates.publish(
            title: "Design system 2.0 is live",
            body: """
                The new design system is in Figma and in code. What changes for you:

                - **Faster page templates**: product and category pages now share one layout
                - Accessible colours by default (WCAG AA contrast on every token)
                - A changelog per release, so your team sees what moved

                Questions? Reply in your partnership's thread or join the walkthrough on Thursday.
                """,
            audience: .partners, by: alice, at: at(52), on: db)
        _ = try await Updates.publish(
            title: "Early access: our usability test panel",
            body: """
                We are opening our usability panel (40 shoppers across Germany and the US) to the organizations in our \
                circle before anyone else. Two slots a month, *free for the first session*.

                Details: https://northwind.example/panel
                """,
            audience: .connected, by: alice, at: at(56), on: db)
        _ = try await Updates.publish(
            title: "Autumn catalogue: we are looking for a photo studio",
            body:
                "Acme is planning its autumn outdoor catalogue (120 products, two location shoots). Studios with outdoor experience: write to us.",
            audience: .public, by: carla, at: at(57), on: db)
        let story = try await CaseStudies.propose(
            partnership: storefront.id, title: "Acme's storefront: from research to a faster checkout",
            body: """
                Acme asked us to redesign a storefront that worked on desktop and lost shoppers on phones.

                1. **Research**: twelve usability sessions with Acme's customers
                2. **Design system**: one component library for every page
                3. **Templates**: product and category pages built on it

                The record shows the rest: every deliverable accepted against its written criteria.
                """,
            by: alice, at: at(53), on: db)
        _ = try await CaseStudies.decide(
            story.id, confirm: true, note: "Happy to confirm: we added what mattered most to us.",
            body: """
                Acme asked Northwind to redesign a storefront that worked on desktop and lost shoppers on phones.

                1. **Research**: twelve usability sessions with our customers
                2. **Design system**: one component library for every page
                3. **Templates**: product and category pages built on it

                Our mobile checkout is shorter by two steps, and Northwind answered every question within a day.
                """,
            by: carla, at: at(54), on: db)
        // A public webinar next week with registrations and questions (Acme's and Kite's people), and a thank-you Acme
        // shows on its profile.
        let webinar = try await Events.create(
            .init(
                title: "Design system walkthrough: live Q&A",
                description: """
                    A 45-minute tour of **Design system 2.0**: how the page templates fit together and what it means for your
                    releases. Bring your questions; the recording goes to everyone registered.
                    """,
                startsAt: due(68).addingTimeInterval(7 * 3600), durationMinutes: 45, timeZone: "Europe/Berlin", capacity: 60,
                videoLink: "https://meet.example.com/northwind-walkthrough", audience: .public), by: alice, at: at(57), on: db)
        for person in [carla, dan, esha] {
            _ = try await Events.register(webinar.id, by: person, baseURL: app.bonafide.baseURL, at: at(58), on: db)
        }
        let tokens = try await Events.ask(
            webinar.id, text: "Will the colour tokens be exported for our native apps too?", as: .person(carla), at: at(58, 2), on: db)
        _ = try await Events.ask(
            webinar.id, text: "How do we request a new component without waiting for a release?", as: .person(esha), at: at(58, 3),
            on: db)
        _ = try await Events.vote(webinar.id, question: tokens.id, as: .person(dan), at: at(58, 4), on: db)
        _ = try await Events.vote(webinar.id, question: tokens.id, as: .person(esha), at: at(58, 5), on: db)
        _ = try await Events.answer(
            webinar.id, question: tokens.id,
            answer: "Yes: iOS and Android exports ship with 2.1; we will show the pipeline in the walkthrough.", by: alice,
            at: at(59), on: db)
        // Acme asks Northwind for help and gets its answer within the promise of one working day.
        let ticket = try await Support.open(
            with: alice.organizationID, subject: "Checkout template breaks on small phones",
            body: "On 360 px wide screens the pay button falls below the fold on the checkout template. Could you take a look?",
            by: dan, at: at(55, 2), on: db)
        _ = try await Support.reply(
            to: ticket.id, body: "Reproduced; the sticky footer ignored the safe area. Fixed in template 2.0.3, live now.", by: ben,
            at: at(55, 6), on: db)
        _ = try await Support.resolve(ticket.id, by: dan, at: at(56), on: db)
        let thanks = try await Thanks.give(
            to: carla.organizationID, text: "Thank you for deciding within a day every time we asked: it kept the redesign on schedule.",
            by: alice, at: at(56), on: db)
        _ = try await Thanks.decide(thanks.id, show: true, by: carla, at: at(56, 4), on: db)
        try await seedPanelOfferAndPastWebinar(
            app, now: now, at: at, alice: alice, ben: ben, carla: carla, dan: dan, esha: esha, farid: farid)
        try await seedChallenge(by: alice, carla: carla, dan: dan, esha: esha, baseURL: app.bonafide.baseURL, at: at, due: due, on: db)
        try await seedContent(by: alice, at: at(59, 4), on: db)
        // Northwind keeps its partners informed on a status page.
        _ = try await StatusPages.setVisibility(StatusPageVisibility.partners.rawValue, by: alice, on: db)
        // The demo's history is not news: its notifications stay under the bell and are not mailed.
        try await OutboxMessage.query(on: db).filter(\.$kind == Notifier.mailKind).delete()
        try await OutboxMessage.query(on: db).filter(\.$kind ~~ [Events.confirmationKind, Events.noticeKind]).delete()
        return true
    }
}
