import FluentKit
import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import Testing
import VaporTesting

@testable import BonafideServer

/// Bonafide's own SQLite layer (Sources/BonafideServer/SQLite) runs statements on the caller's thread. What it must
/// keep from the driver it replaced: writes outside a transaction wait their turn without stalling the writer, errors
/// keep their kind, and maintenance statements still run. (On PostgreSQL the same calls are plain statements.)
@Suite struct SQLiteLayerTests {
    struct Count: Decodable { var n: Int }

    /// Counted attempts (a write outside any transaction) racing the writer while it holds the write lock: were they
    /// to wait for SQLite's lock on the threads that run tasks, the writer could never finish, and after SQLite's
    /// minute of waiting they would fail with "database is locked". (PostgreSQL has no one writer to stall.)
    @Test(.timeLimit(.minutes(3))) func writesOutsideATransactionWaitTheirTurnBesideTheWriter() async throws {
        guard !isPostgres else { return }
        try await withTestApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE layer_probe (n INTEGER PRIMARY KEY)").run()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<60 {
                    group.addTask {
                        if n.isMultiple(of: 2) {
                            #expect(try await RateLimits.allow("probe-\(n)", limit: 5, window: 60, on: sql))
                        } else {
                            try await app.db.writeTransaction { tx in
                                try await (tx as! any SQLDatabase).raw("INSERT INTO layer_probe (n) VALUES (\(bind: n))").run()
                                // The writer holds the lock a while, so the attempts arrive while it is held.
                                try await Task.sleep(for: .milliseconds(5))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM layer_probe").first(decoding: Count.self)?.n == 30)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM rate_limit_attempts").first(decoding: Count.self)?.n == 30)
        }
    }

    /// A duplicate is told apart from other failures (the API answers it with 409), and leaves the row as it was.
    @Test func aDuplicateKeyIsAConstraintFailureAndChangesNothing() async throws {
        try await withTestApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE layer_unique (n INTEGER PRIMARY KEY, label TEXT NOT NULL)").run()
            try await app.db.writeTransaction { tx in
                try await (tx as! any SQLDatabase).raw("INSERT INTO layer_unique (n, label) VALUES (1, 'first')").run()
            }
            await #expect {
                try await app.db.writeTransaction { tx in
                    try await (tx as! any SQLDatabase).raw("INSERT INTO layer_unique (n, label) VALUES (1, 'second')").run()
                }
            } throws: { ($0 as? any DatabaseError)?.isConstraintFailure == true }
            await #expect {
                try await sql.raw("SELECT no_such_column FROM layer_unique").run()
            } throws: { ($0 as? any DatabaseError)?.isConstraintFailure == false }
            struct Label: Decodable { var label: String }
            #expect(try await sql.raw("SELECT label FROM layer_unique").all(decoding: Label.self).map(\.label) == ["first"])
        }
    }

    /// Values come back as they were bound: text with any characters, bytes, whole and fractional numbers, nothing.
    @Test func valuesComeBackAsTheyWereBound() async throws {
        guard !isPostgres else { return }
        try await withTestApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE layer_values (t TEXT, b BLOB, i INTEGER, d REAL, z TEXT)").run()
            let text = "Grüße, 你好 — \"quoted\" 'and' 🚀"
            let bytes = Data([0, 1, 2, 254, 255, 0])
            try await app.db.writeTransaction { tx in
                try await (tx as! any SQLDatabase).raw(
                    "INSERT INTO layer_values VALUES (\(bind: text), \(bind: bytes), \(bind: Int.min), \(bind: 0.1), \(bind: String?.none))"
                ).run()
            }
            struct Values: Decodable {
                var t: String
                var b: Data
                var i: Int
                var d: Double
                var z: String?
            }
            let row = try #require(try await sql.raw("SELECT * FROM layer_values").first(decoding: Values.self))
            #expect(row.t == text)
            #expect(row.b == bytes)
            #expect(row.i == Int.min)
            #expect(row.d == 0.1)
            #expect(row.z == nil)
        }
    }

    /// A checkpoint (a pragma that writes) runs on its own, not inside the writer's transaction where SQLite refuses it.
    @Test func aCheckpointEmptiesTheWriteAheadLog() async throws {
        guard !isPostgres else { return }
        try await withTestAppOnAFile { app, directory in
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE layer_probe (n INTEGER PRIMARY KEY)").run()
            let wal = directory + "/bonafide.sqlite-wal"
            #expect(try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int ?? 0 > 0)
            try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
            #expect(try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int == 0)
        }
    }

    /// A handle on a new database file (WAL) in a directory of its own; `closeProbe` closes it and removes both.
    private func probeHandle() throws -> (SQLiteHandle, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("layer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            return (try SQLiteHandle(path: directory + "/probe.sqlite", pragmas: ["PRAGMA journal_mode = WAL"]), directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private func closeProbe(_ handle: SQLiteHandle, _ directory: String) {
        handle.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A kept statement's column names are read once, and read again when SQLite prepares it anew after the schema
    /// changed: `SELECT *` after a column was added gives the new column, by its name.
    @Test func aKeptStatementSeesTheColumnsOfAChangedTable() throws {
        let (handle, directory) = try probeHandle()
        defer { closeProbe(handle, directory) }
        try handle.run("CREATE TABLE probe (id INTEGER PRIMARY KEY)", []) { _ in }
        try handle.run("INSERT INTO probe VALUES (1)", []) { _ in }
        func columns() throws -> [String] {
            var names: [String] = []
            try handle.run("SELECT * FROM probe", []) { row in names = row.allColumns }
            return names
        }
        #expect(try columns() == ["id"])
        #expect(try columns() == ["id"])
        try handle.run("ALTER TABLE probe ADD COLUMN label TEXT NOT NULL DEFAULT 'new'", []) { _ in }
        #expect(try columns() == ["id", "label"])
        var label: String?
        try handle.run("SELECT * FROM probe", []) { row in label = try row.decode(column: "label", as: String.self) }
        #expect(label == "new")
    }

    /// A statement run again with new values keeps its plan: re-preparing it each time (as clearing its bound values
    /// did) cost half of SQLite's time on a partnership page. `flag = ?` is a filter SQLite's planner looks at the
    /// value of, which is what made it expire. A value that stays large (a document) is let go of, and still reads back.
    @Test func aStatementRunAgainIsNotPreparedAgain() throws {
        let (handle, directory) = try probeHandle()
        defer { closeProbe(handle, directory) }
        try handle.run("CREATE TABLE probe (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, flag INTEGER NOT NULL)", []) { _ in }
        try handle.run("CREATE INDEX probe_kind ON probe (kind)", []) { _ in }
        for (id, kind, flag) in [(1, "a", 1), (2, "a", 0), (3, "b", 1), (4, "b", 1)] {
            try handle.run("INSERT INTO probe VALUES (?1, ?2, ?3)", [.integer(id), .text(kind), .integer(flag)]) { _ in }
        }
        let query = "SELECT id FROM probe WHERE kind = ?1 AND flag = ?2 ORDER BY id"
        var found: [[Int]] = []
        // Its first values may re-plan it once (the plan was made before any value was bound); none after that may.
        var afterFirstRun = 0
        for (kind, flag) in [("a", 1), ("b", 1), ("a", 0), ("b", 0)] {
            var ids: [Int] = []
            try handle.run(query, [.text(kind), .integer(flag)]) { row in ids.append(try row.decode(column: "id", as: Int.self)) }
            found.append(ids)
            if found.count == 1 { afterFirstRun = handle.reprepares(of: query) }
        }
        #expect(found == [[1], [3, 4], [2], []])
        #expect(handle.reprepares(of: query) == afterFirstRun)
        let large = String(repeating: "x", count: 20_000)
        try handle.run("INSERT INTO probe VALUES (?1, ?2, ?3)", [.integer(5), .text(large), .integer(0)]) { _ in }
        var kinds: [String] = []
        try handle.run("SELECT kind FROM probe WHERE id = ?1", [.integer(5)]) { row in
            kinds.append(try row.decode(column: "kind", as: String.self))
        }
        #expect(kinds == [large])
    }

    /// The types rows are read as most are read directly, without SQLiteKit's decoder: each must give what that decoder
    /// gives (the same value, or an error where it fails), from every kind of stored value.
    @Test func theCommonTypesReadAsSQLiteKitReadsThem() throws {
        let id = UUID()
        let stored: [SQLiteData] = [
            .text("Grüße"), .text("2026-12-07T10:00:00Z"), .text(id.uuidString), .text(id.uuidString.lowercased()), .text("1"),
            .integer(0), .integer(1), .integer(42), .integer(-7), .float(1.5), .float(1_796_000_000.25), .null,
            .blob(ByteBuffer(bytes: [0, 1, 2])),
        ]
        let row = InlineSQLiteRow(columns: .init(names: stored.indices.map { "c\($0)" }), values: stored)
        var differing: [String] = []
        func same<T: Decodable & Equatable>(_ type: T.Type) {
            for (index, value) in stored.enumerated() {
                let ours = Result { try row.decode(column: "c\(index)", as: T.self) }
                let theirs = Result { try SQLiteDataDecoder().decode(T.self, from: value) }
                switch (ours, theirs) {
                case (.success(let a), .success(let b)) where a == b: continue
                case (.failure, .failure): continue
                default: differing.append("\(T.self) from \(value): \(ours) vs \(theirs)")
                }
            }
        }
        same(String.self)
        same(Int.self)
        same(Int64.self)
        same(Double.self)
        same(Bool.self)
        same(Date.self)
        same(UUID.self)
        same(String?.self)
        same(Int?.self)
        same(Double?.self)
        same(Bool?.self)
        same(Date?.self)
        same(UUID?.self)
        #expect(differing.isEmpty, "\(differing)")
        #expect(try row.decode(column: "c2", as: UUIDColumn.self).uuid == id)
        #expect(try row.decode(column: "c3", as: UUIDColumn.self).uuid == id)
    }
}
