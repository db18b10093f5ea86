import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Updates, case studies and recognition")
struct EngagementTests {
    /// A commitment `owner` delivers to `recipient`, accepted as complete; returns its id.
    @discardableResult
    func completedWork(_ app: Application, pid: String, owner: Account, recipient: Account, title: String = "Landing page") async throws
        -> String
    {
        let created = try await app.api(
            .POST, "/partnerships/\(pid)/commitments", token: owner.token,
            json:
                #"{"title":"\#(title)","deliverable":"HTML","acceptanceCriteria":"Loads fast","dueAt":"2030-01-01T10:00:00Z","timeZone":"UTC"}"#
        )
        let id = created.body["id"] as? String ?? ""
        let url = "/partnerships/\(pid)/commitments/\(id)/transitions"
        #expect(try await app.api(.POST, url, token: recipient.token, json: #"{"action":"accept"}"#).status == .ok)
        #expect(try await app.api(.POST, url, token: owner.token, json: #"{"action":"deliver"}"#).status == .ok)
        let done = try await app.api(.POST, url, token: recipient.token, json: #"{"action":"approveDelivery"}"#)
        #expect(done.body["status"] as? String == "completed", "\(done.raw)")
        return id
    }

    func titles(_ app: Application, token: String?) async throws -> [String] {
        let r = try await app.api(.GET, "/updates", token: token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list.compactMap { $0["title"] as? String }
    }

    @Test func updatesReachTheirAudienceOnlyWithAPersonalLine() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Checkout redesign","dueAt":"2030-03-01T10:00:00Z","timeZone":"UTC"}"#)

            let published = try await app.api(
                .POST, "/updates", token: a.token,
                json:
                    #"{"title":"Our Q3 roadmap","body":"We ship **faster** now.\n\n<script>alert(1)</script> [site](https://northwind.example)","visibility":"partners"}"#
            )
            #expect(published.status == .created, "\(published.raw)")
            let id = published.body["id"] as? String ?? ""
            let html = published.body["bodyHtml"] as? String ?? ""
            #expect(html.contains("<strong>faster</strong>") && html.contains("&lt;script&gt;") && !html.contains("<script>"), "\(html)")
            #expect(html.contains(#"href="https://northwind.example""#), "\(html)")

            // The partner reads it; a stranger and someone without an account do not, not even by its id.
            #expect(try await titles(app, token: b.token) == ["Our Q3 roadmap"])
            #expect(try await titles(app, token: a.token) == ["Our Q3 roadmap"], "one's own updates are listed too")
            #expect(try await titles(app, token: c.token).isEmpty)
            #expect(try await app.api(.GET, "/updates/\(id)", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/updates/\(id)").status == .notFound)
            #expect(try await app.api(.GET, "/updates/\(id)", token: b.token).body["organizationName"] as? String == "Northwind")

            // Bob's mail speaks of their own work together; Kite's people get none.
            let mails = try await OutboxMessage.query(on: app.db).filter(\.$eventKind == "update.published").all()
            #expect(mails.map(\.toEmail) == [b.email], "\(mails.map(\.toEmail))")
            #expect(mails.first?.subject == "Northwind: Our Q3 roadmap")
            #expect(
                mails.first?.body.contains("Between Acme and Northwind: 1 open commitment; next, “Checkout redesign” due") == true,
                "\(mails.first?.body ?? "")")
            #expect(mails.first?.body.contains("We ship faster now.") == true, "the text without its markup: \(mails.first?.body ?? "")")

            // A circle audience: Kite placed in Northwind's connected circle reads it, the partner outside it does not.
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            let circle = try await app.api(
                .POST, "/updates", token: a.token,
                json: #"{"title":"For our circle","body":"Early access to the beta.","visibility":"connected"}"#)
            #expect(circle.status == .created, "\(circle.raw)")
            #expect(try await titles(app, token: c.token) == ["For our circle"])
            #expect(try await titles(app, token: b.token) == ["Our Q3 roadmap"])
            let kite = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == c.email).filter(\.$eventKind == "update.published")
                .all()
            #expect(kite.first?.body.contains("Northwind counts Kite among its connected.") == true, "\(kite.first?.body ?? "")")

            // A public update: anyone reads it, also in the Atom feed, which holds nothing else.
            let open = try await app.api(
                .POST, "/updates", token: a.token, json: #"{"title":"We are hiring","body":"Two designers.","visibility":"public"}"#)
            #expect(try await app.api(.GET, "/updates/\(open.body["id"] as? String ?? "")").status == .ok)
            let northwind = try #require(try await Organization.find(UUID(uuidString: a.organizationID), on: app.db))
            let feed = try await Updates.atom(of: northwind, baseURL: "https://bonafide.example", on: app.db)
            #expect(feed.contains("<title>We are hiring</title>") && !feed.contains("Our Q3 roadmap") && !feed.contains("For our circle"))
            #expect(feed.hasPrefix("<?xml") && feed.contains("https://bonafide.example/updates/"))
        }
    }

    @Test func badUpdatesAreRefusedAndWriteNothing() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let member = try await app.invitedMember(of: a, role: "member")
            let cases: [(String, String?, HTTPStatus)] = [
                (#"{"title":"","body":"Text","visibility":"partners"}"#, a.token, .unprocessableEntity),
                (#"{"title":"   ","body":"Text","visibility":"partners"}"#, a.token, .unprocessableEntity),
                (#"{"title":"T","body":"  ","visibility":"partners"}"#, a.token, .unprocessableEntity),
                (#"{"title":"T","body":"Text","visibility":"best-friends"}"#, a.token, .unprocessableEntity),
                (#"{"title":"T","body":"Text"}"#, a.token, .unprocessableEntity),
                (#"{"title":"T","body":"Text","visibility":"public"}"#, member.token, .forbidden),
                (#"{"title":"T","body":"Text","visibility":"public"}"#, nil, .unauthorized),
            ]
            for (json, token, expected) in cases {
                let r = try await app.api(.POST, "/updates", token: token, json: json)
                #expect(r.status == expected, "\(json): \(r.raw)")
                #expect(r.headers.contentType?.description.contains("problem+json") == true, "\(r.headers)")
            }
            let long = String(repeating: "x", count: Updates.maxBody + 1)
            let tooLong = try await app.api(
                .POST, "/updates", token: a.token, json: #"{"title":"T","body":"\#(long)","visibility":"public"}"#)
            #expect(tooLong.status.code >= 400 && tooLong.status.code < 500)
            #expect(try await OrganizationUpdate.query(on: app.db).count() == 0)
            #expect(try await app.api(.GET, "/updates?limit=0", token: a.token).status == .unprocessableEntity)
            #expect(try await app.api(.GET, "/updates/not-an-id", token: a.token).status == .notFound)
        }
    }

    @Test func caseStudiesAppearOnlyOnceThePartnerConfirms() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let text = "We rebuilt Acme's storefront together: **faster pages** and a checkout people finish."
            let early = try await app.api(
                .POST, "/case-studies", token: a.token, json: #"{"partnershipId":"\#(pid)","title":"Storefront","body":"\#(text)"}"#)
            #expect(early.status == .unprocessableEntity, "no completed work yet: \(early.raw)")
            try await completedWork(app, pid: pid, owner: a, recipient: b)
            // A stranger cannot write about a partnership it is not part of.
            #expect(
                try await app.api(
                    .POST, "/case-studies", token: c.token, json: #"{"partnershipId":"\#(pid)","title":"Storefront","body":"\#(text)"}"#
                )
                .status == .notFound)

            let proposed = try await app.api(
                .POST, "/case-studies", token: a.token, json: #"{"partnershipId":"\#(pid)","title":"Storefront","body":"\#(text)"}"#)
            #expect(proposed.status == .created, "\(proposed.raw)")
            #expect(proposed.body["status"] as? String == "awaitingPartner")
            let id = proposed.body["id"] as? String ?? ""
            let again = try await app.api(
                .POST, "/case-studies", token: a.token, json: #"{"partnershipId":"\#(pid)","title":"Second","body":"\#(text)"}"#)
            #expect(again.status == .conflict, "\(again.raw)")

            // Nobody but the two sides sees it yet.
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/case-studies").list.isEmpty)
            #expect(try await app.api(.GET, "/case-studies/\(id)", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/case-studies/\(id)").status == .notFound)
            #expect(try await app.api(.GET, "/case-studies", token: b.token).list.map { $0["status"] as? String } == ["awaitingPartner"])
            let asked = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == b.email).filter(\.$eventKind == "caseStudy.changed")
                .all()
            #expect(asked.first?.subject == "Northwind asks you to confirm a case study: Storefront", "\(asked.map(\.subject))")

            // Only the partner decides; the author cannot confirm its own story, a stranger is told it does not exist.
            let decision = "/case-studies/\(id)/decision"
            #expect(try await app.api(.POST, decision, token: a.token, json: #"{"decision":"confirm"}"#).status == .forbidden)
            #expect(try await app.api(.POST, decision, token: c.token, json: #"{"decision":"confirm"}"#).status == .notFound)
            #expect(try await app.api(.POST, decision, token: b.token, json: #"{"decision":"maybe"}"#).status == .unprocessableEntity)
            #expect(
                try await app.api(.POST, decision, token: b.token, json: #"{"decision":"decline","body":"Other words entirely."}"#).status
                    == .unprocessableEntity)

            // Two confirmations at once: one wins, the other is told it was already decided.
            let edited = "Northwind rebuilt our storefront: pages load in half the time and more people finish checkout."
            let statuses = try await together(2) { _ in
                try await app.api(.POST, decision, token: b.token, json: #"{"decision":"confirm","note":"Glad to","body":"\#(edited)"}"#)
                    .status
            }
            #expect(statuses.sorted { $0.code < $1.code } == [.ok, .conflict], "\(statuses)")
            let shown = try await app.api(.GET, "/organizations/\(a.organizationID)/case-studies")
            #expect(shown.list.count == 1, "\(shown.raw)")
            let study = shown.list.first ?? [:]
            #expect(study["confirmedBy"] as? String == "Confirmed by Acme")
            #expect(study["body"] as? String == edited && study["editedByPartner"] as? Bool == true)
            #expect(study["partnershipId"] == nil, "which partnership stays private to the two sides")
            let figures = study["figures"] as? [String: Any] ?? [:]
            #expect(figures["completedCommitments"] as? Int == 1 && figures["onTime"] as? Int == 1, "\(figures)")
            #expect(try await app.api(.GET, "/organizations/\(b.organizationID)/case-studies").list.count == 1, "on the partner's too")
            #expect(try await app.api(.GET, "/case-studies/\(id)").status == .ok, "a confirmed one is for anyone")

            // Either side withdraws it; it leaves the profiles and cannot be decided again.
            let withdrawn = try await app.api(.POST, "/case-studies/\(id)/withdrawal", token: b.token)
            #expect(withdrawn.body["status"] as? String == "withdrawn", "\(withdrawn.raw)")
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/case-studies").list.isEmpty)
            #expect(try await app.api(.POST, "/case-studies/\(id)/withdrawal", token: a.token).status == .conflict)

            // A declined one is never shown.
            let second = try await app.api(
                .POST, "/case-studies", token: a.token, json: #"{"partnershipId":"\#(pid)","title":"Take two","body":"\#(text)"}"#)
            let declined = try await app.api(
                .POST, "/case-studies/\(second.body["id"] as? String ?? "")/decision", token: b.token,
                json: #"{"decision":"decline","note":"Not yet, please"}"#)
            #expect(declined.body["status"] as? String == "declined" && declined.body["partnerNote"] as? String == "Not yet, please")
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/case-studies").list.isEmpty)
            #expect(try await app.api(.GET, "/organizations/\(UUID())/case-studies").status == .notFound)
        }
    }

    @Test func badgesComeAndGoWithTheRecord() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            func badges(_ org: String) async throws -> [String] {
                let r = try await app.api(.GET, "/organizations/\(org)/recognition")
                #expect(r.status == .ok, "\(r.raw)")
                return r.list.compactMap { $0["key"] as? String }
            }
            #expect(try await badges(b.organizationID).isEmpty)
            for i in 1...Recognition.streakThreshold {
                try await completedWork(app, pid: pid, owner: b, recipient: a, title: "Piece \(i)")
            }
            let earned = try await app.api(.GET, "/organizations/\(b.organizationID)/recognition")
            #expect(
                earned.list.first?["title"] as? String == "Kept \(Recognition.streakThreshold) commitments on time in a row",
                "\(earned.raw)")
            #expect(try await badges(a.organizationID).isEmpty, "the streak is the owner's, not the recipient's")

            // A missed commitment ends the streak, and the badge with it.
            let missed = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: b.token,
                json: #"{"title":"Late one","dueAt":"2031-01-01T10:00:00Z","timeZone":"UTC"}"#)
            let c = try #require(try await Commitment.find(UUID(uuidString: missed.body["id"] as? String ?? ""), on: app.db))
            c.status = .missed
            try await c.save(on: app.db)
            #expect(try await badges(b.organizationID).isEmpty)

            // Two years together earns one for both sides, named without naming the partner.
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            p.createdAt = Date().addingTimeInterval(-(2 * 365 + 40) * 86_400)
            try await p.save(on: app.db)
            let long = try await app.api(.GET, "/organizations/\(a.organizationID)/recognition")
            #expect(long.list.first?["title"] as? String == "2 years with the same partner", "\(long.raw)")
            #expect(!long.raw.contains("Relaunch") && !long.raw.contains("Acme"), "the partnership stays private: \(long.raw)")
            #expect(try await app.api(.GET, "/organizations/\(UUID())/recognition").status == .notFound)
        }
    }
}

extension EngagementTests {
    /// A commitment missed at the very moment another was delivered on time: the record cannot say which came last,
    /// so the streak is read as broken, the same on every database and every view.
    @Test func aMissAtTheSameMomentAsADeliveryBreaksTheStreak() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            func badges() async throws -> [String] {
                let r = try await app.api(.GET, "/organizations/\(b.organizationID)/recognition")
                #expect(r.status == .ok, "\(r.raw)")
                return r.list.compactMap { $0["key"] as? String }
            }
            // Whole seconds, so that the tie stays a tie through both databases' date columns.
            let moment = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            func deliver(_ id: String, at time: Date) async throws {
                let kept = try #require(try await Commitment.find(UUID(uuidString: id), on: app.db))
                kept.deliveredAt = time
                try await kept.save(on: app.db)
            }
            // Enough commitments kept on time before that moment to earn the badge on their own.
            for day in 1...Recognition.streakThreshold {
                let id = try await completedWork(app, pid: pid, owner: b, recipient: a, title: "Piece \(day)")
                try await deliver(id, at: moment.addingTimeInterval(-Double(day) * 86_400))
            }
            #expect(try await badges() == ["onTimeStreak"])

            // Kept first, then missed: the order in which the rows were written must not decide either.
            try await deliver(try await completedWork(app, pid: pid, owner: b, recipient: a, title: "Last piece"), at: moment)
            let late = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: b.token,
                json: #"{"title":"Late one","dueAt":"2031-01-01T10:00:00Z","timeZone":"UTC"}"#)
            let missed = try #require(try await Commitment.find(UUID(uuidString: late.body["id"] as? String ?? ""), on: app.db))
            missed.status = .missed
            missed.dueAt = moment
            try await missed.save(on: app.db)
            #expect(try await badges().isEmpty)
        }
    }

    @Test func aLateDeliveryAtTheSameMomentAsAnOnTimeOneBreaksTheStreak() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            // Whole seconds, so that the tie stays a tie through both databases' date columns.
            let moment = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            func deliver(_ id: String, at time: Date, dueAt: Date? = nil) async throws {
                let done = try #require(try await Commitment.find(UUID(uuidString: id), on: app.db))
                done.deliveredAt = time
                if let dueAt { done.dueAt = dueAt }
                try await done.save(on: app.db)
            }
            for day in 1...Recognition.streakThreshold {
                let id = try await completedWork(app, pid: pid, owner: b, recipient: a, title: "Piece \(day)")
                try await deliver(id, at: moment.addingTimeInterval(-Double(day) * 86_400))
            }
            // On time first, then late, both delivered at the same moment: the late one breaks the streak.
            try await deliver(try await completedWork(app, pid: pid, owner: b, recipient: a, title: "On time"), at: moment)
            try await deliver(
                try await completedWork(app, pid: pid, owner: b, recipient: a, title: "Late"), at: moment,
                dueAt: moment.addingTimeInterval(-3_600))
            let r = try await app.api(.GET, "/organizations/\(b.organizationID)/recognition")
            #expect(r.status == .ok, "\(r.raw)")
            #expect(r.list.compactMap { $0["key"] as? String }.isEmpty, "\(r.raw)")
        }
    }

    @Test func answerTimeBadgeCountsOnlyPartnersRecentQuestions() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let acme = try #require(UUID(uuidString: b.organizationID))
            // Whole seconds, so that a median of exactly 24 h stays exact through both databases' date columns.
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            /// A question `by` asks in a thread of its own, asked `hoursAgo` before `now` and answered `answeredAfter` hours later.
            func question(by asker: Account, hoursAgo: Double, answeredAfter: Double?) async throws {
                let asked = try await app.api(
                    .POST, "/partnerships/\(pid)/messages", token: asker.token,
                    json: #"{"body":"Can you share access?","subject":"Access","needsResponse":true}"#)
                #expect(asked.status == .created, "\(asked.raw)")
                let m = try #require(try await Message.find(UUID(uuidString: asked.body["id"] as? String ?? ""), on: app.db))
                m.createdAt = now.addingTimeInterval(-hoursAgo * 3_600)
                m.respondedAt = answeredAfter.map { m.createdAt.addingTimeInterval($0 * 3_600) }
                try await m.save(on: app.db)
            }
            func earnedBy(at time: Date) async throws -> String? {
                try await Recognition.answersWithinADay(of: acme, at: time, on: app.db)?.earnedBy
            }
            for wait in [1.0, 2, 25, 48] { try await question(by: a, hoursAgo: 200, answeredAfter: wait) }
            #expect(try await earnedBy(at: now) == nil, "four questions are too few to say anything")

            // The fifth is still open: it counts as waiting until now, 20 h, then 24 h four hours later, then longer.
            try await question(by: a, hoursAgo: 20, answeredAfter: nil)
            let prefix = "Median time to answer a partner's question over the last 90 days:"
            #expect(try await earnedBy(at: now) == "\(prefix) 20 h (5 questions).")
            #expect(try await earnedBy(at: now.addingTimeInterval(4 * 3_600)) == "\(prefix) 1 day (5 questions).")
            #expect(try await earnedBy(at: now.addingTimeInterval(4 * 3_600 + 1)) == nil, "a median past 24 h earns nothing")

            // Acme's own questions, long unanswered, and a partner's question from before the 90 days change nothing.
            for _ in 1...3 { try await question(by: b, hoursAgo: 240, answeredAfter: nil) }
            try await question(by: a, hoursAgo: 91 * 24, answeredAfter: 0.02)
            #expect(try await earnedBy(at: now) == "\(prefix) 20 h (5 questions).")
            // Northwind is the one asked by those three: too few questions for it.
            let northwind = try #require(UUID(uuidString: a.organizationID))
            #expect(try await Recognition.answersWithinADay(of: northwind, at: now, on: app.db) == nil)
        }
    }
}
