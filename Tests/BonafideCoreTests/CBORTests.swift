import BonafideCore
import Testing

@Suite("CBOR")
struct CBORTests {
    func decode(_ hex: String) throws -> CBOR { try CBOR.decode(Hex.decode(hex)!) }

    func failure(_ hex: String) -> CBORError? {
        do {
            _ = try CBOR.decode(Hex.decode(hex)!)
            return nil
        } catch { return error }
    }

    /// RFC 8949 Appendix A, the items this decoder supports.
    @Test func rfc8949AppendixA() throws {
        #expect(try decode("00") == .unsigned(0))
        #expect(try decode("17") == .unsigned(23))
        #expect(try decode("1818") == .unsigned(24))
        #expect(try decode("1903e8") == .unsigned(1000))
        #expect(try decode("1b000000e8d4a51000") == .unsigned(1_000_000_000_000))
        #expect(try decode("1bffffffffffffffff") == .unsigned(.max))
        #expect(try decode("20").int == -1)
        #expect(try decode("3863").int == -100)
        #expect(try decode("3903e7").int == -1000)
        #expect(try decode("3bffffffffffffffff") == .negative(.max))
        #expect(try decode("40") == .bytes([]))
        #expect(try decode("4401020304") == .bytes([1, 2, 3, 4]))
        #expect(try decode("60") == .text(""))
        #expect(try decode("6449455446") == .text("IETF"))
        #expect(try decode("62225c") == .text("\"\\"))
        #expect(try decode("63e6b0b4") == .text("水"))
        #expect(try decode("80") == .array([]))
        #expect(try decode("83010203") == .array([.unsigned(1), .unsigned(2), .unsigned(3)]))
        #expect(
            try decode("8301820203820405")
                == .array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]), .array([.unsigned(4), .unsigned(5)])]))
        #expect(try decode("a0") == .map([:]))
        #expect(try decode("a201020304") == .map([.unsigned(1): .unsigned(2), .unsigned(3): .unsigned(4)]))
        let mixed = try decode("a26161016162820203")
        #expect(mixed["a"] == .unsigned(1))
        #expect(mixed["b"] == .array([.unsigned(2), .unsigned(3)]))
        #expect(try decode("f4") == .bool(false))
        #expect(try decode("f5") == .bool(true))
        #expect(try decode("f6") == .null)
        #expect(try decode("f7") == .undefined)
        #expect(try decode("f93c00") == .float(1.0))
        #expect(try decode("f97bff") == .float(65504.0))
        #expect(try decode("f90001") == .float(0x1p-24))
        #expect(try decode("f9c400") == .float(-4.0))
        #expect(try decode("fa47c35000") == .float(100000.0))
        #expect(try decode("fb3ff199999999999a") == .float(1.1))
    }

    @Test func coseKeysUseNegativeIntegerKeys() throws {
        let key = try decode("a3010203262058200000000000000000000000000000000000000000000000000000000000000000")
        #expect(key[1]?.int == 2)
        #expect(key[3]?.int == -7)
        #expect(key[-1]?.bytes?.count == 32)
    }

    @Test func refusesIndefiniteLengths() {
        for hex in ["5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "bf6346756ef563416d7421ff", "ff"] {
            #expect(failure(hex) == .indefiniteLength, "\(hex)")
        }
    }

    @Test func refusesLengthsBeyondTheInput() {
        #expect(failure("") == .truncated)
        #expect(failure("19") == .truncated)
        #expect(failure("4401") == .truncated)
        #expect(failure("5affffffff00") == .truncated)
        // Claims 2^64 - 1 items: refused before anything is reserved or looped over.
        #expect(failure("9bffffffffffffffff00") == .truncated)
        #expect(failure("bbffffffffffffffff0000") == .truncated)
        // A map of 2 entries needs at least 4 more bytes.
        #expect(failure("a2010203") == .truncated)
    }

    @Test func boundsNesting() throws {
        let sixteen = [UInt8](repeating: 0x81, count: 16) + [0]
        #expect(throws: Never.self) { try CBOR.decode(sixteen) }
        #expect(throws: CBORError.tooDeep(16)) { try CBOR.decode([UInt8](repeating: 0x81, count: 17) + [0]) }
        #expect(throws: CBORError.tooDeep(16)) { try CBOR.decode([UInt8](repeating: 0xa1, count: 17) + [0]) }
        // Deep enough to overflow the stack of a recursive decoder without a bound.
        #expect(throws: CBORError.tooDeep(16)) { try CBOR.decode([UInt8](repeating: 0x81, count: 1_000_000)) }
        #expect(throws: CBORError.tooDeep(3)) { try CBOR.decode([0x81, 0x81, 0x81, 0x81, 0x00], maximumDepth: 3) }
    }

    @Test func refusesMalformedItems() {
        #expect(failure("0000") == .trailingBytes)
        #expect(failure("a201020103") == .duplicateMapKey)
        #expect(failure("a2616101616102") == .duplicateMapKey)
        #expect(failure("a1800001") == .unsupportedMapKey)
        #expect(failure("a1f600") == .unsupportedMapKey)
        #expect(failure("61ff") == .invalidUTF8)
        #expect(failure("c11a514b67b0") == .malformed("tagged items are not used here"))
        #expect(failure("1c") == .malformed("reserved additional information 28"))
        #expect(failure("f8ff") == .malformed("unsupported simple value 24"))
    }

    @Test func decodesLargeInputsInOnePass() throws {
        // One million one-byte items: quick for a linear decoder.
        let big: [UInt8] = [0x9a, 0x00, 0x0f, 0x42, 0x40] + [UInt8](repeating: 0, count: 1_000_000)
        guard case .array(let items) = try CBOR.decode(big) else {
            Issue.record("not an array")
            return
        }
        #expect(items.count == 1_000_000)
    }

    @Test func decodePrefixSaysHowMuchItRead() throws {
        let bytes: [UInt8] = [0x82, 0x01, 0x02, 0xff, 0xee]
        let (item, length) = try CBOR.decodePrefix(bytes[...])
        #expect(item == .array([.unsigned(1), .unsigned(2)]))
        #expect(length == 3)
        let (second, secondLength) = try CBOR.decodePrefix(Array([0x00, 0x43, 1, 2, 3, 0x00])[1...])
        #expect(second == .bytes([1, 2, 3]))
        #expect(secondLength == 4)
    }

    @Test func everyErrorHasAPlainDescription() {
        let errors: [CBORError] = [
            .truncated, .trailingBytes, .indefiniteLength, .tooDeep(16), .invalidUTF8, .unsupportedMapKey, .duplicateMapKey,
            .malformed("x"),
        ]
        for error in errors { #expect(error.description.hasSuffix(".")) }
    }
}
