import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Updates and case studies pages")
struct EngagementPageTests {
    /// The part of a page from the element with the id to the end of its section.
    func section(_ html: String, _ id: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\"") else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</section>")?.upperBound ?? rest.endIndex)])
    }

    func actorOf(_ app: Application, _ account: Account) async throws -> Actor {
        Actor(user: try #require(try await User.find(UUID(uuidString: account.id), on: app.db)))
    }

    @Test func anUpdateWrittenThroughTheFormReachesThePartnerAndNoStranger() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let alice = try await Browser.signedIn(app, as: a)
            let form = try await alice.get("/updates")
            #expect(form.status == .ok)
            #expect(form.html.contains("Write an update") && form.html.contains("Markdown: **bold**, *italic*, lists, links"))
            #expect(form.html.contains("<option value=\"partners\" selected>\(Audience.partners.label)</option>"))
            #expect(form.html.contains("No updates yet."))

            let published = try await alice.post(
                "/updates", ["title": "Our Q3 roadmap", "body": "We ship **faster** now.\r\n\r\nMore soon.", "visibility": "partners"])
            #expect(published.status == .seeOther, "\(published.html.prefix(300))")
            let path = try #require(published.location)
            #expect(path.hasPrefix("/updates/"))
            let own = try await alice.get(path)
            #expect(own.status == .ok && own.html.contains("<h1>Our Q3 roadmap</h1>") && own.html.contains("<strong>faster</strong>"))
            #expect(own.html.contains("Who reads it: \(Audience.partners.label)"), "one's own update says who reads it")

            // The partner reads it in the list, with the writer's profile a link away, on its own page and on that profile.
            let bob = try await Browser.signedIn(app, as: b)
            let list = try await bob.get("/updates")
            #expect(list.html.contains(">Our Q3 roadmap</a></h2>") && list.html.contains("<strong>faster</strong>"), "\(list.html)")
            #expect(list.html.contains("<a href=\"/organizations/\(a.organizationID.lowercased())\">Northwind</a>"))
            #expect(try await bob.get(path).status == .ok)
            let profile = try await bob.get("/organizations/\(a.organizationID)")
            #expect(section(profile.html, "updates").contains("Our Q3 roadmap"), "\(profile.html)")

            // Someone with no relation to Northwind sees none of it, not even by its address.
            let cleo = try await Browser.signedIn(app, as: c)
            let strangers = try await cleo.get("/updates")
            #expect(!strangers.html.contains("Our Q3 roadmap") && strangers.html.contains("No updates yet."))
            #expect(try await cleo.get(path).status == .notFound)
            #expect(!(try await cleo.get("/organizations/\(a.organizationID)").html.contains("Our Q3 roadmap")))
            // A visitor is asked to sign in, whether or not the update exists.
            let visitor = try await Browser(app).get(path)
            #expect(visitor.status == .seeOther && visitor.location?.hasPrefix("/login?next=%2Fupdates%2F") == true, "\(visitor)")
        }
    }

    @Test func aRefusedUpdateComesBackAsTypedAndWritesNothing() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let alice = try await Browser.signedIn(app, as: a)
            let refused = try await alice.post("/updates", ["title": "  ", "body": "Kept <as typed>", "visibility": "public"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("An update needs a title of 1 to \(Updates.maxTitle) characters."), "\(refused.html)")
            #expect(refused.html.contains("aria-invalid=\"true\" aria-describedby=\"title-error\""))
            #expect(refused.html.contains(">Kept &lt;as typed&gt;</textarea>"))
            #expect(refused.html.contains("<option value=\"public\" selected>"))
            #expect(try await OrganizationUpdate.query(on: app.db).count() == 0)

            // A member sees no form; posting anyway is refused and writes nothing either.
            let mia = try await Browser.signedIn(app, as: try await app.invitedMember(of: a, role: "member"))
            #expect(!(try await mia.get("/updates").html.contains("id=\"new-update\"")))
            let forbidden = try await mia.post("/updates", ["title": "T", "body": "Text", "visibility": "public"])
            #expect(forbidden.status == .seeOther && forbidden.location == "/updates")
            #expect(try await mia.get("/updates").html.contains("Only owners and admins of your organization can do this."))
            #expect(try await OrganizationUpdate.query(on: app.db).count() == 0)
        }
    }

    @Test func theFeedHoldsOnlyPublicUpdatesAndThePublicProfileNamesIt() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let alice = try await actorOf(app, a)
            let open = try await Updates.publish(title: "We are hiring", body: "Two *designers*.", audience: .public, by: alice, on: app.db)
            _ = try await Updates.publish(title: "Partners only", body: "The roadmap.", audience: .partners, by: alice, on: app.db)

            var feed = (status: HTTPStatus.ok, type: "", body: "")
            try await app.testing().test(
                .GET, "/profiles/\(a.organizationID)/updates.atom",
                afterResponse: { res async in
                    feed = (res.status, res.headers.first(name: .contentType) ?? "", res.body.string)
                })
            #expect(feed.status == .ok && feed.type == "application/atom+xml; charset=utf-8")
            #expect(feed.body.contains("<title>We are hiring</title>") && !feed.body.contains("Partners only"), "\(feed.body)")
            try await app.testing().test(
                .GET, "/profiles/\(UUID())/updates.atom", afterResponse: { res async in #expect(res.status == .notFound) })

            // The public profile names the feed for feed readers and lists the public update only; a visitor opens it.
            #expect(
                try await app.api(.PUT, "/profile/sections/about", token: a.token, json: #"{"content":"Design","visibility":"public"}"#)
                    .status == .ok)
            let profile = try await Browser(app).get("/profiles/\(a.organizationID)")
            let feedPath = "/profiles/\(a.organizationID.lowercased())/updates.atom"
            #expect(
                profile.html.contains(
                    "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Northwind: updates\" href=\"\(feedPath)\">"))
            let updates = section(profile.html, "updates")
            #expect(updates.contains("We are hiring") && !updates.contains("Partners only") && updates.contains("href=\"\(feedPath)\""))
            let page = try await Browser(app).get("/updates/\(open.id.uuidString.lowercased())")
            #expect(page.status == .ok && page.html.contains("<em>designers</em>"), "\(page.html)")
        }
    }

    @Test func aCaseStudyIsConfirmedThroughTheFormsAndShowsOnTheAuthorsPublicProfile() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            try await EngagementTests().completedWork(app, pid: pid, owner: a, recipient: b)
            let text = "We rebuilt the Acme storefront together: faster pages and a checkout people finish."

            let alice = try await Browser.signedIn(app, as: a)
            let form = try await alice.get("/case-studies")
            #expect(form.html.contains("<option value=\"\(pid.lowercased())\">Acme (Relaunch)</option>"), "\(form.html)")
            let proposed = try await alice.post("/case-studies", ["partnership": pid, "title": "Storefront", "body": text])
            #expect(proposed.status == .seeOther, "\(proposed.html.prefix(300))")
            let path = try #require(proposed.location)
            let id = try #require(UUID(uuidString: String(path.dropFirst("/case-studies/".count))))
            let written = try await alice.get(path).html
            #expect(written.contains(CaseStudyStatus.awaitingPartner.label) && !written.contains("Confirm or decline"))

            // Acme is asked to confirm, and confirms through the form with the text as it stands.
            let bob = try await Browser.signedIn(app, as: b)
            let waiting = section(try await bob.get("/case-studies").html, "case-studies-waiting")
            #expect(waiting.contains(">Storefront</a>") && waiting.contains("by Northwind"), "\(waiting)")
            let page = try await bob.get(path).html
            #expect(page.contains("Confirm or decline") && page.contains("1 commitment completed, 1 on time, "), "\(page)")
            let confirmed = try await bob.post(
                path + "/decision", ["decision": "confirm", "title": "Storefront", "body": text, "note": "Glad to"])
            #expect(confirmed.status == .seeOther && confirmed.location == path, "\(confirmed.html.prefix(300))")
            let study = try #require(try await CaseStudy.find(id, on: app.db))
            #expect(study.status == .confirmed && !study.editedByPartner, "the text sent back as it stood is no edit")
            let shown = try await bob.get(path).html
            #expect(shown.contains("<strong>Confirmed by Acme</strong>") && shown.contains("Glad to"))
            #expect(!shown.contains("Confirm or decline"), "decided once")
            // Deciding again is refused on the page itself.
            let again = try await bob.post(path + "/decision", ["decision": "decline", "title": "Storefront", "body": text, "note": ""])
            #expect(again.status == .conflict && again.html.contains("This case study was already confirmed."), "\(again.html)")

            // Northwind's public profile shows it, confirmed by Acme, without links for visitors, and no badges yet.
            #expect(
                try await app.api(.PUT, "/profile/sections/about", token: a.token, json: #"{"content":"Design","visibility":"public"}"#)
                    .status == .ok)
            let profile = try await Browser(app).get("/profiles/\(a.organizationID)").html
            let studies = section(profile, "case-studies")
            #expect(studies.contains("Storefront") && studies.contains("Confirmed by Acme"), "\(studies)")
            #expect(!studies.contains("href=\"/case-studies/"), "the case study page is for people signed in")
            #expect(
                section(profile, "recognition").contains(
                    "No badges yet: they are earned from the record (on-time streaks, answer times, incidents handled openly, long partnerships), never bought or claimed."
                ))

            // Anyone signed in reads a confirmed one; one still waiting is not found for a stranger.
            let cleo = try await Browser.signedIn(app, as: c)
            #expect(try await cleo.get(path).status == .ok)
            let second = try await CaseStudies.propose(
                partnership: UUID(uuidString: pid), title: "Take two", body: text, by: try await actorOf(app, a), on: app.db)
            #expect(try await cleo.get("/case-studies/\(second.id.uuidString.lowercased())").status == .notFound)
            #expect(try await bob.get("/case-studies/\(second.id.uuidString.lowercased())").status == .ok)
        }
    }

    @Test func aRefusedCaseStudyComesBackAsTyped() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            let alice = try await Browser.signedIn(app, as: a)
            let text = "We rebuilt the Acme storefront together: faster pages and a checkout people finish."
            // No completed work yet: refused, with the story kept.
            let early = try await alice.post("/case-studies", ["partnership": pid, "title": "Storefront", "body": text])
            #expect(early.status == .unprocessableEntity && early.html.contains("this partnership has no completed commitment yet"))
            #expect(early.html.contains(">\(text)</textarea>") && early.html.contains("value=\"Storefront\""))
            #expect(try await CaseStudy.query(on: app.db).count() == 0)
        }
    }
}
