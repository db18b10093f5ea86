import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// Concurrent writes on SQLite share commits (`WriteGate`); each still succeeds or fails on its own, and what a
/// caller was told succeeded is in the database. On PostgreSQL the same calls are plain transactions.
@Suite struct GroupCommitTests {
    /// 240 writers at once, every seventh failing after its insert, and pairs racing for the same key: the rows
    /// are exactly those of the writers told they succeeded.
    func writeConcurrently(on app: Application) async throws {
        let sql = try #require(app.db as? any SQLDatabase)
        try await sql.raw("CREATE TABLE group_commit_probe (n INTEGER PRIMARY KEY, writer INTEGER NOT NULL)").run()
        let succeeded = try await withThrowingTaskGroup(of: (Int, Int)?.self) { group in
            for writer in 0..<240 {
                group.addTask {
                    // Writers 200-239 insert the keys 0-39 again: the second of each pair fails on the primary key.
                    let key = writer < 200 ? writer : writer - 200
                    do {
                        try await app.db.writeTransaction { tx in
                            try await (tx as! any SQLDatabase).raw(
                                "INSERT INTO group_commit_probe (n, writer) VALUES (\(bind: key), \(bind: writer))"
                            ).run()
                            if writer % 7 == 0 { throw Problem(.conflict, "This writer changes its mind after writing.") }
                        }
                        return (key, writer)
                    } catch {
                        return nil
                    }
                }
            }
            return try await group.reduce(into: [(Int, Int)]()) { if let success = $1 { $0.append(success) } }
        }
        struct Row: Decodable {
            var n: Int
            var writer: Int
        }
        let rows = try await sql.raw("SELECT n, writer FROM group_commit_probe").all(decoding: Row.self)
        #expect(rows.count == succeeded.count)
        #expect(Set(rows.map { [$0.n, $0.writer] }) == Set(succeeded.map { [$0.0, $0.1] }))
        #expect(succeeded.allSatisfy { $0.1 % 7 != 0 })
        // Every key written by a writer that did not change its mind is there.
        #expect(Set(rows.map(\.n)) == Set((0..<200).filter { $0 % 7 != 0 || ($0 < 40 && ($0 + 200) % 7 != 0) }))
    }

    @Test func concurrentWritesSucceedAndFailOnTheirOwn() async throws {
        try await withTestApp { app in try await writeConcurrently(on: app) }
    }

    /// The server's own storage: a WAL file with synchronous=FULL (SQLite's compiled default, on every connection).
    @Test func concurrentWritesOnADatabaseFile() async throws {
        guard !isPostgres else { return }
        try await withTestAppOnAFile { app, directory in
            let sql = try #require(app.db as? any SQLDatabase)
            struct Mode: Decodable { var journal_mode: String }
            struct Sync: Decodable { var synchronous: Int }
            #expect(try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)?.journal_mode == "wal")
            #expect(try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)?.synchronous == 2)
            // Batches are formed per database file: were the file not found, each write would commit alone.
            #expect(WriteGate.file(of: app.db) == directory + "/bonafide.sqlite")
            try await writeConcurrently(on: app)
        }
    }
}
