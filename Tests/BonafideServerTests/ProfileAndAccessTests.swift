import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Profile sections and access explanations")
struct ProfileAndAccessTests {
    /// The names of the sections `token` (nil: not signed in) may read on the organization's profile.
    func visible(_ app: Application, of org: Account, token: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> Set<String>
    {
        let r = try await app.api(.GET, "/organizations/\(org.organizationID)/profile", token: token)
        #expect(r.status == .ok, "\(r.raw)", sourceLocation: sourceLocation)
        let sections = r.body["sections"] as? [String: String] ?? [:]
        let entries = (r.body["entries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(entries) == Set(sections.keys), sourceLocation: sourceLocation)
        return Set(sections.keys)
    }

    func set(_ app: Application, _ token: String, _ section: String, _ json: String) async throws -> (
        status: HTTPStatus, body: [String: Any]
    ) {
        let r = try await app.api(.PUT, "/profile/sections/\(section)", token: token, json: json)
        return (r.status, r.body)
    }

    func place(_ app: Application, _ by: Account, _ member: Account, _ circle: String?) async throws {
        if let circle {
            let r = try await app.api(.PUT, "/circles/\(member.organizationID)", token: by.token, json: #"{"circle":"\#(circle)"}"#)
            #expect(r.status == .ok, "\(r.raw)")
        } else {
            #expect(try await app.api(.DELETE, "/circles/\(member.organizationID)", token: by.token).status == .noContent)
        }
    }

    /// A refused profile section (too long; a title without letters) shows the organization page again with the
    /// form as typed and the reason at its field; nothing is saved.
    @Test func refusedProfileSectionsKeepWhatWasTyped() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let browser = try await Browser.signedIn(app, as: a)
            let long = String(repeating: "We design <b>brands</b>. ", count: 170)
            let refused = try await browser.post("/organization/sections/about", ["content": long, "visibility": "public"])
            #expect(refused.status == .unprocessableEntity)
            #expect(
                refused.html.contains(
                    #"aria-describedby="content-error">\#(long.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;"))</textarea>"#
                ))
            #expect(refused.html.contains("A section has at most 4000 characters"))
            #expect(refused.html.contains(#"<option value="public" selected>"#))
            let untitled = try await browser.post(
                "/organization/sections", ["title": "!!!", "content": "Our awards", "visibility": "partners"])
            #expect(untitled.status == .unprocessableEntity)
            #expect(untitled.html.contains(#"<details open><summary>Add a section of your own</summary>"#))
            #expect(untitled.html.contains(#"id="title-error" role="alert">Give the section a title with letters or digits.</p>"#))
            #expect(untitled.html.contains(">Our awards</textarea>"))
            #expect(try await ProfileSection.query(on: app.db).count() == 0, "nothing was saved")
            let saved = try await browser.post("/organization/sections/about", ["content": "We design brands.", "visibility": "public"])
            #expect(saved.status == .seeOther)
        }
    }

    @Test func eachSectionReachesItsAudienceAndCirclesTakeEffectAtOnce() async throws {
        try await withTestApp { app in
            // Northwind writes its profile; Acme is its partner, Kite a stranger, Lumen moves through its circles.
            let (north, acme, _) = try await app.activePartnership()
            let kite = try await app.register("Cleo", org: "Kite")
            let lumen = try await app.register("Lia", org: "Lumen")
            let colleague = try await app.invitedMember(of: north, role: "member", name: "Max")
            for (section, json) in [
                ("about", #"{"content":"Storefront design for independent shops.","visibility":"public"}"#),
                ("services", #"{"content":"Shopify themes\nUX research"}"#),
                ("limitations", #"{"content":"No backend work"}"#),
                ("clients", #"{"content":"Bakery Ltd, Rope & Co"}"#),
                ("rates", #"{"content":"EUR 95 per hour"}"#),
                ("escalation", #"{"content":"Call Alice on +49 30 1234","visibility":"trustedReferral","title":"Escalation line"}"#),
            ] {
                let r = try await set(app, north.token, section, json)
                #expect(r.status == .ok, "\(section): \(r.body)")
            }
            let always: Set = ["about"]
            let signedIn = always.union(["services", "workingHours"])
            #expect(try await visible(app, of: north, token: nil) == always)
            #expect(try await visible(app, of: north, token: kite.token) == signedIn)
            #expect(try await visible(app, of: north, token: acme.token) == signedIn.union(["limitations"]))
            #expect(try await visible(app, of: north, token: lumen.token) == signedIn)
            let everything = signedIn.union(["limitations", "clients", "rates", "escalation"])
            #expect(try await visible(app, of: north, token: colleague.token) == everything)

            // Each circle shows what it may see on the very next request, and removing hides it again.
            try await place(app, north, lumen, "follow")
            #expect(try await visible(app, of: north, token: lumen.token) == signedIn)
            try await place(app, north, lumen, "connected")
            #expect(try await visible(app, of: north, token: lumen.token) == signedIn.union(["clients"]))
            try await place(app, north, lumen, "collaborator")
            #expect(try await visible(app, of: north, token: lumen.token) == signedIn.union(["clients", "rates"]))
            try await place(app, north, lumen, "trusted-referral")
            #expect(try await visible(app, of: north, token: lumen.token) == signedIn.union(["clients", "rates", "escalation"]))
            let profile = try await app.api(.GET, "/organizations/\(north.organizationID)/profile", token: lumen.token)
            #expect((profile.body["sections"] as? [String: String])?["escalation"] == "Call Alice on +49 30 1234")
            #expect((profile.body["entries"] as? [[String: Any]])?.last?["title"] as? String == "Escalation line")
            try await place(app, north, lumen, nil)
            #expect(try await visible(app, of: north, token: lumen.token) == signedIn)

            // Placing someone in my circle grants me nothing of theirs: Northwind keeps Lumen close, Lumen's rates stay hidden.
            #expect(try await set(app, lumen.token, "rates", #"{"content":"EUR 80 per hour"}"#).status == .ok)
            try await place(app, north, lumen, "trusted-referral")
            #expect(try await !visible(app, of: lumen, token: north.token).contains("rates"))
            try await place(app, lumen, north, "collaborator")
            #expect(try await visible(app, of: lumen, token: north.token).contains("rates"))

            // A standard section backed by the organization's own fields edits them; the profile form shows the same.
            #expect(try await set(app, north.token, "languages", #"{"content":"English\nGerman","visibility":"public"}"#).status == .ok)
            let org = try await app.api(.GET, "/organization", token: north.token)
            #expect(org.body["languages"] as? [String] == ["English", "German"])
            #expect(try await visible(app, of: north, token: nil) == ["about", "languages"])
            let own = try await app.api(.GET, "/profile/sections", token: colleague.token)
            #expect(own.list.first?["name"] as? String == "about")
            #expect(own.list.first(where: { $0["name"] as? String == "rates" })?["visibility"] as? String == "collaborator")
            #expect(own.list.last?["custom"] as? Bool == true)
        }
    }

    @Test func badSectionChangesAreRefusedClearlyAndChangeNothing() async throws {
        try await withTestApp { app in
            let north = try await app.register("Alice", org: "Northwind")
            let member = try await app.invitedMember(of: north, role: "member", name: "Max")
            #expect(try await set(app, north.token, "rates", #"{"content":"EUR 95","visibility":"partners"}"#).status == .ok)
            let cases: [(String, String, HTTPStatus, String)] = [
                ("rates", #"{"visibility":"friends"}"#, .unprocessableEntity, "friends"),
                ("rates", #"{}"#, .unprocessableEntity, "Send the section's content, its visibility, or both"),
                ("1st", #"{"content":"x"}"#, .unprocessableEntity, "not a section name"),
                ("workingHours", #"{"content":"always"}"#, .unprocessableEntity, "Working hours come from"),
                ("about", #"{"title":"Us"}"#, .unprocessableEntity, "keep their titles"),
                ("newthing", #"{"visibility":"public"}"#, .unprocessableEntity, "needs its content"),
            ]
            for (section, json, status, detail) in cases {
                let r = try await app.api(.PUT, "/profile/sections/\(section)", token: north.token, json: json)
                #expect(r.status == status, "\(section) \(json): \(r.raw)")
                #expect(r.raw.contains(detail), "\(r.raw)")
            }
            let byMember = try await app.api(.PUT, "/profile/sections/rates", token: member.token, json: #"{"visibility":"public"}"#)
            #expect(byMember.status == .forbidden)
            #expect(try await app.api(.DELETE, "/profile/sections/about", token: north.token).status == .unprocessableEntity)
            #expect(try await app.api(.DELETE, "/profile/sections/nothing", token: north.token).status == .notFound)
            let sections = try await app.api(.GET, "/profile/sections", token: north.token).list
            #expect(sections.first(where: { $0["name"] as? String == "rates" })?["visibility"] as? String == "partners")
            #expect(!sections.contains { $0["name"] as? String == "newthing" })
            #expect(try await app.api(.GET, "/organizations/\(UUID())/profile", token: nil).status == .notFound)
            #expect(try await app.api(.GET, "/organizations/\(north.organizationID)/profile", token: "bogus").status == .unauthorized)
        }
    }

    @Test func explainSaysWhyInPlainWordsForOwnersAndAdminsOnly() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let lumen = try await app.register("Lia", org: "Lumen")
            let colleague = try await app.invitedMember(of: north, role: "member", name: "Max")
            #expect(try await set(app, north.token, "rates", #"{"content":"EUR 95","visibility":"collaborator"}"#).status == .ok)
            func explain(_ subject: String, _ action: String, _ resource: String, token: String? = nil) async throws -> (
                status: HTTPStatus, body: [String: Any], raw: String
            ) {
                let r = try await app.api(
                    .GET, "/access/explain?subject=\(subject)&action=\(action)&resource=\(resource)", token: token ?? north.token)
                return (r.status, r.body, r.raw)
            }
            let refused = try await explain("organization:\(lumen.organizationID)", "read", "section:rates")
            #expect(refused.status == .ok, "\(refused.raw)")
            #expect(refused.body["allowed"] as? Bool == false)
            #expect(
                refused.body["because"] as? [String] == [
                    "“Rates” is for Northwind's collaborator circle or closer.",
                    "Lumen has no partnership with Northwind and is in none of its circles.",
                ])
            try await place(app, north, lumen, "connected")
            let stillRefused = try await explain("organization:\(lumen.organizationID)", "read", "section:rates")
            #expect((stillRefused.body["because"] as? [String])?.last == "Northwind placed Lumen in its Connected circle.")
            try await place(app, north, lumen, "trusted-referral")
            let allowed = try await explain("organization:\(lumen.organizationID)", "read", "section:rates")
            #expect(allowed.body["allowed"] as? Bool == true)
            #expect(
                allowed.body["because"] as? [String] == [
                    "“Rates” is for Northwind's collaborator circle or closer", "Northwind placed Lumen in its Trusted referrals circle",
                ])
            let (n, l) = (north.organizationID.lowercased(), lumen.organizationID.lowercased())
            #expect(
                allowed.body["relations"] as? [String] == [
                    "shared:\(n)/rates#reader@organization:\(n)#collaboratorMember", "organization:\(n)#trustedReferral@organization:\(l)",
                    "organization:\(l)#member@user:people-of-\(l)",
                ], "\(allowed.raw)")
            let partner = try await explain("organization:\(acme.organizationID)", "read", "section:about")
            #expect(
                partner.body["allowed"] as? Bool == true
                    && (partner.body["because"] as? [String])?.first?.contains("anyone signed in") == true)

            // Partnerships: its creator was added to it, an admin sees it as a manager of a side, a colleague not added does not.
            let creator = try await explain("user:\(north.id)", "view", "partnership:\(pid)")
            #expect(creator.body["because"] as? [String] == ["Alice was added to the partnership “Relaunch”"])
            let admin = try await app.invitedMember(of: north, role: "admin", name: "Ada")
            let manager = try await explain("user:\(admin.id)", "view", "partnership:\(pid)")
            #expect(
                manager.body["because"] as? [String] == [
                    "Northwind is a side of the partnership “Relaunch”", "Ada is an admin of Northwind",
                ])
            let notAdded = try await explain("user:\(colleague.id)", "view", "partnership:\(pid)")
            #expect(notAdded.body["allowed"] as? Bool == false)
            #expect(try await explain("user:\(colleague.id)", "manage", "organization").body["allowed"] as? Bool == false)

            // Owners and admins only; people of other organizations and unknown things are not found.
            #expect(try await explain("anyone", "read", "section:rates", token: colleague.token).status == .forbidden)
            #expect(try await explain("user:\(acme.id)", "manage", "organization").status == .notFound)
            #expect(try await explain("anyone", "read", "section:nothing").status == .notFound)
            #expect(try await explain("anyone", "view", "partnership:\(UUID())").status == .notFound)
            #expect(try await explain("everyone", "read", "section:rates").status == .unprocessableEntity)
            #expect(try await explain("anyone", "manage", "section:rates").status == .unprocessableEntity)
        }
    }

    /// The listing agrees with the check section by section, follows circles at once, and pages without gaps.
    @Test func whatSomeoneMaySeeIsListedAPageAtATime() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let lumen = try await app.register("Lia", org: "Lumen")
            let colleague = try await app.invitedMember(of: north, role: "member", name: "Max")
            #expect(try await set(app, north.token, "rates", #"{"content":"EUR 95","visibility":"collaborator"}"#).status == .ok)
            #expect(try await set(app, north.token, "clients", #"{"content":"Acme","visibility":"partners"}"#).status == .ok)
            #expect(try await set(app, north.token, "about", #"{"content":"Design","visibility":"public"}"#).status == .ok)
            func list(_ subject: String, _ type: String, limit: Int = 50, token: String? = nil) async throws -> (
                status: HTTPStatus, resources: [String]
            ) {
                var resources: [String] = []
                var after: String?
                var status = HTTPStatus.ok
                repeat {
                    let r = try await app.api(
                        .GET, "/access/visible?subject=\(subject)&type=\(type)&limit=\(limit)" + (after.map { "&after=\($0)" } ?? ""),
                        token: token ?? north.token)
                    status = r.status
                    guard r.status == .ok else { break }
                    let items = (r.body["items"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? String }
                    #expect(items.count <= limit)
                    resources += items
                    after = r.body["next"] as? String
                    #expect(after == nil || after == items.last)
                } while after != nil
                return (status, resources)
            }
            let lumenSubject = "organization:\(lumen.organizationID)"
            func sections(_ token: String?) async throws -> [String] {
                try await visible(app, of: north, token: token).map { "section:\($0)" }.sorted()
            }
            // The same sections the profile API hands each of them.
            let listed = try await list(lumenSubject, "section").resources, given = try await sections(lumen.token)
            #expect(listed == given, "\(listed) vs \(given)")
            #expect(try await list("anyone", "section").resources == ["section:about"])
            let partnerView = try await list("organization:\(acme.organizationID)", "section").resources
            #expect(partnerView == (try await sections(acme.token)) && partnerView.contains("section:clients"))
            #expect(!(try await list(lumenSubject, "section").resources.contains("section:rates")))
            try await place(app, north, lumen, "collaborator")
            let closer = try await list(lumenSubject, "section", limit: 1)
            #expect(
                closer.resources == (try await sections(lumen.token)) && closer.resources.contains("section:rates"), "one a page, each once"
            )
            try await place(app, north, lumen, nil)
            #expect(!(try await list(lumenSubject, "section").resources.contains("section:rates")))
            // Partnerships: the creator was added, a colleague who was not sees none, the partner sees the shared one.
            #expect(try await list("user:\(north.id)", "partnership").resources == ["partnership:\(pid.lowercased())"])
            #expect(try await list("user:\(colleague.id)", "partnership").resources.isEmpty)
            #expect(try await list(lumenSubject, "partnership").status == .unprocessableEntity, "partnerships are seen by people")
            // Owners and admins only; a bad subject or type is a clear error.
            #expect(try await list("anyone", "section", token: colleague.token).status == .forbidden)
            #expect(try await list("everyone", "section").status == .unprocessableEntity)
            for bad in ["type=documents", "type=section&limit=0", "type=section&limit=101"] {
                let r = try await app.api(.GET, "/access/visible?subject=anyone&\(bad)", token: north.token)
                #expect(r.status == .badRequest || r.status == .unprocessableEntity, "\(bad): \(r.raw)")
            }
        }
    }

    /// A vault document is run by whoever uploaded it and by its organization's owners and admins; not by a colleague
    /// who is a plain member, nor by anyone of the partner organization, owners included.
    @Test func aDocumentIsRunByItsUploaderAndItsOrganizationsManagers() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let uploader = try await app.invitedMember(of: north, role: "member", name: "Max")
            let colleague = try await app.invitedMember(of: north, role: "member", name: "Mia")
            let admin = try await app.invitedMember(of: north, role: "admin", name: "Ada")
            func actor(_ account: Account) async throws -> Actor {
                Actor(user: try await User.find(UUID(uuidString: account.id), on: app.db)!)
            }
            let document = Document()
            document.id = UUID()
            document.$organization.id = UUID(uuidString: north.organizationID)!
            document.$uploadedBy.id = UUID(uuidString: uploader.id)!
            var runs: [String: Bool] = [:]
            for (name, account) in [
                ("uploader", uploader), ("colleague", colleague), ("admin", admin), ("owner", north), ("partner", acme),
            ] {
                runs[name] = Documents.canManage(document, try await actor(account))
            }
            #expect(runs == ["uploader": true, "colleague": false, "admin": true, "owner": true, "partner": false])
            // The uploader only while a member of the organization that holds the document.
            document.$uploadedBy.id = UUID(uuidString: acme.id)!
            #expect(Documents.canManage(document, try await actor(acme)) == false)
        }
    }

    @Test func pagesShowWhatEachMaySeeWithWhyAndThePublicProfileNeedsNoAccount() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let owner = try await Browser.signedIn(app, as: north)
            // The owner edits sections through the forms; a refused change says why and changes nothing.
            let saved = try await owner.post("/organization/sections/rates", ["content": "EUR 95 per hour", "visibility": "collaborator"])
            #expect(saved.status == .seeOther && saved.location == "/organization#profile-sections")
            try await owner.post("/organization/sections/about", ["content": "Storefront design.", "visibility": "public"])
            try await owner.post(
                "/organization/sections", ["title": "Case studies", "content": "Bakery relaunch, 2025", "visibility": "partners"])
            try await owner.post("/organization/sections", ["title": "Case studies", "content": "again", "visibility": "partners"])
            var settings = try await owner.get("/organization")
            #expect(settings.html.contains("Your profile already has “Case studies”"))
            #expect(settings.html.contains(#"id="section-case-studies""#) && settings.html.contains("Bakery relaunch, 2025"))
            #expect(settings.html.contains("/profiles/\(north.organizationID.lowercased())"))
            let unknownAudience = try await owner.post("/organization/sections/rates", ["content": "x", "visibility": "friends"])
            #expect(unknownAudience.status == .unprocessableEntity && unknownAudience.html.contains("Choose who sees the section."))
            settings = try await owner.get("/organization")
            #expect(settings.html.contains("EUR 95 per hour"), "nothing was saved")

            // On Acme's page, the owner reads what Acme sees of Northwind's profile and why.
            let acmePage = try await owner.get("/organizations/\(acme.organizationID)")
            #expect(acmePage.status == .ok)
            let rates = acmePage.html.range(of: #"data-section="rates""#).map { String(acmePage.html[$0.lowerBound...].prefix(400)) } ?? ""
            #expect(rates.contains("hidden") && rates.contains("Northwind&#39;s collaborator circle or closer"), "\(rates)")
            let cases =
                acmePage.html.range(of: #"data-section="case-studies""#).map { String(acmePage.html[$0.lowerBound...].prefix(400)) } ?? ""
            #expect(cases.contains("shown") && cases.contains("Acme has a partnership with Northwind"), "\(cases)")

            // Acme's people read the sections meant for partners on Northwind's page; not the rates.
            let partner = try await Browser.signedIn(app, as: acme)
            let northPage = try await partner.get("/organizations/\(north.organizationID)")
            #expect(northPage.html.contains("Bakery relaunch, 2025") && !northPage.html.contains("EUR 95"))

            // The public profile: no account, only public sections.
            let visitor = Browser(app)
            let publicPage = try await visitor.get("/profiles/\(north.organizationID)")
            #expect(publicPage.status == .ok)
            #expect(publicPage.html.contains("Storefront design.") && !publicPage.html.contains("Bakery relaunch"))
            #expect(!publicPage.html.contains("EUR 95"))
            #expect(try await visitor.get("/profiles/\(acme.organizationID)").status == .notFound)
            #expect(try await visitor.get("/organizations/\(north.organizationID)").status == .seeOther)
        }
    }
}
