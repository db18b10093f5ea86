import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Circles and testimonials")
struct CircleAndTestimonialTests {
    func summaries(_ body: [String: Any]) -> [String] {
        (body["explanation"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
    }

    func trust(_ app: Application, from viewer: Account, of subject: Account) async throws -> [String: Any] {
        _ = try await TrustService.drain(on: app.db)
        let r = try await app.api(.GET, "/trust/\(subject.organizationID)", token: viewer.token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.body
    }

    /// A commitment `owner` delivers to `recipient` in the partnership, accepted as complete.
    func completedWork(_ app: Application, pid: String, owner: Account, recipient: Account) async throws {
        let created = try await app.api(
            .POST, "/partnerships/\(pid)/commitments", token: owner.token,
            json:
                #"{"title":"Landing page","deliverable":"HTML","acceptanceCriteria":"Loads fast","dueAt":"2030-01-01T10:00:00Z","timeZone":"UTC"}"#
        )
        let url = "/partnerships/\(pid)/commitments/\(created.body["id"] as? String ?? "")/transitions"
        #expect(try await app.api(.POST, url, token: recipient.token, json: #"{"action":"accept"}"#).status == .ok)
        #expect(try await app.api(.POST, url, token: owner.token, json: #"{"action":"deliver"}"#).status == .ok)
        let done = try await app.api(.POST, url, token: recipient.token, json: #"{"action":"approveDelivery"}"#)
        #expect(done.body["status"] as? String == "completed", "\(done.raw)")
    }

    @Test func circlesArePrivateCheckedAndCountAsTrustEvidence() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            _ = try await app.register("Emil", org: "Ökobau Émile")
            // Finding whom to place: any case (also beyond ASCII), never one's own organization, wildcards literal.
            let own = UUID(uuidString: a.organizationID)!
            #expect(try await Circles.findOrganizations(named: "aCM", except: own, on: app.db).map(\.name) == ["Acme"])
            #expect(try await Circles.findOrganizations(named: "ökobau", except: own, on: app.db).map(\.name) == ["Ökobau Émile"])
            #expect(try await Circles.findOrganizations(named: "ÉMILE", except: own, on: app.db).count == 1)
            #expect(try await Circles.findOrganizations(named: "north", except: own, on: app.db).isEmpty)
            #expect(try await Circles.findOrganizations(named: "%", except: own, on: app.db).isEmpty)
            let put = try await app.api(
                .PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"collaborator","note":"Ships on time"}"#)
            #expect(put.status == .ok, "\(put.raw)")
            #expect(put.body["circle"] as? String == "collaborator" && put.body["organizationName"] as? String == "Acme")
            // A stranger can be followed too; following expresses interest, not trust.
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"follow"}"#).status == .ok)
            let mine = try await app.api(.GET, "/circles", token: a.token)
            #expect(mine.list.map { $0["organizationName"] as? String } == ["Acme", "Kite"], "closest first: \(mine.raw)")
            // Private: the placed organization and anyone else see nothing of it.
            #expect(try await app.api(.GET, "/circles", token: b.token).list.isEmpty)
            #expect(try await app.api(.GET, "/circles", token: c.token).list.isEmpty)

            var body = try await trust(app, from: a, of: b)
            #expect(summaries(body).contains("In your collaborators circle: “Ships on time”"), "\(summaries(body))")
            let before = (body["overall"] as? [String: Any])?["expectation"] as? Double ?? 0
            #expect(
                try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"trusted-referral"}"#).status
                    == .ok)
            body = try await trust(app, from: a, of: b)
            #expect(summaries(body).contains("You vouch for them as a trusted referral"), "\(summaries(body))")
            let after = (body["overall"] as? [String: Any])?["expectation"] as? Double ?? 0
            #expect(after > before, "a closer circle raises trust: \(before) -> \(after)")
            #expect(try await app.api(.GET, "/circles", token: a.token).list.count == 2, "moved, not added")

            // Bad input changes nothing, with a specific error.
            let bad = try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"best-friends"}"#)
            #expect(bad.status.code >= 400 && bad.status.code < 500)
            #expect(
                try await app.api(.PUT, "/circles/\(a.organizationID)", token: a.token, json: #"{"circle":"follow"}"#).status
                    == .unprocessableEntity)
            #expect(try await app.api(.PUT, "/circles/\(UUID())", token: a.token, json: #"{"circle":"follow"}"#).status == .notFound)
            let long = try await app.api(
                .PUT, "/circles/\(b.organizationID)", token: a.token,
                json: #"{"circle":"follow","note":"\#(String(repeating: "x", count: 501))"}"#)
            #expect(long.status.code >= 400 && long.status.code < 500)
            #expect(try await app.api(.GET, "/circles", token: a.token).list.first?["circle"] as? String == "trusted-referral")

            // Members see the circles but only owners and admins change them.
            let member = try await app.invitedMember(of: a, role: "member")
            #expect(try await app.api(.GET, "/circles", token: member.token).list.count == 2)
            #expect(
                try await app.api(.PUT, "/circles/\(c.organizationID)", token: member.token, json: #"{"circle":"connected"}"#).status
                    == .forbidden)
            #expect(try await app.api(.DELETE, "/circles/\(b.organizationID)", token: member.token).status == .forbidden)

            #expect(try await app.api(.DELETE, "/circles/\(b.organizationID)", token: a.token).status == .noContent)
            #expect(try await app.api(.DELETE, "/circles/\(b.organizationID)", token: a.token).status == .notFound)
            body = try await trust(app, from: a, of: b)
            #expect(!summaries(body).contains { $0.contains("circle") || $0.contains("vouch") })
        }
    }

    @Test func testimonialsNeedCompletedWorkAreScoredPublicAndCountByTone() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let text = #"{"text":"Acme delivered the landing page early, and their team was quick and helpful throughout."}"#
            let refused = try await app.api(.PUT, "/organizations/\(b.organizationID)/testimonials", token: a.token, json: text)
            #expect(refused.status == .forbidden)
            #expect((refused.body["detail"] as? String ?? "").contains("real, completed work"), "\(refused.raw)")
            // Work the other way round (a delivering to b) does not entitle a to speak of b.
            try await completedWork(app, pid: pid, owner: a, recipient: b)
            #expect(
                try await app.api(.PUT, "/organizations/\(b.organizationID)/testimonials", token: a.token, json: text).status == .forbidden)
            try await completedWork(app, pid: pid, owner: b, recipient: a)

            let written = try await app.api(.PUT, "/organizations/\(b.organizationID)/testimonials", token: a.token, json: text)
            #expect(written.status == .ok, "\(written.raw)")
            #expect(written.body["label"] as? String == "positive" && (written.body["sentiment"] as? Double ?? 0) > 0.3)
            #expect((written.body["drivers"] as? [String] ?? []).contains("helpful"), "\(written.raw)")
            // The partnership is private to its members: its name is not published.
            #expect((written.body["basis"] as? String ?? "").hasPrefix("Completed work together since "), "\(written.raw)")
            #expect(!written.raw.contains("Relaunch"))
            #expect(written.body["authorOrganizationName"] as? String == "Northwind")
            // Public: a stranger reads it on the profile, over the API and on the page.
            let seen = try await app.api(.GET, "/organizations/\(b.organizationID)/testimonials", token: c.token)
            #expect(
                seen.list.count == 1
                    && seen.list.first?["text"] as? String
                        == "Acme delivered the landing page early, and their team was quick and helpful throughout."
            )
            #expect(try await app.api(.GET, "/organizations/\(UUID())/testimonials", token: c.token).status == .notFound)

            var body = try await trust(app, from: a, of: b)
            #expect(summaries(body).contains { $0.hasPrefix("Your testimonial (positive): “Acme delivered") }, "\(summaries(body))")
            let glowing = (body["overall"] as? [String: Any])?["expectation"] as? Double ?? 0

            // Rewriting replaces it; a scathing one counts against them.
            let rewritten = try await app.api(
                .PUT, "/organizations/\(b.organizationID)/testimonials", token: a.token,
                json: #"{"text":"Late twice, ignored our emails and the fix was terrible. Very disappointed."}"#)
            #expect(rewritten.body["label"] as? String == "negative", "\(rewritten.raw)")
            #expect(try await app.api(.GET, "/organizations/\(b.organizationID)/testimonials", token: c.token).list.count == 1)
            body = try await trust(app, from: a, of: b)
            let scathing = (body["overall"] as? [String: Any])?["expectation"] as? Double ?? 0
            #expect(scathing < glowing, "\(glowing) -> \(scathing)")

            // A plain member may not rewrite what an admin wrote (nor withdraw it).
            let member = try await app.invitedMember(of: a, role: "member")
            let overwrite = try await app.api(.PUT, "/organizations/\(b.organizationID)/testimonials", token: member.token, json: text)
            #expect(overwrite.status == .forbidden, "\(overwrite.raw)")
            #expect(try await app.api(.DELETE, "/organizations/\(b.organizationID)/testimonials", token: member.token).status == .forbidden)
            let short = try await app.api(.PUT, "/organizations/\(b.organizationID)/testimonials", token: a.token, json: #"{"text":"ok"}"#)
            #expect(short.status.code >= 400 && short.status.code < 500)
            #expect(
                try await app.api(.PUT, "/organizations/\(a.organizationID)/testimonials", token: a.token, json: text).status.code >= 400)
            #expect(try await app.api(.DELETE, "/organizations/\(b.organizationID)/testimonials", token: c.token).status == .notFound)
            #expect(try await app.api(.DELETE, "/organizations/\(b.organizationID)/testimonials", token: a.token).status == .noContent)
            #expect(try await app.api(.GET, "/organizations/\(b.organizationID)/testimonials", token: c.token).list.isEmpty)
        }
    }

    @Test func surveyRecipientsFromACircleAndResultsByCircle() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            #expect(
                try await app.api(.PUT, "/circles/\(b.organizationID)", token: a.token, json: #"{"circle":"collaborator"}"#).status == .ok)
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            let sid =
                try await app.api(.POST, "/surveys", token: a.token, json: #"{"title":"Circle check","kind":"nps"}"#).body["id"] as? String
                ?? ""
            let added = try await app.api(.POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"circle":"collaborator"}"#)
            #expect(added.body["added"] as? Int == 1, "\(added.raw)")
            // Kite is only in a circle, not a partner: anyone can place anyone, so that hands out no addresses.
            let more = try await app.api(
                .POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"circle":"connected","csv":"email\nzed@cust.example\n"}"#)
            #expect(more.body["added"] as? Int == 1, "\(more.raw)")
            let people = try await app.api(.GET, "/surveys/\(sid)/recipients", token: a.token).list
            #expect(Set(people.compactMap { $0["email"] as? String }) == [b.email, "zed@cust.example"])
            #expect(people.first { $0["email"] as? String == b.email }?["segment"] as? String == "Acme")
            _ = try await app.api(.POST, "/surveys/\(sid)/send", token: a.token)
            let links = Dictionary(
                uniqueKeysWithValues: try await app.api(.GET, "/surveys/\(sid)/recipients", token: a.token).list.map {
                    ($0["email"] as? String ?? "", String(($0["link"] as? String ?? "").split(separator: "/").last ?? ""))
                })
            for (email, score) in [(b.email, 10), ("zed@cust.example", 3)] {
                let r = try await app.api(.POST, "/survey-links/\(links[email] ?? "")/response", json: #"{"score":\#(score)}"#)
                #expect(r.status == .created, "\(r.raw)")
            }
            let survey = try await app.api(.GET, "/surveys/\(sid)", token: a.token)
            let circles = ((survey.body["results"] as? [String: Any])?["circles"] as? [[String: Any]] ?? [])
            let names = circles.compactMap { $0["label"] as? String }
            #expect(Set(names) == ["Collaborators", "In no circle"], "\(circles)")
            let bad = try await app.api(.POST, "/surveys/\(sid)/recipients", token: a.token, json: #"{"circle":"family"}"#)
            #expect(bad.status.code >= 400 && bad.status.code < 500)
        }
    }
}
