import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// Runs a test against a fresh, migrated application and always shuts it down.
/// SQLite in memory by default; with BONAFIDE_TEST_DATABASE_URL, a new PostgreSQL schema per test
/// that is dropped afterwards.
func withTestApp(_ adjust: (inout AppConfig) -> Void = { _ in }, _ test: (Application) async throws -> Void) async throws {
    var config = AppConfig()
    config.bcryptCost = 4
    config.runBackgroundJobs = false
    config.logLevel = .warning
    config.vaultDirectoryOverride = NSTemporaryDirectory() + "bonafide-test-vault-" + UUID().uuidString
    if let url = ProcessInfo.processInfo.environment["BONAFIDE_TEST_DATABASE_URL"], !url.isEmpty {
        config.databaseURL = url
        config.postgresSchema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // The suite runs many apps at once on a shared machine, some firing hundreds of writes together: with the
        // server's 2 connections per core, writes under that load waited past the pool's 30 s and failed. The default
        // is for one server and is measured by `benchmarks/writes.sh` and the scale-out check.
        config.postgresConnectionsPerCore = 8
    } else {
        config.inMemoryDatabase = true
    }
    adjust(&config)
    let app = try await Application.make(.testing)
    func cleanUp() async {
        // Before the schema goes: a job still running (woken by another test's write) would find its tables gone.
        await app.stopBackgroundJobs()
        if let schema = config.postgresSchema, let sql = app.db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
        }
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: config.vaultDirectory)
    }
    do {
        try await configure(app, config: config)
        try await app.autoMigrate()
        try await test(app)
    } catch {
        await cleanUp()
        throw error
    }
    await cleanUp()
}

/// An app on the server's own kind of SQLite storage (a WAL file in a folder of its own, removed afterwards), not the
/// scratch database of the other tests; the test gets the folder too.
func withTestAppOnAFile(_ test: (Application, String) async throws -> Void) async throws {
    let directory = NSTemporaryDirectory() + "bonafide-file-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await withTestApp({
        $0.inMemoryDatabase = false
        $0.dataDirectory = directory
    }) { app in try await test(app, directory) }
}

var isPostgres: Bool { !(ProcessInfo.processInfo.environment["BONAFIDE_TEST_DATABASE_URL"] ?? "").isEmpty }

/// A signed-up API user.
struct Account {
    let token: String
    let id: String
    let email: String
    let organizationID: String
    var auth: HTTPHeaders { ["Authorization": "Bearer \(token)"] }
}

extension Application {
    /// Sends a JSON request through the whole middleware stack and returns status and decoded body.
    @discardableResult
    func api(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil, text: String? = nil,
        headers extra: [(String, String)] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (status: HTTPStatus, body: [String: Any], list: [[String: Any]], raw: String, headers: HTTPHeaders) {
        var result: (HTTPStatus, [String: Any], [[String: Any]], String, HTTPHeaders) = (.ok, [:], [], "", [:])
        try await testing().test(
            method, "/api/v1" + path,
            beforeRequest: { req in
                if let token { req.headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
                for (name, value) in extra { req.headers.replaceOrAdd(name: name, value: value) }
                if let json {
                    req.headers.contentType = .json
                    req.body = ByteBuffer(string: json)
                }
                if let text {
                    req.headers.contentType = .plainText
                    req.body = ByteBuffer(string: text)
                }
            },
            afterResponse: { res async in
                let raw = res.body.string
                let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8))
                result = (res.status, object as? [String: Any] ?? [:], object as? [[String: Any]] ?? [], raw, res.headers)
            })
        return result
    }

    /// A GET whose answer is binary (tiles).
    func bytes(_ path: String, token: String?) async throws -> (status: HTTPStatus, bytes: [UInt8], headers: HTTPHeaders) {
        var result: (HTTPStatus, [UInt8], HTTPHeaders) = (.ok, [], [:])
        try await testing().test(
            .GET, "/api/v1" + path,
            beforeRequest: { req in if let token { req.headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") } },
            afterResponse: { res async in result = (res.status, Array(res.body.readableBytesView), res.headers) })
        return result
    }

    func register(_ name: String, org: String, email: String? = nil, timeZone: String = "Europe/Berlin") async throws -> Account {
        let email = email ?? "\(name.lowercased())@\(org.lowercased().replacingOccurrences(of: " ", with: "")).example"
        let r = try await api(
            .POST, "/auth/register",
            json:
                #"{"email":"\#(email)","password":"correct horse battery","name":"\#(name)","organization":"\#(org)","timeZone":"\#(timeZone)"}"#
        )
        #expect(r.status == .created, "register \(email): \(r.raw)")
        let user = r.body["user"] as? [String: Any] ?? [:]
        return Account(
            token: r.body["token"] as? String ?? "", id: user["id"] as? String ?? "", email: email,
            organizationID: user["organizationId"] as? String ?? "")
    }

    /// A colleague invited into `of`'s organization with the role, signed up, with an API token.
    func invitedMember(of inviter: Account, role: String, name: String = "Mia") async throws -> Account {
        let email = "\(name.lowercased())@\(inviter.email.split(separator: "@").last ?? "example")"
        let invite = try await api(
            .POST, "/organization/invitations", token: inviter.token, json: #"{"email":"\#(email)","role":"\#(role)"}"#)
        let secret = String((invite.body["link"] as? String ?? "").split(separator: "/").last ?? "")
        let (user, _) = try await Accounts.register(
            .init(email: email, password: "correct horse battery", name: name, organization: "", invitation: secret),
            hasher: password.async, on: db)
        let (_, token) = try await Accounts.createToken(for: user, name: "t", on: db)
        return Account(token: token, id: user.id!.uuidString.lowercased(), email: email, organizationID: inviter.organizationID)
    }

    /// Two organizations with an active partnership: the usual starting point.
    func activePartnership(
        _ first: (name: String, org: String) = ("Alice", "Northwind"), _ second: (name: String, org: String) = ("Bob", "Acme")
    ) async throws -> (a: Account, b: Account, partnershipID: String) {
        let a = try await register(first.name, org: first.org)
        let b = try await register(second.name, org: second.org)
        let created = try await api(
            .POST, "/partnerships", token: a.token, json: #"{"name":"Relaunch","partnerEmail":"\#(b.email)","agreement":"v1 text"}"#)
        #expect(created.status == .created, "\(created.raw)")
        let link = created.body["invitationLink"] as? String ?? ""
        let secret = String(link.split(separator: "/").last ?? "")
        let accepted = try await api(.POST, "/invitations/\(secret)/accept", token: b.token)
        #expect(accepted.status == .ok, "\(accepted.raw)")
        return (a, b, created.body["id"] as? String ?? "")
    }
}

func rfc3339(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

/// Sends the same requests at once and returns their statuses.
func together(_ count: Int, _ send: @escaping @Sendable (Int) async throws -> HTTPStatus) async throws -> [HTTPStatus] {
    try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
        for i in 0..<count { group.addTask { try await send(i) } }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}
