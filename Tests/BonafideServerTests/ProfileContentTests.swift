import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Guides and resources on a profile")
struct ProfileContentTests {
    func titles(_ app: Application, of organization: String, token: String?) async throws -> [String] {
        let r = try await app.api(.GET, "/organizations/\(organization)/content", token: token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list.compactMap { $0["title"] as? String }
    }

    /// The part of a page from the element with the id to the end of its section.
    func section(_ html: String, _ id: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\"") else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</section>")?.upperBound ?? rest.endIndex)])
    }

    /// A vault document of `owner`'s organization in the partnership, as an upload records it (its encrypted bytes are
    /// never read here).
    func document(_ app: Application, of owner: Account, in partnership: String, number: Int) async throws -> UUID {
        let d = Document()
        d.id = UUID()
        d.$partnership.id = try #require(UUID(uuidString: partnership))
        d.number = number
        d.$organization.id = try #require(UUID(uuidString: owner.organizationID))
        d.$uploadedBy.id = UUID(uuidString: owner.id)
        d.size = 4_096
        d.header = Data([1, 2, 3, 4])
        d.storageKey = UUID().uuidString.lowercased()
        d.createdAt = Date()
        d.downloads = 0
        try await d.create(on: app.db)
        return try #require(d.id)
    }

    @Test func eachItemReachesItsAudienceOnly() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let guide = try await app.api(
                .POST, "/content", token: a.token,
                json:
                    #"{"kind":"guide","title":"How we run usability sessions","description":"Five steps.","body":"Test with **five** people.","visibility":"public","publishedAt":"2025-01-05T09:00:00Z"}"#
            )
            #expect(guide.status == .created, "\(guide.raw)")
            #expect(guide.body["bodyHtml"] as? String == "<p>Test with <strong>five</strong> people.</p>", "\(guide.raw)")
            let video = try await app.api(
                .POST, "/content", token: a.token,
                json:
                    #"{"kind":"video","title":"Design system walkthrough","url":"https://video.example.com/walkthrough","visibility":"partners","pinned":true}"#
            )
            #expect(video.status == .created, "\(video.raw)")
            let videoID = video.body["id"] as? String ?? ""
            #expect(video.body["url"] as? String == "https://video.example.com/walkthrough" && video.body["body"] == nil)
            let circle = try await app.api(
                .POST, "/content", token: a.token,
                json: #"{"kind":"link","title":"Our pricing explained","url":"https://northwind.example/pricing","visibility":"connected"}"#
            )
            #expect(circle.status == .created, "\(circle.raw)")

            // Without an account, and for an organization with no relation to Northwind: the public guide only.
            #expect(try await titles(app, of: a.organizationID, token: nil) == ["How we run usability sessions"])
            #expect(try await titles(app, of: a.organizationID, token: c.token) == ["How we run usability sessions"])
            #expect(try await app.api(.GET, "/content/\(videoID)", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/content/\(videoID)").status == .notFound)
            #expect(try await app.api(.GET, "/content/\(guide.body["id"] as? String ?? "")").status == .ok)

            // The partner reads the video too, pinned first; the circle's link waits for a circle.
            #expect(
                try await titles(app, of: a.organizationID, token: b.token) == [
                    "Design system walkthrough", "How we run usability sessions",
                ])
            #expect(try await app.api(.GET, "/content/\(videoID)", token: b.token).body["organizationName"] as? String == "Northwind")
            #expect(
                try await titles(app, of: a.organizationID, token: a.token) == [
                    "Design system walkthrough", "Our pricing explained", "How we run usability sessions",
                ], "one's own people see every item")

            // Kite placed in Northwind's connected circle reads the link, and still not the partners' video.
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            #expect(
                try await titles(app, of: a.organizationID, token: c.token) == ["Our pricing explained", "How we run usability sessions"])
            #expect(try await app.api(.GET, "/content/\(videoID)", token: c.token).status == .notFound)
            #expect(try await app.api(.GET, "/organizations/\(UUID())/content").status == .notFound)
            #expect(try await app.api(.GET, "/content/not-an-id").status == .notFound)
        }
    }

    @Test func badItemsAreRefusedAndWriteNothing() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let member = try await app.invitedMember(of: a, role: "member")
            let cases: [(String, String?, HTTPStatus, String?)] = [
                (
                    #"{"kind":"video","title":"Watch","url":"javascript:alert(1)","visibility":"public"}"#, a.token, .unprocessableEntity,
                    "url"
                ),
                (
                    #"{"kind":"link","title":"Read","url":"JavaScript:alert(document.cookie)","visibility":"public"}"#, a.token,
                    .unprocessableEntity, "url"
                ),
                (
                    #"{"kind":"link","title":"Read","url":"data:text/html,<script>alert(1)</script>","visibility":"public"}"#, a.token,
                    .unprocessableEntity, "url"
                ),
                (
                    #"{"kind":"link","title":"Read","url":"ftp://files.example/paper.pdf","visibility":"public"}"#, a.token,
                    .unprocessableEntity, "url"
                ),
                (
                    #"{"kind":"link","title":"Read","url":"https://user:secret@example.com/","visibility":"public"}"#, a.token,
                    .unprocessableEntity, "url"
                ),
                (#"{"kind":"video","title":"Watch","visibility":"public"}"#, a.token, .unprocessableEntity, "url"),
                (#"{"kind":"guide","title":"Guide","body":"   ","visibility":"public"}"#, a.token, .unprocessableEntity, "body"),
                (
                    #"{"kind":"guide","title":"Guide","body":"Text","url":"https://example.com","visibility":"public"}"#, a.token,
                    .unprocessableEntity, "url"
                ),
                (
                    #"{"kind":"video","title":"Watch","url":"https://example.com/v","body":"Text","visibility":"public"}"#, a.token,
                    .unprocessableEntity, "body"
                ),
                (#"{"kind":"guide","title":"  ","body":"Text","visibility":"public"}"#, a.token, .unprocessableEntity, "title"),
                (#"{"kind":"whitepaper","title":"Paper","visibility":"public"}"#, a.token, .unprocessableEntity, "documentId"),
                (
                    #"{"kind":"guide","title":"Guide","body":"Text","visibility":"public","publishedAt":"2999-01-01T00:00:00Z"}"#, a.token,
                    .unprocessableEntity, "publishedAt"
                ),
                (#"{"kind":"podcast","title":"Listen","visibility":"public"}"#, a.token, .unprocessableEntity, nil),
                (#"{"kind":"guide","title":"Guide","body":"Text","visibility":"best-friends"}"#, a.token, .unprocessableEntity, nil),
                (#"{"kind":"guide","title":"Guide","body":"Text","visibility":"public"}"#, member.token, .forbidden, nil),
                (#"{"kind":"guide","title":"Guide","body":"Text","visibility":"public"}"#, nil, .unauthorized, nil),
            ]
            for (json, token, expected, field) in cases {
                let r = try await app.api(.POST, "/content", token: token, json: json)
                #expect(r.status == expected, "\(json): \(r.raw)")
                #expect(r.headers.contentType?.description.contains("problem+json") == true, "\(r.headers)")
                if let field { #expect(r.body["field"] as? String == field, "\(json): \(r.raw)") }
            }
            let long = String(repeating: "x", count: ProfileContent.maxBody + 1)
            let tooLong = try await app.api(
                .POST, "/content", token: a.token, json: #"{"kind":"guide","title":"T","body":"\#(long)","visibility":"public"}"#)
            #expect(tooLong.status == .unprocessableEntity, "\(tooLong.raw.prefix(300))")
            #expect(try await ContentItem.query(on: app.db).count() == 0)
        }
    }

    @Test func aWhitepaperIsOneOfTheOrganizationsOwnDocumentsAndOpensOnlyForThoseItIsSharedWith() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let own = try await document(app, of: a, in: pid, number: 1)
            let theirs = try await document(app, of: b, in: pid, number: 2)

            // Acme's document, or one that does not exist, is refused the same way; nothing is written.
            for id in [theirs, UUID()] {
                let r = try await app.api(
                    .POST, "/content", token: a.token,
                    json: #"{"kind":"whitepaper","title":"Checkout study","documentId":"\#(id)","visibility":"public"}"#)
                #expect(r.status == .unprocessableEntity && r.body["field"] as? String == "documentId", "\(r.raw)")
                #expect(r.body["detail"] as? String == "Choose one of your organization's own vault documents.")
            }
            #expect(try await ContentItem.query(on: app.db).count() == 0)

            let created = try await app.api(
                .POST, "/content", token: a.token,
                json:
                    #"{"kind":"whitepaper","title":"Checkout study","description":"What 40 tests taught us.","documentId":"\#(own)","visibility":"public"}"#
            )
            #expect(created.status == .created, "\(created.raw)")
            let id = created.body["id"] as? String ?? ""
            func paper(_ token: String?) async throws -> [String: Any] {
                let r = try await app.api(.GET, "/content/\(id)", token: token)
                #expect(r.status == .ok, "\(r.raw)")
                return r.body["whitepaper"] as? [String: Any] ?? [:]
            }

            // Everyone reads what Northwind says of it; only those who can open the document get a link to it.
            let visitor = try await paper(nil)
            #expect(visitor["readable"] as? Bool == false && visitor["link"] == nil && visitor["documentId"] == nil, "\(visitor)")
            #expect((visitor["note"] as? String)?.contains("Sign in and ask Northwind for it.") == true, "\(visitor)")
            let stranger = try await paper(c.token)
            #expect(stranger["readable"] as? Bool == false && stranger["link"] == nil && stranger["documentId"] == nil, "\(stranger)")
            #expect(
                stranger["note"] as? String
                    == "Encrypted end to end: only the organizations Northwind shares it with can open it. Ask Northwind for it.")
            let partner = try await paper(b.token)
            #expect(partner["readable"] as? Bool == true, "\(partner)")
            #expect(partner["link"] as? String == "/partnerships/\(pid.lowercased())#documents")
            #expect(partner["documentId"] as? String == own.uuidString.lowercased() && partner["source"] == nil)
            let owner = try await paper(a.token)
            #expect(
                (owner["source"] as? String)?.hasPrefix("Document 1 of “Relaunch”: both sides of that partnership open it") == true,
                "\(owner)")

            // Shared with Kite by circle, Kite opens it among the documents shared with it.
            #expect(try await app.api(.PUT, "/circles/\(c.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            let share = DocumentShare()
            share.$document.id = own
            share.$organization.id = try #require(UUID(uuidString: c.organizationID))
            share.circle = .connected
            share.header = Data([5, 6, 7])
            share.createdAt = Date()
            share.downloads = 0
            try await share.create(on: app.db)
            let shared = try await paper(c.token)
            #expect(shared["readable"] as? Bool == true && shared["link"] as? String == "/organization#shared-with-us", "\(shared)")
            // Taken out of the circle, Kite is told to ask again.
            #expect(try await app.api(.DELETE, "/circles/\(c.organizationID)", token: a.token).status.code < 300)
            #expect(try await paper(c.token)["readable"] as? Bool == false)

            // A whitepaper cannot be pointed at someone else's document afterwards either.
            let moved = try await app.api(.PATCH, "/content/\(id)", token: a.token, json: #"{"documentId":"\#(theirs)"}"#)
            #expect(moved.status == .unprocessableEntity, "\(moved.raw)")
            #expect(try await paper(a.token)["documentId"] as? String == own.uuidString.lowercased())
        }
    }

    @Test func onlyTheOrganizationsOwnersAndAdminsChangeOrRemoveItsItems() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            let member = try await app.invitedMember(of: a, role: "member")
            let admin = try await app.invitedMember(of: a, role: "admin", name: "Ada")
            let created = try await app.api(
                .POST, "/content", token: a.token,
                json: #"{"kind":"video","title":"Walkthrough","url":"https://video.example.com/w","visibility":"partners"}"#)
            let id = created.body["id"] as? String ?? ""
            let path = "/content/\(id)"
            let rename = #"{"title":"Renamed"}"#

            // A colleague who does not run Northwind, and its partner who reads the item, are refused; a stranger who may
            // not read it is told it does not exist.
            #expect(try await app.api(.PATCH, path, token: member.token, json: rename).status == .forbidden)
            #expect(try await app.api(.DELETE, path, token: member.token).status == .forbidden)
            #expect(try await app.api(.PATCH, path, token: b.token, json: rename).status == .forbidden)
            #expect(try await app.api(.DELETE, path, token: b.token).status == .forbidden)
            #expect(try await app.api(.PATCH, path, token: c.token, json: rename).status == .notFound)
            #expect(try await app.api(.DELETE, path, token: c.token).status == .notFound)
            #expect(try await app.api(.GET, path, token: a.token).body["title"] as? String == "Walkthrough")

            // An admin changes it; a bad address is refused and changes nothing.
            let changed = try await app.api(
                .PATCH, path, token: admin.token, json: #"{"title":"Design system walkthrough","pinned":true,"visibility":"public"}"#)
            #expect(changed.status == .ok, "\(changed.raw)")
            #expect(changed.body["title"] as? String == "Design system walkthrough" && changed.body["pinned"] as? Bool == true)
            #expect(changed.body["url"] as? String == "https://video.example.com/w", "what is left out stays")
            #expect(try await app.api(.GET, path).status == .ok, "now public")
            let bad = try await app.api(.PATCH, path, token: admin.token, json: #"{"url":"javascript:alert(1)"}"#)
            #expect(bad.status == .unprocessableEntity && bad.body["field"] as? String == "url", "\(bad.raw)")
            let kept = try await app.api(.GET, path, token: a.token)
            #expect(
                kept.body["url"] as? String == "https://video.example.com/w" && kept.body["title"] as? String == "Design system walkthrough"
            )

            // Removed by two owners at once: one removes it, the other finds nothing left.
            let statuses = try await together(2) { _ in try await app.api(.DELETE, path, token: a.token).status }
            #expect(statuses.sorted { $0.code < $1.code } == [.noContent, .notFound], "\(statuses)")
            #expect(try await app.api(.GET, path, token: a.token).status == .notFound)
            #expect(try await ContentItem.query(on: app.db).count() == 0)
        }
    }

    @Test func theProfileListsWhatTheViewerMayReadAndShowsGuidesSafely() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let c = try await app.register("Cleo", org: "Kite")
            #expect(
                try await app.api(.PUT, "/profile/sections/about", token: a.token, json: #"{"content":"Design","visibility":"public"}"#)
                    .status == .ok)
            let alice = try await Browser.signedIn(app, as: a)
            let form = try await alice.get("/organization/content")
            #expect(form.status == .ok && form.html.contains("id=\"new-content\"") && form.html.contains("No guides or resources yet."))

            // Written through the form, with markup a browser would run: it shows as text.
            let added = try await alice.post(
                "/organization/content",
                [
                    "kind": "guide", "title": "How we run usability sessions", "description": "Five steps.",
                    "body": "Test with **five** people.\r\n\r\n<script>alert(1)</script> [notes](javascript:alert(2))",
                    "visibility": "public", "pinned": "1",
                ])
            #expect(added.status == .seeOther, "\(added.html.prefix(300))")
            let guidePath = try #require(added.location)
            #expect(guidePath.hasPrefix("/content/"))
            let page = try await Browser(app).get(guidePath)
            #expect(page.status == .ok, "a public guide needs no account")
            #expect(
                page.html.contains("<h1>How we run usability sessions</h1>") && page.html.contains("<strong>five</strong>"), "\(page.html)")
            #expect(page.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.html.contains("<script>alert"), "\(page.html)")
            #expect(!page.html.contains("href=\"javascript:"), "\(page.html)")

            // A link that would run script is refused through the form too, shown again as typed, and nothing is written.
            let refused = try await alice.post(
                "/organization/content", ["kind": "link", "title": "Our <pricing>", "url": "javascript:alert(1)", "visibility": "partners"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.html.contains("aria-invalid=\"true\" aria-describedby=\"url-error\""), "\(refused.html)")
            #expect(refused.html.contains("value=\"Our &lt;pricing&gt;\"") && refused.html.contains("<option value=\"partners\" selected>"))
            #expect(try await ContentItem.query(on: app.db).count() == 1)

            let video = try await app.api(
                .POST, "/content", token: a.token,
                json:
                    #"{"kind":"video","title":"Design system walkthrough","url":"https://video.example.com/walkthrough","visibility":"partners"}"#
            )
            let videoPath = "/content/\(video.body["id"] as? String ?? "")"

            // The public profile and the list show a visitor the guide and not the partners' video.
            let profile = section(try await Browser(app).get("/profiles/\(a.organizationID)").html, "guides-and-resources")
            #expect(profile.contains("How we run usability sessions") && !profile.contains("Design system walkthrough"), "\(profile)")
            let library = try await Browser(app).get("/profiles/\(a.organizationID)/content")
            #expect(library.status == .ok && library.html.contains("How we run usability sessions"))
            #expect(!library.html.contains("Design system walkthrough"))

            // The partner finds both on Northwind's profile, the video with where it leads; a stranger only the guide,
            // and the video's page is not found for them (a visitor is asked to sign in).
            let partner = section(
                try await Browser.signedIn(app, as: b).get("/organizations/\(a.organizationID)").html, "guides-and-resources")
            #expect(partner.contains("Design system walkthrough") && partner.contains("Watch the video on video.example.com"), "\(partner)")
            let cleo = try await Browser.signedIn(app, as: c)
            let strangers = section(try await cleo.get("/organizations/\(a.organizationID)").html, "guides-and-resources")
            #expect(strangers.contains("How we run usability sessions") && !strangers.contains("Design system walkthrough"))
            #expect(try await cleo.get(videoPath).status == .notFound)
            let visitor = try await Browser(app).get(videoPath)
            #expect(visitor.status == .seeOther && visitor.location?.hasPrefix("/login?next=") == true, "\(visitor)")

            // A colleague who is a plain member sees the list but no form, and cannot post one.
            let mia = try await Browser.signedIn(app, as: try await app.invitedMember(of: a, role: "member"))
            let list = try await mia.get("/organization/content")
            #expect(list.html.contains("How we run usability sessions") && !list.html.contains("id=\"new-content\""))
            let forbidden = try await mia.post(
                "/organization/content", ["kind": "guide", "title": "T", "body": "Text", "visibility": "public"])
            #expect(forbidden.status == .seeOther && forbidden.location == "/organization/content")
            #expect(try await ContentItem.query(on: app.db).count() == 2)
        }
    }
}
