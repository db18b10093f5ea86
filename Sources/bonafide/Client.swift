import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A failure on the server's side or on the way there: shown as an error, without a usage block.
struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// Where the CLI finds the server and its token: flags, then BONAFIDE_URL / BONAFIDE_TOKEN, then the
/// credentials file written by `bonafide login`.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server address (default: BONAFIDE_URL, the saved login, or http://127.0.0.1:8080).") var server: String?
    @Option(help: "Bearer token (default: BONAFIDE_TOKEN or the saved login).") var token: String?
    @Flag(help: "Print the raw JSON response.") var json = false

    static var credentialsFile: URL {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        return URL(fileURLWithPath: home).appendingPathComponent(".config/bonafide/credentials.json")
    }

    struct Saved: Codable { var server: String; var token: String }

    func resolved() -> (server: String, token: String?) {
        let env = ProcessInfo.processInfo.environment
        let saved = (try? Data(contentsOf: Self.credentialsFile)).flatMap { try? JSONDecoder().decode(Saved.self, from: $0) }
        let server = server ?? env["BONAFIDE_URL"] ?? saved?.server ?? "http://127.0.0.1:8080"
        return (server.hasSuffix("/") ? String(server.dropLast()) : server, token ?? env["BONAFIDE_TOKEN"] ?? saved?.token)
    }

    /// Sends one request; a problem response becomes a readable error and a non-zero exit.
    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json", needsToken: Bool = true)
        async throws -> Data
    {
        let (server, token) = resolved()
        if needsToken && token == nil { throw ValidationError("Not signed in: run `bonafide login` or pass --token.") }
        var request = HTTPClientRequest(url: server + "/api/v1" + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json, text/plain")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw ClientError(description: "Cannot reach \(server): \(error). Is `bonafide serve` running?")
        }
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        guard (200..<300).contains(response.status.code) else {
            let object = try? JSONSerialization.jsonObject(with: data)
            let detail = (object as? [String: Any])?["detail"] as? String ?? String(decoding: data, as: UTF8.self)
            throw ClientError(description: "\(response.status.code) \(response.status.reasonPhrase): \(detail)")
        }
        return data
    }

    /// Calls the JSON API and returns the decoded answer (printed as is with --json).
    func call(_ method: HTTPMethod, _ path: String, body: [String: Any]? = nil, needsToken: Bool = true) async throws -> Any? {
        let data = try await send(
            method, path, body: try body.map { try JSONSerialization.data(withJSONObject: $0) }, needsToken: needsToken)
        let object = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
        if json, let object {
            let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: pretty, as: UTF8.self))
        }
        return object
    }
}

func string(_ value: Any?) -> String { value as? String ?? "" }

func table(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    let widths = (0..<first.count).map { i in rows.map { $0[i].count }.max() ?? 0 }
    for row in rows {
        print(
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
    }
}

extension Bonafide {
    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign in and save a token for the other commands.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Your email address.") var email: String
        @Option(help: "Your password (default: BONAFIDE_PASSWORD, or asked for).") var password: String?
        @Option(help: "With two-factor sign-in: the code your authenticator app shows, or a recovery code (asked for when needed).")
        var code: String?

        func run() async throws {
            let secret =
                password ?? ProcessInfo.processInfo.environment["BONAFIDE_PASSWORD"]
                ?? String(cString: getpass("Password for \(email): "))
            var body: [String: Any] = ["email": email, "password": secret]
            if let code { body["code"] = code }
            let object: Any?
            do {
                object = try await client.call(.POST, "/auth/login", body: body, needsToken: false)
            } catch let error as ClientError where code == nil && isatty(STDIN_FILENO) == 1 && error.description.contains("second factor") {
                // Two-factor sign-in: ask for the code once, as the web page does.
                body["code"] = String(cString: getpass("Code from your authenticator app (or a recovery code): "))
                object = try await client.call(.POST, "/auth/login", body: body, needsToken: false)
            }
            guard let token = (object as? [String: Any])?["token"] as? String else {
                throw ClientError(description: "The server sent no token.")
            }
            let file = ClientOptions.credentialsFile
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(ClientOptions.Saved(server: client.resolved().server, token: token))
            FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600])
            print("Signed in as \(email); token saved to \(file.path) (readable only by you).")
        }
    }

    struct Partnerships: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your partnerships.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let list = try await client.call(.GET, "/partnerships") as? [[String: Any]] ?? []
            if client.json { return }
            var rows = [["ID", "STATUS", "OPEN REQUESTS", "NAME"]]
            for p in list {
                let open = p["openRequests"] as? Int ?? 0
                rows.append([string(p["id"]), string(p["status"]), String(open), string(p["name"])])
            }
            table(rows)
        }
    }

    struct Commitments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a partnership's commitments, or propose one with --title and --due.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The partnership id.") var partnership: String
        @Option(help: "Title of a new commitment to propose.") var title: String?
        @Option(help: "Due date of the new commitment, RFC 3339 (e.g. 2026-12-01T17:00:00Z).") var due: String?
        @Option(help: "What will be delivered.") var deliverable: String?

        func validate() throws {
            guard UUID(uuidString: partnership) != nil else {
                throw ValidationError("The partnership id must be a UUID; see `bonafide partnerships`.")
            }
            if (title == nil) != (due == nil) { throw ValidationError("Give both --title and --due to propose a commitment.") }
            if let due, ISO8601DateFormatter().date(from: due) == nil {
                throw ValidationError("--due must be an RFC 3339 time such as 2026-12-01T17:00:00Z.")
            }
        }

        func run() async throws {
            if let title, let due {
                var body: [String: Any] = ["title": title, "dueAt": due]
                if let deliverable { body["deliverable"] = deliverable }
                let c = try await client.call(.POST, "/partnerships/\(partnership)/commitments", body: body) as? [String: Any]
                if !client.json { print("Proposed \(c?["id"] as? String ?? ""): \(title)") }
                return
            }
            let list = try await client.call(.GET, "/partnerships/\(partnership)/commitments") as? [[String: Any]] ?? []
            if client.json { return }
            var rows = [["DUE", "STATUS", "OWNER", "TITLE"]]
            for c in list {
                let risk = (c["atRisk"] as? Bool ?? false) ? " (at risk)" : ""
                rows.append([string(c["dueAt"]), string(c["status"]) + risk, string(c["ownerName"]), string(c["title"])])
            }
            table(rows)
        }
    }

    struct Message: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Post a message in a partnership.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The partnership id.") var partnership: String
        @Argument(help: "The message text.") var body: String
        @Option(help: "Subject of a new thread.") var subject: String?
        @Option(help: "Reply in this thread instead.") var thread: String?
        @Flag(help: "Ask the other side for a response.") var needsResponse = false

        func run() async throws {
            var payload: [String: Any] = ["body": body, "needsResponse": needsResponse]
            if let subject { payload["subject"] = subject }
            if let thread { payload["threadId"] = thread }
            let m = try await client.call(.POST, "/partnerships/\(partnership)/messages", body: payload) as? [String: Any]
            if !client.json { print("Posted in thread \(m?["threadId"] as? String ?? "").") }
        }
    }

    struct DashboardCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "What needs your attention.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let d = try await client.call(.GET, "/dashboard") as? [String: Any] ?? [:]
            if client.json { return }
            for (key, title) in [
                ("dueSoonMine", "Due soon, promised by your side"), ("dueSoonOwed", "Due soon, owed to your side"), ("slipped", "Slipped"),
            ] {
                let items = d[key] as? [[String: Any]] ?? []
                print("\(title): \(items.count)")
                for c in items { print("  " + [string(c["dueAt"]), string(c["status"]), string(c["title"])].joined(separator: "  ")) }
            }
            print("Open requests for your side: \((d["openRequests"] as? [Any])?.count ?? 0)")
            print("Unread notifications: \(d["unreadNotifications"] as? Int ?? 0)")
        }
    }
}
