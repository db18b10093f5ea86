import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Accounts, tokens and organizations over the API")
struct AccountAPITests {
    @Test func registerReturnsTokenUserAndOrganization() async throws {
        try await withTestApp { app in
            let r = try await app.api(
                .POST, "/auth/register",
                json: #"{"email":"Ada@Example.com","password":"correct horse battery","name":"Ada","organization":"Engines Ltd"}"#)
            #expect(r.status == .created)
            #expect((r.body["token"] as? String)?.hasPrefix("bfd_") == true)
            #expect((r.body["user"] as? [String: Any])?["email"] as? String == "ada@example.com")
            #expect((r.body["user"] as? [String: Any])?["role"] as? String == "owner")
            #expect((r.body["organization"] as? [String: Any])?["name"] as? String == "Engines Ltd")
            let me = try await app.api(.GET, "/me", token: r.body["token"] as? String)
            #expect(me.status == .ok)
            #expect(me.body["name"] as? String == "Ada")
            // Neither the password nor the token is stored in clear.
            let user = try await User.query(on: app.db).first()
            #expect(user?.passwordHash.hasPrefix("$2") == true)
            #expect(try await APIToken.query(on: app.db).all().allSatisfy { $0.secretHash.count == 64 && !$0.secretHash.hasPrefix("bfd_") })
        }
    }

    @Test func badRegistrationsAreRefusedWithTheFieldAndChangeNothing() async throws {
        try await withTestApp { app in
            let cases: [(String, HTTPStatus, String?)] = [
                (
                    #"{"email":"not-an-email","password":"correct horse battery","name":"A","organization":"O"}"#, .unprocessableEntity,
                    "email"
                ),
                (#"{"email":"a@example.com","password":"short","name":"A","organization":"O"}"#, .unprocessableEntity, "password"),
                (
                    #"{"email":"a@example.com","password":"correct horse battery","name":"","organization":"O"}"#, .unprocessableEntity,
                    "name"
                ),
                (
                    #"{"email":"a@example.com","password":"correct horse battery","name":"A","organization":"O","timeZone":"PST"}"#,
                    .unprocessableEntity, "timeZone"
                ),
                (#"{"email":"a@example.com","password":"correct horse battery","name":"A"}"#, .unprocessableEntity, "organization"),
                (#"{"email":"a@example.com","password":12345678901,"name":"A","organization":"O"}"#, .unprocessableEntity, "password"),
                (
                    #"{"email":"a@example.com","password":"correct horse battery","name":"A","organization":"O","admin":true}"#,
                    .unprocessableEntity, "admin"
                ),
                (#"{"email":"a@example.com", "password":"#, .badRequest, nil),
            ]
            for (json, status, field) in cases {
                let r = try await app.api(.POST, "/auth/register", json: json)
                #expect(r.status == status, "\(json) -> \(r.raw)")
                #expect(r.headers.first(name: .contentType) == "application/problem+json")
                #expect(r.body["field"] as? String == field, "\(json) -> \(r.raw)")
                #expect((r.body["detail"] as? String)?.isEmpty == false)
            }
            #expect(try await User.query(on: app.db).count() == 0)
            #expect(try await Organization.query(on: app.db).count() == 0)
        }
    }

    @Test func duplicateEmailIsAConflict() async throws {
        try await withTestApp { app in
            _ = try await app.register("Ada", org: "Engines", email: "ada@example.com")
            let r = try await app.api(
                .POST, "/auth/register",
                json: #"{"email":"ADA@example.com","password":"correct horse battery","name":"Ada 2","organization":"Other"}"#)
            #expect(r.status == .conflict)
            #expect(try await Organization.query(on: app.db).count() == 1)
        }
    }

    @Test func loginChecksThePasswordAndLimitsAttempts() async throws {
        try await withTestApp({ $0.loginAttemptsPerWindow = 3 }) { app in
            _ = try await app.register("Ada", org: "Engines", email: "ada@example.com")
            let ok = try await app.api(.POST, "/auth/login", json: #"{"email":"ada@example.com","password":"correct horse battery"}"#)
            #expect(ok.status == .ok)
            let token = ok.body["token"] as? String
            #expect(try await app.api(.GET, "/me", token: token).status == .ok)
            let wrong = try await app.api(.POST, "/auth/login", json: #"{"email":"ada@example.com","password":"wrong password!"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body["detail"] as? String == "The email or password is wrong.")
            let unknown = try await app.api(.POST, "/auth/login", json: #"{"email":"nobody@example.com","password":"whatever1234"}"#)
            #expect(unknown.status == .unauthorized)
            let third = try await app.api(.POST, "/auth/login", json: #"{"email":"ada@example.com","password":"wrong again!!"}"#)
            #expect(third.status == .unauthorized)
            let limited = try await app.api(.POST, "/auth/login", json: #"{"email":"ada@example.com","password":"correct horse battery"}"#)
            #expect(limited.status == .tooManyRequests)
        }
    }

    @Test func requestsWithoutAValidTokenAre401() async throws {
        try await withTestApp { app in
            for token in [nil, "bfd_invented", "garbage"] as [String?] {
                let r = try await app.api(.GET, "/partnerships", token: token)
                #expect(r.status == .unauthorized)
                #expect(r.headers.first(name: .wwwAuthenticate) == "Bearer")
            }
        }
    }

    @Test func tokensAreListedWithoutSecretsAndRevocable() async throws {
        try await withTestApp { app in
            let ada = try await app.register("Ada", org: "Engines")
            let created = try await app.api(.POST, "/tokens", token: ada.token, json: #"{"name":"laptop"}"#)
            #expect(created.status == .created)
            let secret = created.body["secret"] as? String ?? ""
            let id = (created.body["token"] as? [String: Any])?["id"] as? String ?? ""
            #expect(try await app.api(.GET, "/me", token: secret).status == .ok)
            let list = try await app.api(.GET, "/tokens", token: ada.token)
            #expect(list.list.map { $0["name"] as? String }.contains("laptop"))
            #expect(!list.raw.contains(secret))
            #expect(try await app.api(.POST, "/tokens", token: ada.token, json: #"{"name":""}"#).status == .unprocessableEntity)
            // Another user cannot revoke it: for them it does not exist.
            let eve = try await app.register("Eve", org: "Other")
            #expect(try await app.api(.DELETE, "/tokens/\(id)", token: eve.token).status == .notFound)
            #expect(try await app.api(.DELETE, "/tokens/\(id)", token: ada.token).status == .noContent)
            #expect(try await app.api(.GET, "/me", token: secret).status == .unauthorized)
        }
    }

    @Test func usingATokenIsRecordedForSettings() async throws {
        try await withTestApp { app in
            let ada = try await app.register("Ada", org: "Engines")
            let created = try await app.api(.POST, "/tokens", token: ada.token, json: #"{"name":"laptop"}"#)
            let secret = created.body["secret"] as? String ?? ""
            func laptop() async throws -> [String: Any]? {
                try await app.api(.GET, "/tokens", token: ada.token).list.first { $0["name"] as? String == "laptop" }
            }
            #expect(try await laptop()?["lastUsedAt"] == nil)
            let me = try await app.api(.GET, "/me", token: secret)
            #expect(me.status == .ok && me.body["name"] as? String == "Ada", "\(me.raw)")
            #expect(try await laptop()?["lastUsedAt"] is String)
        }
    }

    @Test func organizationProfileIsHonestAndValidated() async throws {
        try await withTestApp { app in
            let ada = try await app.register("Ada", org: "Engines")
            let updated = try await app.api(
                .PATCH, "/organization", token: ada.token,
                json: """
                    {"description":"Analytical engines","capabilities":["Computation"],"limitations":["No steam power"],"risks":["One engineer"],
                     "languages":["English"],"timeZone":"Europe/London","workingHours":{"start":"08:00","end":"16:00","days":[1,2,3,4]}}
                    """)
            #expect(updated.status == .ok, "\(updated.raw)")
            #expect(updated.body["limitations"] as? [String] == ["No steam power"])
            #expect((updated.body["workingHours"] as? [String: Any])?["days"] as? [Int] == [1, 2, 3, 4])
            let bad = try await app.api(
                .PATCH, "/organization", token: ada.token, json: #"{"workingHours":{"start":"18:00","end":"09:00","days":[1]}}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body["field"] as? String == "workingHours.end")
            let zone = try await app.api(.PATCH, "/organization", token: ada.token, json: #"{"timeZone":"Nowhere/Land"}"#)
            #expect(zone.body["field"] as? String == "timeZone")
            let current = try await app.api(.GET, "/organization", token: ada.token)
            #expect(current.body["timeZone"] as? String == "Europe/London")
        }
    }

    @Test func colleaguesJoinWithARoleAndMembersCannotManage() async throws {
        try await withTestApp { app in
            let ada = try await app.register("Ada", org: "Engines")
            let invite = try await app.api(
                .POST, "/organization/invitations", token: ada.token, json: #"{"email":"charles@engines.example","role":"member"}"#)
            #expect(invite.status == .created)
            let secret = String((invite.body["link"] as? String ?? "").split(separator: "/").last ?? "")
            let (charles, org) = try await Accounts.register(
                .init(
                    email: "charles@engines.example", password: "difference engine",
                    name: "Charles", organization: "", invitation: secret), hasher: app.password.async, on: app.db)
            #expect(org.id?.uuidString.lowercased() == ada.organizationID)
            #expect(charles.role == .member)
            let (_, token) = try await Accounts.createToken(for: charles, name: "t", on: app.db)
            let members = try await app.api(.GET, "/organization/members", token: token)
            #expect(members.list.count == 2)
            #expect(try await app.api(.PATCH, "/organization", token: token, json: #"{"name":"Mine now"}"#).status == .forbidden)
            #expect(
                try await app.api(.POST, "/organization/invitations", token: token, json: #"{"email":"x@y.example","role":"admin"}"#).status
                    == .forbidden)
            // The link works once.
            await #expect(throws: Problem.self) {
                _ = try await Accounts.register(
                    .init(
                        email: "charles@engines.example", password: "difference engine",
                        name: "Again", organization: "", invitation: secret), hasher: app.password.async, on: app.db)
            }
        }
    }

    @Test func oversizedBodiesAre413AndServiceEndpointsAnswer() async throws {
        try await withTestApp({
            $0.maxBodyBytes = 4096
            $0.metricsToken = "metrics-token-for-tests"
        }) { app in
            let ada = try await app.register("Ada", org: "Engines")
            let big = #"{"name":"\#(String(repeating: "x", count: 10_000))"}"#
            let r = try await app.api(.POST, "/tokens", token: ada.token, json: big)
            #expect(r.status == .payloadTooLarge)
            try await app.testing().test(.GET, "/healthz") { res async in
                #expect(res.status == .ok)
                #expect(res.body.string == #"{"status":"ok"}"#)
            }
            try await app.testing().test(.GET, "/openapi.yaml") { res async in
                #expect(res.body.string.contains("openapi: \"3.1.0\""))
                #expect(res.body.string.contains("/partnerships/{partnershipId}/commitments"))
                // Every operation documents its problem answers (`default`): clients and Schemathesis read the
                // document, and an undocumented 403 or 404 is a contract broken. Each operation's text runs from its
                // operationId to the next one's, and its responses sit eight spaces in.
                let operations = res.body.string.components(separatedBy: "\ncomponents:")[0].components(separatedBy: "operationId:")
                    .dropFirst()
                let undocumented = operations.filter { !$0.contains("\n        default:") }.map { $0.prefix { $0 != "\n" } }
                #expect(operations.count > 150)
                #expect(undocumented.isEmpty, "operations without a default (problem) response: \(undocumented)")
            }
            try await app.testing().test(
                .GET, "/metrics", beforeRequest: { $0.headers.bearerAuthorization = .init(token: "metrics-token-for-tests") }
            ) { res async in
                #expect(res.body.string.contains("bonafide_http_requests_total{method=\"POST\",status=\"413\"} 1"))
                #expect(res.body.string.contains("bonafide_commitments{status=\"accepted\"} 0"))
            }
        }
    }
}

@Suite("Sign-up rate")
struct SignupRateTests {
    @Test func oneClientCreatesAtMostTheConfiguredNumberOfAccounts() async throws {
        try await withTestApp({ $0.signupsPerClient = 2 }) { app in
            _ = try await app.register("Ana", org: "One")
            _ = try await app.register("Ben", org: "Two")
            let third = try await app.api(
                .POST, "/auth/register",
                json: #"{"email":"cy@three.example","password":"correct horse battery","name":"Cy","organization":"Three"}"#)
            #expect(third.status == .tooManyRequests)
            #expect(try await User.query(on: app.db).count() == 2)
        }
    }
}
