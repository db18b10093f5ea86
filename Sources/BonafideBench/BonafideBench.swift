import ArgumentParser
import BonafideServer
import Foundation

/// The benchmarks that run the server's own code: `ledger` (benchmarks/ledger.sh, the default) and `authz`
/// (benchmarks/authz.sh). See LedgerBenchmark and AuthzBenchmark for what each figure measures.
@main
struct BonafideBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bonafide-bench", abstract: "Measure the server's own code on SQLite and PostgreSQL.",
        subcommands: [Ledger.self, Authz.self], defaultSubcommand: Ledger.self)
}

struct Authz: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time the access check on a seeded network of organizations.")

    @Option(help: "Folder for the SQLite file.") var data: String
    @Option(help: "PostgreSQL URL to measure too (a scratch database: tables are created in it).") var postgres: String?
    @Option(help: "Organizations to seed (one person each).") var organizations = 100_000
    @Option(help: "Relations to seed (circle placements and partnership sides).") var relations = 1_000_000
    @Option(help: "Questions to time.") var questions = 5_000
    @Option(help: "Concurrent askers for the rate.") var concurrency = 32

    func validate() throws {
        guard organizations > 1, relations > 0, questions > 0, concurrency > 0 else { throw ValidationError("Counts must be positive.") }
    }

    func run() async throws {
        Runner.bootstrapLogging(.warning)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var sqlite = AppConfig()
        sqlite.dataDirectory = data
        let (organizations, relations, questions, concurrency) = (organizations, relations, questions, concurrency)
        try await LedgerBenchmark.with(sqlite) { app in
            let network = try await AuthzBenchmark.seed(app, organizations: organizations, relations: relations)
            try await AuthzBenchmark.run(app, label: "sqlite  ", network: network, questions: questions, concurrency: concurrency)
        }
        if let postgres {
            var pg = AppConfig()
            pg.databaseURL = postgres
            try await LedgerBenchmark.with(pg) { app in
                let network = try await AuthzBenchmark.seed(app, organizations: organizations, relations: relations)
                try await AuthzBenchmark.run(app, label: "postgres", network: network, questions: questions, concurrency: concurrency)
            }
        }
    }
}

struct Ledger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the partnership log: appends and proofs.")

    @Option(help: "Folder for the SQLite files and the fsync probe.") var data: String
    @Option(help: "PostgreSQL URL to measure too (a scratch database: tables are created in it).") var postgres: String?
    @Option(help: "Appends per append measurement.") var appends = 2000
    @Option(help: "Concurrent producers for group commit.") var producers = 256
    @Option(help: "Entries a transaction for batched appends.") var batch = 1000
    @Option(help: "Appends for the batched measurement.") var batched = 200_000
    @Option(help: "Entries in the log the proofs are timed on.") var proofLogSize: UInt64 = 10_000_000
    @Option(help: "Proofs to time.") var proofs = 2000
    @Flag(help: "Also build the large proof log on PostgreSQL (slow).") var postgresProofs = false

    func validate() throws {
        guard appends > 0, producers > 0, batch > 0, batched > 0, proofLogSize > 1, proofs > 0 else {
            throw ValidationError("Counts must be positive.")
        }
    }

    func run() async throws {
        Runner.bootstrapLogging(.warning)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try LedgerBenchmark.machine(directory: data)
        var sqlite = AppConfig()
        sqlite.dataDirectory = data + "/appends"
        try FileManager.default.createDirectory(atPath: sqlite.dataDirectory, withIntermediateDirectories: true)
        let (appends, producers, proofs, size) = (appends, producers, proofs, proofLogSize)
        let (batch, batched) = (batch, batched)
        try await LedgerBenchmark.with(sqlite) { app in
            try await LedgerBenchmark.appendsOneByOne(app, label: "sqlite  ", count: appends)
            try await LedgerBenchmark.appendsGroupCommitted(app, label: "sqlite  ", count: appends * 10, producers: producers)
            try await LedgerBenchmark.appendsBatched(app, label: "sqlite  ", count: batched, batch: batch)
            try await LedgerBenchmark.storage(app, label: "sqlite  ")
        }
        if let postgres {
            var pg = AppConfig()
            pg.databaseURL = postgres
            try await LedgerBenchmark.with(pg) { app in
                try await LedgerBenchmark.appendsOneByOne(app, label: "postgres", count: appends)
                try await LedgerBenchmark.appendsGroupCommitted(app, label: "postgres", count: appends * 10, producers: producers)
                try await LedgerBenchmark.appendsBatched(app, label: "postgres", count: batched, batch: batch)
                try await LedgerBenchmark.storage(app, label: "postgres")
                if postgresProofs { try await LedgerBenchmark.proofs(app, label: "postgres", size: size, proofs: proofs) }
            }
        }
        var big = AppConfig()
        big.dataDirectory = data + "/proofs"
        try FileManager.default.createDirectory(atPath: big.dataDirectory, withIntermediateDirectories: true)
        try await LedgerBenchmark.with(big) { app in
            try await LedgerBenchmark.proofs(app, label: "sqlite  ", size: size, proofs: proofs)
        }
    }
}
