import BonafideCore
import Foundation
import Logging

/// Every setting Bonafide reads, parsed in one place. A bad value stops start-up with a message
/// that names the variable and what it accepts.
public struct AppConfig: Sendable {
    public enum Storage: Sendable, Equatable {
        case sqliteFile(path: String)
        case sqliteMemory
        case postgres(url: String)
    }

    public var hostname = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "data"
    public var databaseURL: String?
    /// PostgreSQL connections per event loop (one loop per core): BONAFIDE_PG_CONNECTIONS_PER_CORE. Few: each write to a
    /// busy partnership waits for its log head's row lock, and every connection more is one more backend woken and put
    /// back to sleep on each commit. At least 2: start-up holds one connection for its advisory lock while migrating on
    /// another.
    public var postgresConnectionsPerCore = 2
    /// The address people use to reach this server; invitation links are built from it.
    public var publicURL: String?
    public var secureCookies = false
    public var bcryptCost = 12
    public var maxBodyBytes = 1_048_576
    /// The largest vault document, header and chunks together (BONAFIDE_VAULT_MAX_BYTES).
    public var vaultMaxBytes: Int64 = 100 << 20
    /// What one organization's documents may take together (BONAFIDE_VAULT_QUOTA_BYTES).
    public var vaultQuotaBytes: Int64 = 1 << 30
    /// Where document ciphertext is kept: BONAFIDE_VAULT_DIR, else `vault` in the data directory.
    public var vaultDirectoryOverride: String?
    public var vaultDirectory: String { vaultDirectoryOverride ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("vault").path }
    public var loginAttemptsPerWindow = 10
    /// Sign-in attempts from one client across all addresses, per 15 minutes.
    public var loginAttemptsPerClient = 100
    /// Accounts one client may create per 10 minutes (web sign-up and the API together).
    public var signupsPerClient = 30
    public var overdueSweepSeconds = 60
    /// How often queued trust recomputes run.
    public var trustRecomputeSeconds = 5
    /// How often each mention feed is fetched.
    public var feedPollSeconds = 900
    /// Lets feeds live on loopback and private networks (tests, intranets); off by default against SSRF.
    public var allowPrivateFeedAddresses = false
    /// The mail server outgoing mail is submitted to; without one, messages wait in the outbox.
    var smtp: SMTPSettings?
    /// How often the outbox is checked for messages to send.
    public var mailDeliverySeconds = 10
    /// Lets webhooks post to loopback and private networks (tests, intranets); off by default against SSRF.
    public var allowPrivateWebhookAddresses = false
    /// How often due webhook deliveries are sent.
    public var webhookSeconds = 5
    /// Multiplies the pauses between webhook retries (tests shorten three days to seconds).
    public var webhookBackoffScale = 1.0
    /// Tests only (BONAFIDE_TEST_CLOCK_FILE): a file holding seconds to add to the clock of the background jobs, so
    /// an end-to-end test can let quiet hours, digest hours and retry pauses pass without waiting.
    public var testClockFile: String?
    /// Where the server receives replies by mail over SMTP (BONAFIDE_INBOUND_SMTP=host:port); nil for no receiver.
    public var inboundSMTP: (host: String, port: Int)?
    /// The domain of reply addresses (reply+TOKEN@domain): BONAFIDE_REPLY_DOMAIN, else the public host when the
    /// receiver runs. Without one, notification mails cannot be answered by mail.
    public var replyDomain: String?
    /// Load balancers in front of the servers (BONAFIDE_TRUSTED_PROXIES): requests from them are counted against the
    /// client address they report in X-Forwarded-For.
    public var trustedProxies: Set<String> = []
    public var logLevel: Logger.Level = .info
    /// BONAFIDE_EMAIL_VERIFICATION=off: new addresses need no confirmation even though mail can be sent.
    public var emailVerificationOff = false
    /// Addresses must be confirmed by a link: whenever mail can be sent, unless turned off deliberately.
    var requiresEmailVerification: Bool { smtp != nil && !emailVerificationOff }
    /// The bearer token `/metrics` asks for; without one, metrics are not served.
    public var metricsToken: String?
    /// The log signing key in Go note format (PRIVATE+KEY+name+id+key); see `LedgerKeys`.
    public var logSigningKey: String?
    /// Tests drive the overdue sweep themselves.
    public var runBackgroundJobs = true
    /// A PostgreSQL schema to work in instead of `public`; each test gets its own.
    public var postgresSchema: String?
    /// Tests use an in-memory SQLite database.
    public var inMemoryDatabase = false

    public init() {}

    public var storage: Storage {
        if let databaseURL { return .postgres(url: databaseURL) }
        if inMemoryDatabase { return .sqliteMemory }
        return .sqliteFile(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("bonafide.sqlite").path)
    }

    public var baseURL: String { publicURL ?? "http://\(hostname):\(port)" }

    /// The name this server gives itself in SMTP's EHLO: the public host name.
    var heloName: String {
        guard let host = publicURL.flatMap({ URL(string: $0)?.host })?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else {
            return "localhost"
        }
        // RFC 5321: an address, not a name, is written as a literal in brackets.
        switch numericAddress(host)?.count {
        case 4: return "[\(host)]"
        case 16: return "[IPv6:\(host)]"
        default: return host
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let variable: String
        public let value: String
        public let expected: String
        public var description: String { "Invalid \(variable)=\"\(value)\": expected \(expected)." }
    }

    /// Reads the environment; variables that are absent keep their defaults.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        var config = AppConfig()
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let raw = env[name], !raw.isEmpty else { return nil }
            guard let value = Int(raw), range.contains(value) else {
                throw Invalid(variable: name, value: raw, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        if let port = try int("BONAFIDE_PORT", 1...65535) { config.port = port }
        if let host = env["BONAFIDE_HOSTNAME"], !host.isEmpty { config.hostname = host }
        if let dir = env["BONAFIDE_DATA"], !dir.isEmpty { config.dataDirectory = dir }
        if let url = env["DATABASE_URL"], !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), URL(string: url)?.host != nil else {
                throw Invalid(variable: "DATABASE_URL", value: "(hidden)", expected: "postgres://user:password@host:port/database")
            }
            config.databaseURL = url
        }
        if let connections = try int("BONAFIDE_PG_CONNECTIONS_PER_CORE", 2...64) { config.postgresConnectionsPerCore = connections }
        if let url = env["BONAFIDE_PUBLIC_URL"], !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw Invalid(variable: "BONAFIDE_PUBLIC_URL", value: url, expected: "an http(s) URL such as https://trust.example.com")
            }
            config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            config.secureCookies = parsed.scheme == "https"
        }
        func bool(_ name: String) throws -> Bool? {
            guard let raw = env[name], !raw.isEmpty else { return nil }
            switch raw.lowercased() {
            case "1", "true", "yes": return true
            case "0", "false", "no": return false
            default: throw Invalid(variable: name, value: raw, expected: "true or false")
            }
        }
        if let secure = try bool("BONAFIDE_SECURE_COOKIES") { config.secureCookies = secure }
        if let allow = try bool("BONAFIDE_FEEDS_ALLOW_PRIVATE") { config.allowPrivateFeedAddresses = allow }
        if let poll = try int("BONAFIDE_FEED_POLL_SECONDS", 1...86_400) { config.feedPollSeconds = poll }
        if let cost = try int("BONAFIDE_BCRYPT_COST", 4...31) { config.bcryptCost = cost }
        if let max = try int("BONAFIDE_MAX_BODY_BYTES", 1024...104_857_600) { config.maxBodyBytes = max }
        if let max = try int("BONAFIDE_VAULT_MAX_BYTES", 1024...(1 << 40)) { config.vaultMaxBytes = Int64(max) }
        if let quota = try int("BONAFIDE_VAULT_QUOTA_BYTES", 1024...(1 << 50)) { config.vaultQuotaBytes = Int64(quota) }
        if let dir = env["BONAFIDE_VAULT_DIR"], !dir.isEmpty { config.vaultDirectoryOverride = dir }
        if let rate = try int("BONAFIDE_LOGIN_ATTEMPTS", 1...10_000) { config.loginAttemptsPerWindow = rate }
        if let rate = try int("BONAFIDE_LOGIN_CLIENT_ATTEMPTS", 1...100_000) { config.loginAttemptsPerClient = rate }
        if let rate = try int("BONAFIDE_SIGNUP_CLIENT_ATTEMPTS", 1...100_000) { config.signupsPerClient = rate }
        if let sweep = try int("BONAFIDE_OVERDUE_SWEEP_SECONDS", 1...86_400) { config.overdueSweepSeconds = sweep }
        if let trust = try int("BONAFIDE_TRUST_RECOMPUTE_SECONDS", 1...86_400) { config.trustRecomputeSeconds = trust }
        if let key = env["BONAFIDE_LOG_KEY"], !key.isEmpty {
            guard (try? NoteSigner(key)) != nil else {
                throw Invalid(variable: "BONAFIDE_LOG_KEY", value: "(hidden)", expected: "a note signing key PRIVATE+KEY+name+keyid+base64")
            }
            config.logSigningKey = key
        }
        if let url = env["BONAFIDE_SMTP_URL"], !url.isEmpty {
            guard let from = env["BONAFIDE_MAIL_FROM"], !from.isEmpty else {
                throw Invalid(
                    variable: "BONAFIDE_MAIL_FROM", value: "",
                    expected: "the sender address for outgoing mail, such as trust@example.com (needed with BONAFIDE_SMTP_URL)")
            }
            guard MailAddress.isValid(from) else {
                throw Invalid(variable: "BONAFIDE_MAIL_FROM", value: from, expected: "a plain e-mail address such as trust@example.com")
            }
            let caFile = env["BONAFIDE_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw Invalid(variable: "BONAFIDE_SMTP_CA_FILE", value: caFile, expected: "a readable PEM file of certificate authorities")
            }
            do {
                config.smtp = try SMTPSettings.parse(url: url, from: from, caFile: caFile)
            } catch let error as SMTPSettings.Invalid {
                // The URL may hold a password: never echo it.
                throw Invalid(variable: "BONAFIDE_SMTP_URL", value: "(hidden)", expected: error.description)
            }
        }
        if let seconds = try int("BONAFIDE_MAIL_SECONDS", 1...3_600) { config.mailDeliverySeconds = seconds }
        if let file = env["BONAFIDE_TEST_CLOCK_FILE"], !file.isEmpty { config.testClockFile = file }
        if let allow = try bool("BONAFIDE_WEBHOOKS_ALLOW_PRIVATE") { config.allowPrivateWebhookAddresses = allow }
        if let seconds = try int("BONAFIDE_WEBHOOK_SECONDS", 1...3_600) { config.webhookSeconds = seconds }
        if let raw = env["BONAFIDE_WEBHOOK_BACKOFF_SCALE"], !raw.isEmpty {
            guard let scale = Double(raw), scale > 0, scale <= 1 else {
                throw Invalid(
                    variable: "BONAFIDE_WEBHOOK_BACKOFF_SCALE", value: raw, expected: "a number above 0 and at most 1 (tests only)")
            }
            config.webhookBackoffScale = scale
        }
        if let raw = env["BONAFIDE_INBOUND_SMTP"], !raw.isEmpty {
            guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]), (1...65535).contains(port),
                colon != raw.startIndex
            else {
                throw Invalid(
                    variable: "BONAFIDE_INBOUND_SMTP", value: raw, expected: "host:port to receive replies on, such as 0.0.0.0:2525")
            }
            config.inboundSMTP = (String(raw[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
            config.replyDomain = config.publicURL.flatMap { URL(string: $0)?.host } ?? config.hostname
        }
        if let domain = env["BONAFIDE_REPLY_DOMAIN"], !domain.isEmpty {
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            guard domain.utf8.count <= 253, labels.count >= 1,
                labels.allSatisfy({
                    !$0.isEmpty && $0.utf8.count <= 63 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                })
            else { throw Invalid(variable: "BONAFIDE_REPLY_DOMAIN", value: domain, expected: "a domain name such as reply.example.com") }
            config.replyDomain = domain.lowercased()
        }
        if let raw = env["BONAFIDE_EMAIL_VERIFICATION"], !raw.isEmpty {
            guard ["on", "off"].contains(raw.lowercased()) else {
                throw Invalid(
                    variable: "BONAFIDE_EMAIL_VERIFICATION", value: raw, expected: "on (the default when mail is configured) or off")
            }
            config.emailVerificationOff = raw.lowercased() == "off"
        }
        if let token = env["BONAFIDE_METRICS_TOKEN"], !token.isEmpty {
            guard token.utf8.count >= 16 else {
                throw Invalid(variable: "BONAFIDE_METRICS_TOKEN", value: "(hidden)", expected: "a random token of at least 16 characters")
            }
            config.metricsToken = token
        }
        if let raw = env["BONAFIDE_TRUSTED_PROXIES"], !raw.isEmpty {
            let addresses = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard addresses.allSatisfy({ numericAddress($0) != nil }) else {
                throw Invalid(
                    variable: "BONAFIDE_TRUSTED_PROXIES", value: raw,
                    expected: "the load balancers' IP addresses, separated by commas, such as 10.0.0.5,10.0.0.6")
            }
            config.trustedProxies = Set(addresses)
        }
        if let level = env["LOG_LEVEL"], !level.isEmpty {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw Invalid(variable: "LOG_LEVEL", value: level, expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            config.logLevel = parsed
        }
        return config
    }
}
