import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// Sealed entries (256 to a bundle) are one compressed row of `ledger_bundles`; only the last, partial bundle's entries
/// are rows of `ledger_leaves`. Every reader must still return exactly the entries appended, in order.
@Suite("Sealed log entries in compressed bundles")
struct LedgerBundleTests {
    struct IndexRow: Decodable { var idx: Int64 }

    func entry(_ id: UUID, _ n: Int, type: String = "test.bundle") -> LedgerEntry {
        LedgerEntry(
            partnership: id, type: type, actor: nil, time: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)),
            payload: ["n": "\(n)", "summary": "entry é \(n)"])
    }

    func text(_ e: LedgerEntry) -> String { String(decoding: e.canonical, as: UTF8.self) }

    func indexes(_ table: String, of id: UUID, _ app: Application) async throws -> [UInt64] {
        try await app.db.sql().raw("SELECT idx FROM \(ident: table) WHERE partnership_id = \(bind: id) ORDER BY idx")
            .all(decoding: IndexRow.self).map { UInt64($0.idx) }
    }

    /// C2SP tlog-tiles framing: each entry prefixed by its length as a big-endian uint16.
    func c2sp(_ texts: ArraySlice<String>) -> [UInt8] {
        texts.flatMap { text -> [UInt8] in [UInt8(text.utf8.count >> 8), UInt8(text.utf8.count & 0xFF)] + Array(text.utf8) }
    }

    /// Every reader returns exactly `expected`; storage holds the sealed bundles and only the rest as rows.
    func check(_ id: UUID, _ expected: [String], _ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let size = UInt64(expected.count)
        let all = try await Ledger.entries(of: id, start: 0, limit: expected.count + 10, on: app.db)
        #expect(all.map { $0.0 } == Array(0..<size), sourceLocation: sourceLocation)
        #expect(all.map { $0.1 } == expected, sourceLocation: sourceLocation)
        for start in [0, 200, 255, 256, 300, 511, 700, expected.count - 3] where start >= 0 && start < expected.count {
            let window = try await Ledger.entries(of: id, start: UInt64(start), limit: 300, on: app.db)
            #expect(
                window.map { $0.1 } == Array(expected[start..<min(start + 300, expected.count)]), "from \(start)",
                sourceLocation: sourceLocation)
        }
        let newest = try await Ledger.newestEntries(of: id, limit: 300, on: app.db)
        #expect(newest.window == (size - min(size, 300))..<size, sourceLocation: sourceLocation)
        #expect(newest.entries.map { text($0.entry) } == Array(expected.suffix(300).reversed()), sourceLocation: sourceLocation)
        #expect(newest.entries.map { $0.index } == Array(((size - min(size, 300))..<size).reversed()), sourceLocation: sourceLocation)
        if size > 260 {
            let older = try await Ledger.newestEntries(of: id, before: 260, limit: 10, on: app.db)
            #expect(older.entries.map { text($0.entry) } == Array(expected[250..<260].reversed()), sourceLocation: sourceLocation)
        }
        let lines = try await LedgerLine.newest(of: id, limit: 20, on: try app.db.sql())
        let summaries = try expected.suffix(20).reversed().map { try LedgerEntry(canonical: Array($0.utf8)).payload["summary"] }
        #expect(lines.map { $0.summary } == summaries, sourceLocation: sourceLocation)
        var tree = MerkleTree()
        for e in expected { tree.append(entry: Array(e.utf8)) }
        #expect(try await Ledger.rootFromEntries(of: id, size: size, on: app.db) == tree.root, sourceLocation: sourceLocation)
        #expect(try await indexes("ledger_leaves", of: id, app) == Array(size / 256 * 256..<size), sourceLocation: sourceLocation)
        #expect(try await indexes("ledger_bundles", of: id, app) == Array(0..<size / 256), sourceLocation: sourceLocation)
    }

    @Test func appendsSealBundlesAsTheyFillAndEveryReaderReturnsWhatWasAppended() async throws {
        try await withTestApp { app in
            let id = try await LedgerBenchmark.partnership(on: app.db)
            var expected: [String] = []
            // Sizes 1, 255, 256 (the last entry seals bundle 0 with its 255 rows), 512 (a bundle appended whole), 769,
            // 1369 (two bundles at once, the first with a loose row).
            for batch in [1, 254, 1, 256, 257, 600] {
                let entries = (expected.count..<expected.count + batch).map { entry(id, $0) }
                try await app.db.transaction { tx in _ = try await Ledger.append(contentsOf: entries, partnership: id, on: tx) }
                expected += entries.map { text($0) }
                try await check(id, expected, app)
            }
            // 513 one by one in one transaction: two bundles sealed along the way.
            let singles = (expected.count..<expected.count + 513).map { entry(id, $0) }
            try await app.db.transaction { tx in
                for e in singles { try await Ledger.append(e, partnership: id, on: tx) }
            }
            expected += singles.map { text($0) }
            try await check(id, expected, app)
            var tree = MerkleTree()
            for e in expected { tree.append(entry: Array(e.utf8)) }
            #expect(try await Ledger.head(of: id, on: app.db).root == tree.root)
        }
    }

    @Test func theEntryBundleRouteServesTheC2SPFramingFromSealedAndLooseEntries() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            try await appendEntries(app, partnership: pid, count: 300)
            let id = UUID(uuidString: pid)!
            let all = try await Ledger.entries(of: id, start: 0, limit: 1000, on: app.db).map { $0.1 }
            #expect(all.count > 300)
            let base = "/partnerships/\(pid)/log/tile/entries/"
            let full = try await app.bytes(base + "000", token: a.token)
            #expect(full.status == .ok)
            #expect(full.bytes == c2sp(all[0..<256]))
            let partial = try await app.bytes(base + "001.p/\(all.count - 256)", token: a.token)
            #expect(partial.bytes == c2sp(all[256...]))
            let part = try await app.bytes(base + "000.p/10", token: a.token)
            #expect(part.bytes == c2sp(all[0..<10]))
        }
    }

    @Test func theTypeFilterFindsEntriesInBundlesAndLooseRows() async throws {
        try await withTestApp { app in
            let id = try await LedgerBenchmark.partnership(on: app.db)
            let entries = (0..<600).map { entry(id, $0, type: [3, 255, 256, 511, 512, 599].contains($0) ? "record.test" : "test.other") }
            try await app.db.transaction { tx in _ = try await Ledger.append(contentsOf: entries, partnership: id, on: tx) }
            let found = try await Ledger.entries(of: id, typePrefix: "record.", below: 600, on: app.db)
            #expect(found.map { $0.0 } == [3, 255, 256, 511, 512, 599])
            #expect(found.map { $0.1 } == [3, 255, 256, 511, 512, 599].map { text(entries[$0]) })
            #expect(try await Ledger.entries(of: id, typePrefix: "record.", below: 512, on: app.db).map { $0.0 } == [3, 255, 256, 511])
            #expect(try await Ledger.entries(of: id, typePrefix: "record.", below: 0, on: app.db).isEmpty)
        }
    }

    @Test func aCorruptedBundleIsAClearErrorAndTheRecordNoLongerRebuilds() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            try await appendEntries(app, partnership: pid, count: 300)
            let id = UUID(uuidString: pid)!
            let sql = try app.db.sql()
            try await sql.update("ledger_bundles").set("entries", to: Data("not a bundle".utf8)).where("partnership_id", .equal, id)
                .where("idx", .equal, 0).run()

            let thrown = await #expect(throws: Problem.self) { try await Ledger.entries(of: id, start: 0, limit: 100, on: app.db) }
            #expect(thrown?.detail.hasPrefix("The log is missing entries of bundle 0") == true)
            // Entries past the bundle still read.
            #expect(try await Ledger.entries(of: id, start: 256, limit: 10, on: app.db).count == 10)
            let api = try await app.api(.GET, "/partnerships/\(pid)/log/entries?start=0&limit=1000", token: a.token)
            #expect(api.status == .internalServerError)
            #expect((api.body["detail"] as? String ?? "").hasPrefix("The log is missing entries of bundle 0"), "\(api.raw)")
            #expect(try await app.bytes("/partnerships/\(pid)/log/tile/entries/000", token: a.token).status == .internalServerError)
            #expect(try await app.bytes("/partnerships/\(pid)/log/tile/entries/001.p/10", token: a.token).status == .ok)

            let browser = Browser(app)
            _ = try await browser.post("/login", ["email": a.email, "password": "correct horse battery"])
            let record = try await browser.get("/partnerships/\(pid)/record")
            #expect(record.status == .ok)
            #expect(record.html.contains("id=\"rebuild-state\">DOES NOT MATCH"))
            #expect(try await browser.get("/partnerships/\(pid)").status == .ok)
        }
    }

    /// A log of `count` entries appended in one transaction, without a partnership page to see it by.
    func filledLog(_ app: Application, count: Int) async throws -> (UUID, [LedgerEntry]) {
        let id = try await LedgerBenchmark.partnership(on: app.db)
        let entries = (0..<count).map { entry(id, $0, type: $0 % 100 == 7 ? "record.test" : "test.other") }
        try await app.db.transaction { tx in _ = try await Ledger.append(contentsOf: entries, partnership: id, on: tx) }
        return (id, entries)
    }

    func delete(bundle index: Int64, of id: UUID, _ app: Application) async throws {
        try await app.db.sql().delete(from: "ledger_bundles").where("partnership_id", .equal, id).where("idx", .equal, index).run()
    }

    func corrupt(bundle index: Int64, of id: UUID, _ app: Application) async throws {
        try await app.db.sql().update("ledger_bundles").set("entries", to: Data("not a bundle".utf8)).where("partnership_id", .equal, id)
            .where("idx", .equal, index).run()
    }

    @Test func aMissingBundleOrRowIsAClearErrorNotAShortAnswer() async throws {
        try await withTestApp { app in
            let (id, entries) = try await filledLog(app, count: 600)
            try await delete(bundle: 1, of: id, app)
            // Bundle 1 is all of the range, or its end: nothing after it for the reader to notice the gap by.
            for (start, limit) in [(256, 256), (300, 100), (0, 512), (200, 100)] {
                let thrown = await #expect(throws: Problem.self, "from \(start)") {
                    try await Ledger.entries(of: id, start: UInt64(start), limit: limit, on: app.db)
                }
                #expect(thrown?.detail == "The log is missing entries of bundle 1.", "from \(start)")
            }
            #expect(try await Ledger.entries(of: id, start: 0, limit: 256, on: app.db).count == 256)
            #expect(try await Ledger.entries(of: id, start: 512, limit: 1000, on: app.db).count == 88)
            #expect(try await Ledger.entries(of: id, start: 600, limit: 10, on: app.db).isEmpty)
            let thrown = await #expect(throws: Problem.self) {
                try await Ledger.entries(of: id, typePrefix: "record.", below: 600, on: app.db)
            }
            #expect(thrown?.detail == "The log is missing entries of bundle 1.")
            // Below the bundle, the filter still answers.
            #expect(try await Ledger.entries(of: id, typePrefix: "record.", below: 256, on: app.db).map { $0.0 } == [7, 107, 207])

            // The last loose row gone: the log's size says it should be there.
            try await app.db.sql().delete(from: "ledger_leaves").where("partnership_id", .equal, id).where("idx", .equal, 599).run()
            let tail = await #expect(throws: Problem.self) { try await Ledger.entries(of: id, start: 590, limit: 100, on: app.db) }
            #expect(tail?.detail == "The log is missing entry 599.")
            #expect(try await Ledger.entries(of: id, start: 512, limit: 87, on: app.db).map { $0.1 } == entries[512..<599].map { text($0) })
        }
    }

    @Test func theFirstBundleMissingFailsTheTypeFilterToo() async throws {
        try await withTestApp { app in
            let (id, _) = try await filledLog(app, count: 300)
            try await delete(bundle: 0, of: id, app)
            let thrown = await #expect(throws: Problem.self) {
                try await Ledger.entries(of: id, typePrefix: "record.", below: 300, on: app.db)
            }
            #expect(thrown?.detail == "The log is missing entries of bundle 0.")
            let read = await #expect(throws: Problem.self) { try await Ledger.entries(of: id, start: 0, limit: 10, on: app.db) }
            #expect(read?.detail == "The log is missing entries of bundle 0.")
        }
    }

    @Test func theNewestEntriesNameWhatTheyCouldNotRead() async throws {
        try await withTestApp { app in
            let (id, entries) = try await filledLog(app, count: 260)
            try await corrupt(bundle: 0, of: id, app)
            let page = try await Ledger.newestEntries(of: id, before: 256, limit: 50, on: app.db)
            #expect(page.window == 206..<256)
            #expect(page.entries.isEmpty)
            #expect(Ledger.gaps(in: page.window, read: page.entries.map { $0.index }) == [206...255])
            let straddling = try await Ledger.newestEntries(of: id, limit: 10, on: app.db)
            #expect(straddling.entries.map { $0.index } == [259, 258, 257, 256])
            #expect(Ledger.gaps(in: straddling.window, read: straddling.entries.map { $0.index }) == [250...255])
            #expect(Ledger.gaps(in: 0..<10, read: [0, 2, 3, 7]) == [1...1, 4...6, 8...9])
            #expect(Ledger.describe([1...1, 4...6]) == "1, 4…6")

            // The partnership page's lines leave them out too, and say so to the operator: once, not at every view.
            let whole = LogCapture()
            _ = try await LedgerLine.newest(of: id, limit: 4, on: try app.db.sql().logging(to: whole.logger()))
            #expect(whole.messages(atLeast: .error).isEmpty)
            let log = LogCapture()
            let lines = try await LedgerLine.newest(of: id, limit: 20, on: try app.db.sql().logging(to: log.logger()))
            #expect(lines.map(\.summary) == entries[256..<260].reversed().map { $0.payload["summary"] })
            #expect(
                log.messages(atLeast: .error).contains {
                    $0.hasPrefix("Entries 240…255 of the log of partnership \(id.uuidString) could not be read")
                })
            let again = LogCapture()
            let shownAgain = try await LedgerLine.newest(of: id, limit: 20, on: try app.db.sql().logging(to: again.logger()))
            #expect(shownAgain.map(\.summary) == lines.map(\.summary))
            #expect(again.messages(atLeast: .error).isEmpty, "\(again.messages(atLeast: .error))")
        }
    }

    @Test func theRecordPageNamesEntriesItCouldNotReadAndStillLeadsToOlderOnes() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            // Enough that the newest page is past bundle 0.
            try await appendEntries(app, partnership: pid, count: 400)
            let id = UUID(uuidString: pid)!
            try await corrupt(bundle: 0, of: id, app)
            let browser = Browser(app)
            _ = try await browser.post("/login", ["email": a.email, "password": "correct horse battery"])

            let newest = try await browser.get("/partnerships/\(pid)/record")
            #expect(newest.status == .ok)
            #expect(!newest.html.contains("id=\"unreadable-entries\""))

            // A page wholly inside the damaged bundle: nothing to show, but it says why and goes on.
            let inside = try await browser.get("/partnerships/\(pid)/record?before=256")
            #expect(inside.status == .ok)
            #expect(inside.html.contains("id=\"unreadable-entries\""))
            #expect(inside.html.contains("Entries 206…255 of the log could not be read: the stored log is damaged."))
            #expect(inside.html.contains("record?before=206\">Older entries</a>"))
            #expect(!inside.html.contains("<li id=\"entry-"))

            let straddling = try await browser.get("/partnerships/\(pid)/record?before=280")
            #expect(straddling.html.contains("Entries 230…255 of the log could not be read: the stored log is damaged."))
            #expect(straddling.html.contains("<li id=\"entry-256\">"))
            #expect(straddling.html.contains("record?before=230\">Older entries</a>"))

            let first = try await browser.get("/partnerships/\(pid)/record?before=50")
            #expect(first.html.contains("Entries 0…49 of the log could not be read"))
            #expect(!first.html.contains("Older entries"))
        }
    }

    @Test func theZlibTrailerIsCheckedAndNothingMayFollowIt() throws {
        let texts = (0..<256).map { "{\"n\":\"\($0)\"}" }
        let blob = try LedgerBundle.encode(texts)
        #expect(try LedgerBundle.decode(blob) == texts)
        // compress-nio hands back what it inflated when the input ends early, and leaves what follows the stream.
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(Array(blob.dropLast(4))) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(Array(blob.dropLast(1))) }
        var altered = blob
        altered[blob.count - 1] ^= 0x01
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(altered) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(blob + [0]) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(blob + blob) }
        #expect(LedgerBundle.adler32(ByteBuffer(bytes: Array("Wikipedia".utf8))) == 0x11E6_0398)
        // Past the first 5,552 bytes, where the sums are first reduced.
        let long = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in long {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        #expect(LedgerBundle.adler32(ByteBuffer(bytes: long)) == b << 16 | a)
    }

    @Test func aBundleAboveTheCapIsNeitherWrittenNorRead() throws {
        // 256 entries of 64 KiB frame just above the cap; 5 bytes less each, just below.
        let perEntry = LedgerBundle.maxFramedBytes / LedgerBundle.width
        let big = String(repeating: "x", count: perEntry)
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.encode(Array(repeating: big, count: LedgerBundle.width)) }
        let fits = Array(repeating: String(repeating: "x", count: perEntry - 5), count: LedgerBundle.width)
        #expect(try LedgerBundle.decode(LedgerBundle.encode(fits)) == fits)
        // The same 256 big entries framed by hand, as another writer might: well-formed, but not read.
        let framedEntry =
            [UInt8(perEntry >> 24), UInt8(perEntry >> 16 & 0xFF), UInt8(perEntry >> 8 & 0xFF), UInt8(perEntry & 0xFF)] + Array(big.utf8)
        let framed = Array(Array(repeating: framedEntry, count: LedgerBundle.width).joined())
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(LedgerBundle.deflate(framed)) }
    }

    @Test func decodingRefusesAnythingButExactly256FramedEntries() throws {
        let texts = (0..<256).map { $0 == 7 ? "" : "{\"n\":\"\($0)\",\"s\":\"żółw \($0)\"}" }
        let blob = try LedgerBundle.encode(texts)
        #expect(try LedgerBundle.decode(blob) == texts)
        #expect(blob.count < texts.reduce(0) { $0 + $1.utf8.count })

        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.encode(Array(texts.prefix(255))) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode([]) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(Array("not a bundle".utf8)) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(Array(blob.prefix(blob.count / 2))) }
        var flipped = blob
        flipped[blob.count / 2] ^= 0x55
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(flipped) }

        let framed = try LedgerBundle.frame(texts)
        #expect(try LedgerBundle.decode(LedgerBundle.deflate(framed)) == texts)
        #expect(throws: LedgerBundle.Malformed.self) {
            try LedgerBundle.decode(LedgerBundle.deflate(LedgerBundle.frame(Array(texts.prefix(255)))))
        }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(LedgerBundle.deflate(LedgerBundle.frame(texts + ["x"]))) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(LedgerBundle.deflate(framed + [0, 0])) }
        #expect(throws: LedgerBundle.Malformed.self) { try LedgerBundle.decode(LedgerBundle.deflate(Array(framed.dropLast(3)))) }
        #expect(throws: LedgerBundle.Malformed.self) {
            try LedgerBundle.decode(LedgerBundle.deflate(Array(framed.dropLast(texts[255].utf8.count + 2))))
        }
    }

    @Test func theMigrationBundlesLogsWrittenAsRowsAndItsRevertWritesThemBack() async throws {
        try await withTestApp { app in
            let sql = try app.db.sql()
            // A log appended with bundles, then the revert: every entry a row again.
            let appended = try await LedgerBenchmark.partnership(on: app.db)
            let appendedEntries = (0..<600).map { entry(appended, $0) }
            try await app.db.transaction { tx in _ = try await Ledger.append(contentsOf: appendedEntries, partnership: appended, on: tx) }
            try await BundleLedgerEntries().revert(on: app.db)
            let rows = try await sql.raw("SELECT idx, entry FROM ledger_leaves WHERE partnership_id = \(bind: appended) ORDER BY idx")
                .all(decoding: Ledger.EntryRow.self)
            #expect(rows.map(\.idx) == Array(0..<600))
            #expect(rows.map(\.entry) == appendedEntries.map { text($0) })

            // A second log written as migration 038 left logs: one row per entry.
            let old = try await LedgerBenchmark.partnership(on: app.db)
            let oldEntries = (0..<700).map { entry(old, $0) }
            var tree = MerkleTree()
            for e in oldEntries { tree.append(entry: e.canonical) }
            for start in stride(from: 0, to: oldEntries.count, by: 500) {
                let insert = sql.insert(into: "ledger_leaves").columns("partnership_id", "idx", "entry")
                for i in start..<min(start + 500, oldEntries.count) {
                    insert.values(SQLBind(old), SQLBind(Int64(i)), SQLBind(text(oldEntries[i])))
                }
                try await insert.run()
            }
            try await sql.raw(
                "INSERT INTO ledger_heads (id, size, root) VALUES (\(bind: old), \(bind: Int64(tree.size)), \(bind: Ledger.hex(tree.root)))"
            ).run()

            try await BundleLedgerEntries().prepare(on: app.db)
            try await check(appended, appendedEntries.map { text($0) }, app)
            try await check(old, oldEntries.map { text($0) }, app)
            // A bundled log goes on growing where it ended (the hand-written one has no tiles to grow).
            let more = (600..<900).map { entry(appended, $0) }
            try await app.db.transaction { tx in _ = try await Ledger.append(contentsOf: more, partnership: appended, on: tx) }
            try await check(appended, (appendedEntries + more).map { text($0) }, app)
        }
    }
}
