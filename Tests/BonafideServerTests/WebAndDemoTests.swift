import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// A browser's view: it keeps the cookies it is sent and reads CSRF tokens from forms.
final class Browser: @unchecked Sendable {
    // @unchecked: used by one test at a time, sequentially.
    let app: Application
    var cookies: [String: String] = [:]
    /// The Cookie header this browser sends.
    var cookie: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    init(_ app: Application) { self.app = app }

    /// A browser signed in as the account (test accounts share one password).
    static func signedIn(_ app: Application, as account: Account) async throws -> Browser {
        let browser = Browser(app)
        let login = try await browser.post("/login", ["email": account.email, "password": "correct horse battery"])
        #expect(login.status == .seeOther, "\(login.html.prefix(200))")
        return browser
    }

    @discardableResult
    func get(_ path: String) async throws -> (status: HTTPStatus, html: String, location: String?) {
        try await send(.GET, path, form: nil)
    }

    @discardableResult
    func post(_ path: String, _ form: [String: String], csrf: Bool = true) async throws -> (
        status: HTTPStatus, html: String, location: String?
    ) {
        var fields = form
        if csrf { fields["_csrf"] = try await token() }
        return try await send(.POST, path, form: fields)
    }

    func token() async throws -> String {
        let page = try await get("/login")
        guard let range = page.html.range(of: #"name="_csrf" value=""#) else { return "" }
        return String(page.html[range.upperBound...].prefix { $0 != "\"" })
    }

    private func send(_ method: HTTPMethod, _ path: String, form: [String: String]?) async throws -> (
        status: HTTPStatus, html: String, location: String?
    ) {
        var result: (HTTPStatus, String, String?) = (.ok, "", nil)
        try await app.testing().test(
            method, path,
            beforeRequest: { req in
                if let cookie = self.cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
                if let form {
                    req.headers.contentType = .urlEncodedForm
                    let body = form.map {
                        "\($0.key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                    }
                    .joined(separator: "&")
                    req.body = ByteBuffer(string: body)
                }
            },
            afterResponse: { res async in
                for set in res.headers[.setCookie] {
                    let pair = set.split(separator: ";").first.map(String.init) ?? ""
                    let name = String(pair.prefix { $0 != "=" })
                    let value = String(pair.dropFirst(name.count + 1))
                    if name == "bonafide_session" { self.lastSetCookie = set }
                    if set.contains("Max-Age=0") || value.isEmpty { self.cookies[name] = nil } else { self.cookies[name] = value }
                }
                result = (res.status, res.body.string, res.headers.first(name: .location))
            })
        return result
    }

    var lastSetCookie: String?
}

@Suite("Web UI")
struct WebTests {
    @Test func signUpSetsAProtectedSessionCookieAndShowsTheDashboard() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let form = try await browser.get("/signup")
            #expect(form.html.contains("Create your account"))
            let signup = try await browser.post(
                "/signup",
                [
                    "name": "Ada", "email": "ada@example.com", "password": "correct horse battery",
                    "organization": "Engines", "timeZone": "Europe/London",
                ])
            #expect(signup.status == .seeOther)
            #expect(signup.location == "/dashboard")
            let cookie = browser.lastSetCookie ?? ""
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.html.contains("Hello, Ada"))
            #expect(dashboard.html.contains("Welcome to Bonafide, Ada."))
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRejectedAndChangeNothing() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            _ = try await browser.get("/signup")
            let forged = try await browser.post(
                "/signup",
                [
                    "name": "Mallory", "email": "m@example.com", "password": "correct horse battery",
                    "organization": "Evil",
                ], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(forged.html.contains("This form has expired"))
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }

    @Test func signedOutVisitorsAreSentToSignInAndBack() async throws {
        try await withTestApp { app in
            let browser = Browser(app)
            let r = try await browser.get("/partnerships/new")
            #expect(r.status == .seeOther)
            #expect(r.location == "/login?next=%2Fpartnerships%2Fnew")
            _ = try await app.register("Ada", org: "Engines", email: "ada@example.com")
            let wrong = try await browser.post(
                "/login?next=%2Fpartnerships%2Fnew", ["email": "ada@example.com", "password": "nope nope nope"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.html.contains("The email or password is wrong."))
            let ok = try await browser.post(
                "/login?next=%2Fpartnerships%2Fnew", ["email": "ada@example.com", "password": "correct horse battery"])
            #expect(ok.location == "/partnerships/new")
            let offsite = try await browser.post(
                "/login?next=%2F%2Fevil.example", ["email": "ada@example.com", "password": "correct horse battery"])
            #expect(offsite.location == "/dashboard")
        }
    }

    @Test func partnershipAndCommitmentThroughTheForms() async throws {
        try await withTestApp { app in
            let bob = try await app.register("Bob", org: "Acme", email: "bob@acme.example", timeZone: "America/New_York")
            let browser = Browser(app)
            _ = try await browser.get("/signup")
            _ = try await browser.post(
                "/signup",
                [
                    "name": "Ada", "email": "ada@example.com", "password": "correct horse battery",
                    "organization": "Engines", "timeZone": "Europe/Berlin",
                ])
            let created = try await browser.post(
                "/partnerships", ["name": "Relaunch <script>", "partnerEmail": "bob@acme.example", "agreement": "We ship."])
            let path = created.location ?? ""
            #expect(path.hasPrefix("/partnerships/"))
            let page = try await browser.get(path)
            #expect(page.html.contains("Relaunch &lt;script&gt;"))
            #expect(!page.html.contains("Relaunch <script>"))
            guard let start = page.html.range(of: "/invitations/inv_") else { Issue.record("no invitation link shown"); return }
            let secret = String(page.html[page.html.index(start.lowerBound, offsetBy: 13)...].prefix { $0 != "<" && $0 != "\"" })
            let actor = Actor(user: try await User.find(UUID(uuidString: bob.id), on: app.db)!)
            _ = try await Partnerships.accept(secret: secret, by: actor, on: app.db)
            let pid = path.split(separator: "/").last.map(String.init) ?? ""
            let commitment = try await browser.post(
                "\(path)/commitments",
                [
                    "title": "Wireframes", "dueAt": "2031-03-02T17:00",
                    "timeZone": "Europe/Berlin", "deliverable": "PDF", "acceptanceCriteria": "Signed off",
                ])
            #expect(commitment.location?.hasPrefix("\(path)/commitments/") == true)
            let detail = try await browser.get(commitment.location ?? "")
            #expect(detail.html.contains("Wireframes"))
            #expect(detail.html.contains("Sun 2 Mar 2031, 17:00"))
            #expect(detail.html.contains("Withdraw the commitment"))
            #expect(!detail.html.contains("Accept the commitment"))
            let withRecord = try await browser.get(path)
            let logged = try await PartnershipEvent.query(on: app.db).count()
            #expect(withRecord.html.contains("<strong id=\"log-size\">\(logged)</strong> entries"))
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.html.contains("Relaunch &lt;script&gt;"))
            let api = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: bob.token)
            #expect(api.list.first?["dueAt"] as? String == "2031-03-02T16:00:00Z")
            let bad = try await browser.post(
                "\(path)/commitments", ["title": "", "dueAt": "2031-03-02T17:00", "timeZone": "Europe/Berlin"])
            #expect(bad.status == .unprocessableEntity && bad.html.contains("The title must have 1 to 200 characters."))
        }
    }

    @Test func anotherTenantsPartnershipPageIs404() async throws {
        try await withTestApp { app in
            let (_, _, pid) = try await app.activePartnership()
            let browser = Browser(app)
            _ = try await browser.get("/signup")
            _ = try await browser.post(
                "/signup", ["name": "Eve", "email": "eve@example.com", "password": "correct horse battery", "organization": "Intruder"])
            let r = try await browser.get("/partnerships/\(pid)")
            #expect(r.status == .notFound)
            #expect(!r.html.contains("Relaunch"))
            // A real browser's Accept header ends in */*: it still gets the readable page, a JSON client the problem.
            for (accept, type, text) in [
                (
                    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", "text/html",
                    "<h1>Not Found</h1>"
                ),
                ("application/json", "application/problem+json", #""status":404"#),
            ] {
                var seen: (status: HTTPStatus, type: String, body: String) = (.ok, "", "")
                try await app.testing().test(
                    .GET, "/partnerships/\(pid)",
                    beforeRequest: { req in
                        req.headers.replaceOrAdd(name: .cookie, value: browser.cookie ?? "")
                        req.headers.replaceOrAdd(name: .accept, value: accept)
                    },
                    afterResponse: { res async in
                        seen = (res.status, res.headers.first(name: .contentType) ?? "", res.body.string)
                    })
                #expect(seen.status == .notFound && seen.type.hasPrefix(type) && seen.body.contains(text), "\(accept): \(seen)")
            }
        }
    }
}

@Suite("Storage and demo")
struct StorageAndDemoTests {
    @Test func runsOnTheDatabaseItWasGiven() async throws {
        try await withTestApp { app in
            let dialect = (app.db as? any SQLDatabase)?.dialect.name
            #expect(dialect == (isPostgres ? "postgresql" : "sqlite"))
        }
    }

    @Test func demoSeedIsRichAndIdempotent() async throws {
        try await withTestApp { app in
            #expect(try await DemoSeed.run(on: app))
            #expect(try await Organization.query(on: app.db).count() >= 4)
            #expect(try await User.query(on: app.db).count() >= 6)
            let partnerships = try await Partnership.query(on: app.db).all()
            #expect(partnerships.count >= 4)
            #expect(Set(partnerships.map(\.status)) == Set(PartnershipStatus.allCases))
            let commitments = try await Commitment.query(on: app.db).all()
            #expect(commitments.count >= 30)
            #expect(Set(commitments.map(\.status)) == Set(CommitmentStatus.allCases))
            #expect(commitments.contains { $0.atRisk })
            #expect(commitments.contains { $0.proposedDueAt != nil })
            // Every miss is recorded after its due date, and a late delivery after the miss.
            let hero = try #require(commitments.first { $0.title == "Homepage hero variants" })
            let heroEvents = try await PartnershipEvent.query(on: app.db).filter(\.$commitmentID == hero.id).sort(\.$createdAt).all()
            #expect(heroEvents.suffix(2).map(\.kind) == ["commitment.missed", "commitment.deliver"], "\(heroEvents.map(\.kind))")
            for c in commitments where c.status == .missed {
                let missed = try await PartnershipEvent.query(on: app.db).filter(\.$commitmentID == c.id).filter(
                    \.$kind == "commitment.missed"
                )
                .first()
                #expect(
                    missed.map { $0.createdAt > c.dueAt && $0.createdAt < c.dueAt.addingTimeInterval(9 * 86_400) } == true, "\(c.title)")
            }
            #expect(try await Message.query(on: app.db).filter(\.$needsResponse == true).filter(\.$respondedAt == nil).count() >= 3)
            #expect(try await DemoSeed.run(on: app) == false)
            let login = try await app.api(
                .POST, "/auth/login", json: #"{"email":"alice@northwind.example","password":"\#(DemoSeed.password)"}"#)
            #expect(login.status == .ok)
            let dashboard = try await app.api(.GET, "/dashboard", token: login.body["token"] as? String)
            #expect(!(dashboard.body["slipped"] as? [Any] ?? []).isEmpty)
            #expect(!(dashboard.body["openRequests"] as? [Any] ?? []).isEmpty)
            // Northwind follows reviews of itself and of its partner Acme, whose last week turned sour.
            let brands = try await app.api(.GET, "/mentions/brands", token: login.body["token"] as? String).list
            #expect(Set(brands.map { $0["brand"] as? String ?? "" }) == ["Northwind Studio", "Acme Retail"])
            let acme = brands.first { $0["key"] as? String == "acme retail" }
            #expect(acme?["partnerOrganizationId"] != nil && (acme?["alerts"] as? [Any])?.count == 1, "\(acme ?? [:])")
            // Incidents of every kind of handling: open and published, disclosed and uncontested, ignored.
            let incidents = try await Incident.query(on: app.db).all()
            let verdicts = incidents.map { IncidentLifecycle.handling(of: $0.state, at: Date()) }
            #expect(verdicts.filter { if case .handledOpenly = $0 { true } else { false } }.count == 2, "\(verdicts)")
            #expect(verdicts.filter { if case .mishandled = $0 { true } else { false } }.count == 1, "\(verdicts)")
            #expect(incidents.contains { $0.publishedAt != nil } && incidents.contains(where: \.selfReported))
            let credentials = try await Credential.query(on: app.db).all()
            #expect(Set(credentials.map(\.status)) == [.verified, .claimed, .pending])
        }
    }
}

@Suite("Web-only actions")
struct WebActionTests {
    func signedIn(_ app: Application, _ name: String, org: String) async throws -> Browser {
        let browser = Browser(app)
        _ = try await browser.get("/signup")
        _ = try await browser.post(
            "/signup",
            [
                "name": name, "email": "\(name.lowercased())@\(org.lowercased()).example", "password": "correct horse battery",
                "organization": org, "timeZone": "Europe/Berlin",
            ])
        return browser
    }

    @Test func renewedInvitationLinksReplaceTheOldOne() async throws {
        try await withTestApp { app in
            let ada = try await signedIn(app, "Ada", org: "Engines")
            let bob = try await app.register("Bob", org: "Acme", email: "bob@acme.example")
            let created = try await ada.post("/partnerships", ["name": "Relaunch", "partnerEmail": "bob@acme.example"])
            let path = created.location ?? ""
            func link(_ html: String) -> String {
                guard let r = html.range(of: "/invitations/inv_") else { return "" }
                return String(html[html.index(r.lowerBound, offsetBy: 13)...].prefix { $0 != "<" && $0 != "\"" })
            }
            let first = link(try await ada.get(path).html)
            #expect(!first.isEmpty)
            #expect(link(try await ada.get(path).html).isEmpty)  // shown once
            _ = try await ada.post("\(path)/invitation", [:])
            let second = link(try await ada.get(path).html)
            #expect(!second.isEmpty && second != first)
            #expect(try await app.api(.POST, "/invitations/\(first)/accept", token: bob.token).status == .notFound)
            #expect(try await app.api(.POST, "/invitations/\(second)/accept", token: bob.token).status == .ok)
        }
    }

    @Test func membersAreAddedOnlyFromOneselfsOrganizationAndEndingNeedsAReason() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let aUser = try await User.find(UUID(uuidString: a.id), on: app.db)!
            let browser = Browser(app)
            _ = try await browser.get("/login")
            _ = try await browser.post("/login", ["email": a.email, "password": "correct horse battery"])
            let eve = try await app.register("Eve", org: "Intruder")
            let foreign = try await browser.post("/partnerships/\(pid)/members", ["userId": eve.id])
            #expect(foreign.location == SiteURL.partnership(UUID(uuidString: pid)))
            #expect(try await browser.get("/partnerships/\(pid)").html.contains("Pick a colleague from your own organization."))
            let colleagueUser = User(
                email: "dora@northwind.example", name: "Dora", passwordHash: aUser.passwordHash, timeZone: "UTC",
                organizationID: aUser.$organization.id, role: .member)
            try await colleagueUser.save(on: app.db)
            _ = try await browser.post("/partnerships/\(pid)/members", ["userId": colleagueUser.id!.uuidString])
            let members = try await app.api(.GET, "/partnerships/\(pid)", token: b.token).body["members"] as? [[String: Any]] ?? []
            #expect(members.compactMap { $0["name"] as? String }.contains("Dora"))
            #expect(!members.compactMap { $0["name"] as? String }.contains("Eve"))

            _ = try await browser.post("/partnerships/\(pid)/end", ["reason": "  "])
            #expect(try await app.api(.GET, "/partnerships/\(pid)", token: b.token).body["status"] as? String == "active")
            _ = try await browser.post("/partnerships/\(pid)/end", ["reason": "Project shipped"])
            #expect(try await app.api(.GET, "/partnerships/\(pid)", token: b.token).body["status"] as? String == "ended")
            let timeline = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: b.token).list
            #expect(timeline.first?["kind"] as? String == "partnership.ended")
            #expect(timeline.first?["reason"] as? String == "Project shipped")
            let late = try await app.api(.POST, "/partnerships/\(pid)/messages", token: b.token, json: #"{"body":"hello?"}"#)
            #expect(late.status == .conflict)
        }
    }

    @Test func settingsChangeTheTimeZoneAndRevokeTokens() async throws {
        try await withTestApp { app in
            let ada = try await signedIn(app, "Ada", org: "Engines")
            _ = try await ada.post("/settings/profile", ["timeZone": "Mars/Olympus"])
            #expect(try await ada.get("/settings").html.contains("is not an IANA time zone"))
            _ = try await ada.post("/settings/profile", ["timeZone": "Asia/Tokyo"])
            #expect(try await User.query(on: app.db).first()?.timeZone == "Asia/Tokyo")
            _ = try await ada.post("/settings/tokens", ["name": "laptop"])
            let page = try await ada.get("/settings").html
            guard let r = page.range(of: "id=\"new-token\">") else {
                Issue.record("no new token shown")
                return
            }
            let secret = String(page[r.upperBound...].prefix { $0 != "<" })
            #expect(try await app.api(.GET, "/me", token: secret).status == .ok)
            let token = try await APIToken.query(on: app.db).filter(\.$name == "laptop").first()!
            _ = try await ada.post("/settings/tokens/\(token.id!.uuidString)/revoke", [:])
            #expect(try await app.api(.GET, "/me", token: secret).status == .unauthorized)
        }
    }
}
