import ArgumentParser
import BonafideServer
import Foundation

@main
struct Bonafide: AsyncParsableCommand {

    static let configuration = CommandConfiguration(
        abstract: "Bonafide: trust you can verify, for digital partnerships.",
        discussion: "Configuration also comes from environment variables; see the README.",
        subcommands: [
            Serve.self, Migrate.self, Demo.self, Login.self, Partnerships.self, Commitments.self, Message.self, DashboardCommand.self,
            LedgerCommand.self, TrustCommand.self, SurveyCommand.self, SentimentCommand.self, MailCommand.self, VaultCommand.self,
            PassportCommand.self,
        ])
}

/// Options shared by every command that opens the database.
struct StorageOptions: ParsableArguments {
    @Option(help: "Folder for the SQLite database (default: ./data, or BONAFIDE_DATA).")
    var data: String?

    func config() throws -> AppConfig {
        var config: AppConfig
        do { config = try AppConfig.fromEnvironment() } catch { throw ValidationError("\(error)") }
        if let data { config.dataDirectory = data }
        return config
    }
}

extension Bonafide {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Migrate the database and serve the web UI and API.")

        @OptionGroup var storage: StorageOptions
        @Option(help: "Port to listen on.") var port: Int?
        @Option(help: "Address to listen on.") var hostname: String?
        @Flag(help: "Seed demo organizations, people and partnerships on first start.") var demo = false

        func validate() throws {
            if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535.") }
        }

        func run() async throws {
            var config = try storage.config()
            if let port { config.port = port }
            if let hostname { config.hostname = hostname }
            Runner.bootstrapLogging(config.logLevel)
            try await Runner.serve(config, demo: demo)
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")
        @OptionGroup var storage: StorageOptions
        @Flag(help: "Undo every migration instead (destroys the data).") var revert = false

        func run() async throws {
            try await Runner.migrate(try storage.config(), revert: revert)
        }
    }

    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Migrate and seed the demo data without serving.")
        @OptionGroup var storage: StorageOptions
        @Option(
            help: """
                Also seed N times the demo on top (1 to 1000): 5N organizations, about 30N partnerships with a year of \
                commitments, messages and log entries (N=100: about 100,000 commitments and 200,000 messages).
                """)
        var scale: Int?

        func validate() throws {
            if let scale, !(1...1000).contains(scale) { throw ValidationError("--scale must be between 1 and 1000.") }
        }

        func run() async throws {
            try await Runner.demo(try storage.config(), scale: scale)
        }
    }
}
