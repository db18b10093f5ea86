import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import Testing

@testable import BonafideServer

/// Ids as the API writes them (`apiString`) and as lists read them back from the database (`UUID(apiString:)`,
/// `UUIDColumn`): the same ids `uuidString` and `UUID(uuidString:)` write and read, only cheaper.
@Suite("Ids written and read as text")
struct UUIDAPIStringTests {
    static func randomUUID() -> UUID {
        var bytes: [UInt8] = []
        for _ in 0..<16 { bytes.append(UInt8.random(in: 0...255)) }
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    static let allZero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    static let allOnes = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
    static let everyDigit = UUID(
        uuid: (0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10))

    /// Random bytes rather than `UUID()`, whose version and variant digits are fixed.
    static func samples() -> [UUID] {
        [allZero, allOnes, everyDigit, UUID()] + (0..<10_000).map { _ in randomUUID() }
    }

    @Test func theAPIFormIsUUIDStringInLowerCase() {
        #expect(Self.allZero.apiString == "00000000-0000-0000-0000-000000000000")
        #expect(Self.allOnes.apiString == "ffffffff-ffff-ffff-ffff-ffffffffffff")
        #expect(Self.everyDigit.apiString == "01234567-89ab-cdef-fedc-ba9876543210")
        let differing = Self.samples().filter { $0.apiString != $0.uuidString.lowercased() }
        #expect(differing.isEmpty, "\(differing.prefix(3).map { ($0.uuidString, $0.apiString) })")
    }

    @Test func eitherCaseReadsBackTheSameId() {
        let samples = Self.samples()
        #expect(samples.filter { UUID(apiString: $0.apiString) != $0 }.isEmpty)
        #expect(samples.filter { UUID(apiString: $0.uuidString) != $0 }.isEmpty)
        let mixed = "E621e1f8-C36c-495A-93fc-0C247A3E6E5f"
        #expect(UUID(apiString: mixed) != nil && UUID(apiString: mixed) == UUID(uuidString: mixed))
        #expect(UUID(apiString: "01234567-89AB-cdef-FEDC-ba9876543210") == Self.everyDigit)
    }

    /// Each of these `UUID(uuidString:)` rejects as well (the first expectation says so, on this platform).
    @Test func whatUUIDStringRejectsIsRejected() {
        let malformed = [
            // Lengths
            "", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5F0",
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5F-", "E621E1F8-C36C-495A-93FC-0C247A3E6E5F ",
            " E621E1F8-C36C-495A-93FC-0C247A3E6E5F", "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}",
            // Dashes missing, moved or doubled
            "E621E1F8C36C495A93FC0C247A3E6E5F", "E621E1F8C36C-495A-93FC-0C247A3E6E5F", "E621E1F8AC36C-495A-93FC-0C247A3E6E5F",
            "E621E1F-8C36C-495A-93FC-0C247A3E6E5F", "E621E1F8-C36C-495A-93FC0-C247A3E6E5F",
            "E621E1F8-C36C-495A-93F--0C247A3E6E5F", "E621E1F8--C36C-495A-93FC-0C247A3E6E5", "E621E1F8_C36C_495A_93FC_0C247A3E6E5F",
            // Not hex
            "G621E1F8-C36C-495A-93FC-0C247A3E6E5F", "E621E1F8-C36C-495Z-93FC-0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5g",
            // Not ASCII: an accented letter, full-width and Arabic-Indic digits, and two bytes in place of two digits
            "E621E1F8-C36C-495A-93FC-0C247A3E6EéF", "１621E1F8-C36C-495A-93FC-0C247A3E6E5F",
            "E621E1F8-C36C-495A-93FC-0C247A3E6E٥F", "E621E1F8-C36C-495A-93FC-0C247A3E6E５F", "E621E1F8-C36C-495A-93FC-0C247A3E6Eé",
            // A NUL where the last digit belongs
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5\u{0}",
        ]
        for text in malformed {
            #expect(UUID(uuidString: text) == nil, "\(text)")
            #expect(UUID(apiString: text) == nil, "\(text)")
        }
    }

    /// `UUID(uuidString:)` reads these on Linux (its `sscanf` takes a sign, a space or `0x` before a pair of
    /// digits); ids read in bulk are only ever in the canonical form, so these are not ids.
    @Test func aSignASpaceOrAPrefixBeforeADigitIsRejected() {
        for text in [
            "-621e1f8-c36c-495a-93fc-0c247a3e6e5f", "+621e1f8-c36c-495a-93fc-0c247a3e6e5f", " 621e1f8-c36c-495a-93fc-0c247a3e6e5f",
            "0x21e1f8-c36c-495a-93fc-0c247a3e6e5f", "e621e1f8-c36c-495a-93fc-0c247a3e6e-f", "e621e1f8-+36c-495a-93fc-0c247a3e6e5f",
        ] {
            #expect(UUID(apiString: text) == nil, "\(text)")
        }
    }

    /// SQLite hands back the text Fluent wrote; anything else is not a UUID column's value.
    @Test func aSQLiteColumnIsReadFromItsTextInEitherCase() {
        let id = Self.everyDigit
        #expect(UUIDColumn(sqliteData: .text(id.uuidString))?.uuid == id)
        #expect(UUIDColumn(sqliteData: .text(id.apiString))?.uuid == id)
        #expect(UUIDColumn(sqliteData: .text("01234567-89ab-cdef-fedc-ba987654321")) == nil)
        #expect(UUIDColumn(sqliteData: .null) == nil)
        #expect(UUIDColumn(sqliteData: .integer(1)) == nil)
        #expect(UUIDColumn(sqliteData: .blob(ByteBuffer(bytes: withUnsafeBytes(of: id.uuid) { Array($0) }))) == nil)
    }

    /// PostgreSQL sends its `uuid` as 16 bytes, or as text when asked for text.
    @Test func aPostgreSQLColumnIsReadFromItsBytesOrItsText() throws {
        let id = Self.everyDigit
        var bytes = ByteBuffer(bytes: withUnsafeBytes(of: id.uuid) { Array($0) })
        let fromBytes = try UUIDColumn(from: &bytes, type: .uuid, format: .binary, context: .default)
        #expect(fromBytes.uuid == id)
        var text = ByteBuffer(string: id.apiString)
        let fromText = try UUIDColumn(from: &text, type: .uuid, format: .text, context: .default)
        #expect(fromText.uuid == id)
        #expect(throws: (any Error).self) {
            var number = ByteBuffer(bytes: [0, 0, 0, 1])
            return try UUIDColumn(from: &number, type: .int4, format: .binary, context: .default)
        }
    }
}
