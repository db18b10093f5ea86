import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The search reads its rows column by column, its lists of strings without a `JSONDecoder` on SQLite, and only the
/// sections it matches: each must read what the general way read.
@Suite("Organization search fast paths")
struct OrganizationSearchSpeedPathTests {
    /// A fixed sequence of pseudo-random numbers (BonafideCore's `SplitMix64`), so a failure can be replayed.
    struct Dice {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
    }

    static let pieces: [String] = [
        "a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "設計", "🎨",
        "👩‍💻", "\u{FFFF}", "\u{10FFFF}", "\u{2028}", "\\u0041", "[\"]", ",", "ü",
    ]

    static func randomArrays(seed: UInt64, count: Int, pieces: [String] = pieces) -> [[String]] {
        var dice = Dice(state: seed)
        return (0..<count).map { _ in
            (0..<dice.next(5)).map { _ in (0..<dice.next(8)).map { _ in pieces[dice.next(pieces.count)] }.joined() }
        }
    }

    /// Strings compared scalar by scalar: `==` on strings would let a different but equivalent spelling pass.
    static func scalars(_ strings: [String]?) -> [[Unicode.Scalar]]? {
        strings?.map { Array($0.unicodeScalars) }
    }

    @Test func theArrayScannerReadsWhatJSONDecoderReads() throws {
        let formats: [JSONEncoder.OutputFormatting] = [[], .prettyPrinted, .withoutEscapingSlashes, [.prettyPrinted, .sortedKeys]]
        let arrays = Self.randomArrays(seed: 7, count: 400) + [[], [""], ["", ""], ["\u{0}"], ["a\u{0}b"]]
        for (i, array) in arrays.enumerated() {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formats[i % formats.count]
            let json = String(decoding: try encoder.encode(array), as: UTF8.self)
            // What Fluent writes the scanner reads itself, and reads as JSONDecoder does.
            let scanned = try #require(StringArrayColumn.scan(json: json), "\(json.debugDescription)")
            #expect(Self.scalars(scanned) == Self.scalars(array), "\(json.debugDescription)")
            #expect(Self.scalars(scanned) == Self.scalars(try JSONDecoder().decode([String].self, from: Data(json.utf8))))
        }

        let written: [String] = [
            #"[]"#, " [ ] ", #"["a","b"]"#, "[ \"a\" ,\n\t\"b\" ]\r\n", #"["\u0041\u00e9\u8A2D"]"#, #"["\ud83c\udfa8"]"#,
            #"["\uD83C\uDFA8x"]"#, #"["a\/b"]"#, #"["\b\f\n\r\t\"\\"]"#, #"["\u0000"]"#, #"["\u001f\u007f"]"#, #"["é設計🎨"]"#,
            // Anything else: the scanner leaves it to JSONDecoder.
            #"["\ud83c"]"#, #"["\udfa8"]"#, #"["\ud83cx"]"#, #"["\ud83c\u0041"]"#, #"["\ud83c\ud83c"]"#, #"["\u00"]"#, #"["\u00g0"]"#,
            #"["\x"]"#, #"["\'"]"#, "[\"a\u{1}\"]", "[\"tab\there\"]", "[\"new\nline\"]", #"["a",]"#, #"[,"a"]"#, #"["a" "b"]"#,
            #"["a"] x"#, #"["a""#, #"[""#, #"["a"#, "", " ", "[", "]", #"[1]"#, #"[null]"#, #"["a",null]"#, #"{"a":"b"}"#, #""a""#,
            #"[["a"]]"#, "\u{FEFF}[\"a\"]", #"[ "a" ]]"#, "[\"a\"]\u{0}",
        ]
        var readHere = 0
        for json in written {
            let decoded = try? JSONDecoder().decode([String].self, from: Data(json.utf8))
            if let scanned = StringArrayColumn.scan(json: json) {
                readHere += 1
                #expect(Self.scalars(scanned) == Self.scalars(decoded), "\(json.debugDescription)")
            }
        }
        #expect(readHere == 12)
    }

    @Test func listsReadColumnByColumnAreTheOnesFluentReads() async throws {
        try await withTestApp { app in
            // PostgreSQL's text refuses NUL; everything else goes.
            let arrays = Self.randomArrays(seed: 11, count: 60) + [[], ["Design", "UX research"], ["\\\"/"], ["🎨"]]
            for (i, array) in arrays.enumerated() {
                let org = Organization(name: "Lists \(i)", timeZone: "UTC")
                org.capabilities = array
                org.languages = arrays[(i + 1) % arrays.count]
                try await org.create(on: app.db)
            }
            let sql = try app.db.sql()
            var read: [UUID: (capabilities: [String], languages: [String])] = [:]
            for row in try await sql.raw("SELECT id, capabilities, languages FROM organizations").all() {
                let id = try row.decodeUUID(column: "id")
                let capabilities = try row.decodeStringArray(column: "capabilities")
                let languages = try row.decodeStringArray(column: "languages")
                read[id] = (capabilities, languages)
            }
            let fluent = try await Organization.query(on: app.db).all()
            #expect(fluent.count >= arrays.count && read.count == fluent.count)
            for org in fluent {
                let mine = try #require(read[org.id!])
                #expect(Self.scalars(mine.capabilities) == Self.scalars(org.capabilities), "\(org.name)")
                #expect(Self.scalars(mine.languages) == Self.scalars(org.languages), "\(org.name)")
            }

            // On SQLite, text the scanner leaves goes to JSONDecoder, with its answer or its error.
            guard sql.dialect.name == "sqlite" else { return }
            for json in [#"["\ud83c\udfa8"]"#, #"["\ud83c"]"#, #"["a",]"#, #"[1]"#, "[\"tab\there\"]", #"["x"] "#, "\u{FEFF}[\"a\"]"] {
                let row = try #require(try await sql.raw("SELECT \(bind: json) AS v").first())
                let mine = try? row.decodeStringArray(column: "v")
                let general = try? row.decode(column: "v", as: [String].self)
                #expect(Self.scalars(mine) == Self.scalars(general), "\(json.debugDescription)")
            }
        }
    }

    /// A trust opinion row as `SQLRowDecoder` read it before.
    struct DecodedOpinion: Decodable {
        var viewer_organization_id: UUID
        var subject_organization_id: UUID
        var belief: Double
        var disbelief: Double
        var uncertainty: Double
        var base_rate: Double
    }

    @Test func opinionsReadColumnByColumnAreTheDecodedOnes() async throws {
        try await withTestApp { app in
            var ids: [UUID] = []
            for i in 0..<15 {
                let org = Organization(name: "Node \(i)", timeZone: "UTC")
                try await org.create(on: app.db)
                ids.append(try org.requireID())
            }
            var dice = Dice(state: 5)
            var opinions: [(TrustService.Pair, Opinion)] = []
            for viewer in ids {
                for subject in ids where subject != viewer {
                    guard dice.next(3) == 0 else { continue }
                    let opinion = Opinion(
                        positive: Double(dice.next(1000)) / 37, negative: Double(dice.next(1000)) / 41,
                        baseRate: Double(dice.next(100)) / 99)
                    opinions.append((.init(viewer: viewer, subject: subject), opinion))
                }
            }
            try await TrustOpinions.store(opinions, on: try app.db.sql())

            let rows = try await app.db.sql().select()
                .columns(["viewer_organization_id", "subject_organization_id", "belief", "disbelief", "uncertainty", "base_rate"])
                .from(TrustOpinions.schema).all(decoding: DecodedOpinion.self)
            #expect(rows.count == opinions.count && rows.count > 20)
            var expected: [UUID: [UUID: Opinion]] = [:]
            for r in rows {
                expected[r.viewer_organization_id, default: [:]][r.subject_organization_id] = Opinion(
                    belief: r.belief, disbelief: r.disbelief, uncertainty: r.uncertainty, baseRate: r.base_rate)
            }
            #expect(try await TrustOpinions.held(by: Set(ids), on: app.db) == expected)
            let some = Set(ids.prefix(4))
            #expect(try await TrustOpinions.held(by: some, on: app.db) == expected.filter { some.contains($0.key) })
            let all = try await TrustOpinions.all(on: app.db)
            #expect(all.count == rows.count)
            for (pair, opinion) in all { #expect(expected[pair.viewer]?[pair.subject] == opinion) }
        }
    }

    @Test func theSectionsASearchReadsAreDecidedAsAmongAllOfThem() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let kite = try await app.register("Kim", org: "Kite")
            func put(_ who: Account, _ name: String, _ json: String) async throws {
                let r = try await app.api(.PUT, "/profile/sections/\(name)", token: who.token, json: json)
                #expect(r.status == .ok, "\(name): \(r.raw)")
            }
            try await put(acme, "services", #"{"content":"UX for partners","visibility":"partners"}"#)
            try await put(acme, "capabilities", #"{"content":"Research\nDesign","visibility":"connected"}"#)
            try await put(acme, "case-studies", #"{"content":"Our work","title":"Case studies","visibility":"signedIn"}"#)
            try await put(kite, "services", #"{"content":"UX hidden","visibility":"partners"}"#)
            try await put(kite, "languages", #"{"content":"English\nGerman"}"#)
            try await put(kite, "workingHours", #"{"visibility":"collaborator"}"#)
            try await put(kite, "about", #"{"content":"About Kite"}"#)

            let user = try #require(try await User.find(UUID(uuidString: north.id), on: app.db))
            let orgs = try await Organization.query(on: app.db).all()
            let everything = try await ProfileSections.visible(of: orgs, to: .person(Actor(user: user)), on: app.db)
            let searched = try await ProfileSections.visible(
                of: orgs, to: .person(Actor(user: user)), named: OrganizationSearch.sectionsRead, on: app.db)
            func described(_ sections: [ProfileSections.Section]?) -> [String] {
                (sections ?? []).map {
                    "\($0.name)|\($0.title)|\($0.content)|\($0.audience)|\($0.custom)|\(String(describing: $0.updatedAt))"
                }
                .sorted()
            }
            for org in orgs {
                let wanted = everything[org.id!]?.filter { OrganizationSearch.sectionsRead.contains($0.name) }
                #expect(described(searched[org.id!]) == described(wanted), "\(org.name)")
            }
            // What Northwind may and may not read of them, or the comparison proves little.
            let acmeID = try #require(UUID(uuidString: acme.organizationID)), kiteID = try #require(UUID(uuidString: kite.organizationID))
            #expect(Set(searched[acmeID]?.map(\.name) ?? []) == ["services", "workingHours"])
            #expect(Set(searched[kiteID]?.map(\.name) ?? []) == ["languages"])
            #expect(everything[acmeID]?.contains { $0.name == "case-studies" } == true)
            #expect(everything[kiteID]?.contains { $0.name == "about" } == true)
        }
    }
}
