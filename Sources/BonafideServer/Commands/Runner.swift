import Foundation
import Logging
import SQLKit
import Vapor

/// What the `bonafide` executable runs: each boots the application, does its work, and always
/// shuts down cleanly, even on failure.
public enum Runner {
    static func withApplication<T>(_ config: AppConfig, serving: Bool, _ body: (Application) async throws -> T) async throws -> T {
        let app = try await Application.make(.init(name: "production", arguments: serving ? ["bonafide", "serve"] : ["bonafide"]))
        do {
            try await configure(app, config: config)
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Runs `body` (migrating, seeding) while holding a PostgreSQL advisory lock, so servers started together on one
    /// database take turns: the first does the work, the others find it done instead of racing to create the same
    /// tables. SQLite needs no lock: one server owns its file.
    static func exclusively<T: Sendable>(_ app: Application, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return try await body() }
        // An advisory lock belongs to one connection, so it is taken and given back on the same one, held meanwhile.
        return try await app.db.withConnection { connection in
            guard let session = connection as? any SQLDatabase else { return try await body() }
            try await session.raw("SELECT pg_advisory_lock(\(literal: migrationLock))").run()
            do {
                let result = try await body()
                try await session.raw("SELECT pg_advisory_unlock(\(literal: migrationLock))").run()
                return result
            } catch {
                try? await session.raw("SELECT pg_advisory_unlock(\(literal: migrationLock))").run()
                throw error
            }
        }
    }

    /// "bonafide" in ASCII: the advisory lock key migrations hold.
    static let migrationLock: Int64 = 0x626F_6E61_6669_6465

    /// Unbuffered, so the banner shows at once even when stdout is a file or a pipe.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    public static func bootstrapLogging(_ level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Migrates, optionally seeds the demo, and serves until SIGINT or SIGTERM.
    public static func serve(_ config: AppConfig, demo: Bool) async throws {
        try await withApplication(config, serving: true) { app in
            try await exclusively(app) {
                try await app.autoMigrate()
                if demo {
                    let seeded = try await DemoSeed.run(on: app)
                    say(seeded ? "Seeded the demo data." : "Demo data already present.")
                }
            }
            say("Bonafide is serving on \(config.baseURL)  (storage: \(describe(config.storage)))")
            if demo {
                say("Demo logins (password \"\(DemoSeed.password)\"):")
                for login in DemoSeed.logins {
                    say("  \(login.email.padding(toLength: 26, withPad: " ", startingAt: 0)) \(login.name), \(login.organization)")
                }
            }
            try await serveUntilStopped(app)
        }
    }

    /// Serves until SIGINT or SIGTERM, then stops taking requests and answers those under way, before
    /// `withApplication` shuts the application down: background jobs first, then the databases. Vapor itself stops
    /// its HTTP server last, after every lifecycle handler (the serve command's own shutdown runs with the
    /// application's storage), so a request arriving or running during a deploy met stopped jobs and closed
    /// databases and was answered 500, where a server that no longer listens sends nginx to the next one.
    static func serveUntilStopped(_ app: Application) async throws {
        try await app.execute()
        // Closes the listening socket and idle keep-alive connections, and waits for the responses under way (at most
        // the server's `shutdownTimeout`, 10 s). Vapor's own shutdown of the server later is then harmless:
        // `HTTPServer.shutdown()` returns at once when it has no connection, and this call cleared it. Same server:
        // the serve command started `app.server`, the shared HTTPServer kept in the application's storage.
        await app.server.shutdown()
    }

    public static func migrate(_ config: AppConfig, revert: Bool) async throws {
        try await withApplication(config, serving: false) { app in
            if revert {
                try await app.autoRevert()
                say("Reverted all migrations.")
            } else {
                try await exclusively(app) { try await app.autoMigrate() }
                say("Database is up to date (\(describe(config.storage))).")
            }
        }
    }

    /// Migrates and seeds the demo; with `scale`, also N times the demo on top (`DemoScale`), printing its progress.
    public static func demo(_ config: AppConfig, scale: Int? = nil) async throws {
        try await withApplication(config, serving: false) { app in
            let seeded = try await exclusively(app) {
                try await app.autoMigrate()
                return try await DemoSeed.run(on: app)
            }
            say(seeded ? "Seeded the demo data; password \"\(DemoSeed.password)\"." : "Demo data already present.")
            guard let scale else { return }
            let summary = try await exclusively(app) {
                try await DemoScale.run(scale: scale, on: app, progress: { say($0) })
            }
            say(summary.description)
        }
    }

    /// Takes one mail piped in by the mail system (a reply to a message notification). Answers whether it was
    /// posted and what to tell the mail system (a refusal's reason goes back to the sender in the bounce).
    public enum MailReceipt: Sendable {
        case posted(String)
        case refused(String)
        case notAMail(String)
    }

    public static func receiveMail(_ config: AppConfig, raw: String, recipients: [String]) async throws -> MailReceipt {
        try await withApplication(config, serving: false) { app in
            try await app.autoMigrate()
            switch try await InboundReplies.receive(
                raw, recipients: recipients, domain: config.replyDomain, key: app.mailTokenKey, on: app.db)
            {
            case .posted(let id): return .posted("Posted in the thread (message \(id.apiString)).")
            case .repliedToUpdate(let id): return .posted("Posted in the update's thread (reply \(id.apiString)).")
            case .refused(let why): return .refused(why)
            case .malformed(let why): return .notAMail(why)
            }
        }
    }

    static func describe(_ storage: AppConfig.Storage) -> String {
        switch storage {
        case .postgres: "PostgreSQL"
        case .sqliteMemory: "SQLite in memory"
        case .sqliteFile(let path): "SQLite at \(path)"
        }
    }
}
