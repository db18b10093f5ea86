import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore

/// A `[String]` column (`.array(of: .string)`) as each database's driver reads it directly, for rows read by hand
/// (`SQLRow.decodeStringArray`). SQLite keeps such a field as the JSON text Fluent wrote (`["Design","UX"]`), which
/// SQLiteKit decodes with a `JSONDecoder` per value: a search reads two for each of hundreds of organizations. Plain
/// JSON arrays of strings are read here by a strict scanner; anything else it does not expect (another value, a stray
/// character, a lone surrogate, a blob) is decoded as `[String]` as before (`SQLRow.decodeStringArray`), so the result
/// or the error stays SQLiteKit's own.
/// PostgreSQL keeps them as `text[]`, which PostgresNIO reads from its bytes; this only says so again.
struct StringArrayColumn: Decodable, Sendable {
    let strings: [String]

    /// Neither driver comes here (each finds its own conversion below); a decoder that does reads a plain array.
    init(from decoder: any Decoder) throws {
        strings = try decoder.singleValueContainer().decode([String].self)
    }

    init(strings: [String]) {
        self.strings = strings
    }

    /// The strings of a JSON array of strings, or nil when the text is anything else or holds anything the scanner
    /// does not read exactly as `JSONDecoder` does (then the caller asks `JSONDecoder`).
    static func scan(json text: String) -> [String]? {
        var text = text
        return text.withUTF8 { scan(json: $0) }
    }

    private static func scan(json b: UnsafeBufferPointer<UInt8>) -> [String]? {
        var i = 0
        func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        }
        func hex4() -> UInt32? {
            guard i + 4 <= b.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let digit: UInt32
                switch c {
                case 0x30...0x39: digit = UInt32(c - 0x30)
                case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
                default: return nil
                }
                value = value << 4 | digit
                i += 1
            }
            return value
        }
        /// One string from its opening quote; nil for anything unexpected.
        func string() -> String? {
            guard i < b.count, b[i] == 0x22 else { return nil }
            i += 1
            let start = i
            // Most strings have no escape: one copy of their bytes.
            while i < b.count, b[i] != 0x22, b[i] != 0x5C, b[i] >= 0x20 { i += 1 }
            guard i < b.count else { return nil }
            if b[i] == 0x22 {
                let plain = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                return plain
            }
            var bytes = Array(b[start..<i])
            while i < b.count {
                let c = b[i]
                if c == 0x22 {
                    i += 1
                    return String(decoding: bytes, as: UTF8.self)
                }
                guard c >= 0x20 else { return nil }
                guard c == 0x5C else {
                    bytes.append(c)
                    i += 1
                    continue
                }
                i += 1
                guard i < b.count else { return nil }
                let e = b[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: bytes.append(e)
                case 0x62: bytes.append(0x08)
                case 0x66: bytes.append(0x0C)
                case 0x6E: bytes.append(0x0A)
                case 0x72: bytes.append(0x0D)
                case 0x74: bytes.append(0x09)
                case 0x75:
                    guard var scalar = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by its low one; alone, `JSONDecoder` decides.
                        guard i + 2 <= b.count, b[i] == 0x5C, b[i + 1] == 0x75 else { return nil }
                        i += 2
                        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        return nil
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    bytes.append(contentsOf: unicode.utf8)
                default: return nil
                }
            }
            return nil
        }

        skipSpace()
        guard i < b.count, b[i] == 0x5B else { return nil }
        i += 1
        skipSpace()
        var strings: [String] = []
        if i < b.count, b[i] == 0x5D {
            i += 1
        } else {
            while true {
                skipSpace()
                guard let s = string() else { return nil }
                strings.append(s)
                skipSpace()
                guard i < b.count else { return nil }
                if b[i] == 0x2C {
                    i += 1
                } else if b[i] == 0x5D {
                    i += 1
                    break
                } else {
                    return nil
                }
            }
        }
        skipSpace()
        return i == b.count ? strings : nil
    }
}

extension StringArrayColumn: SQLiteDataConvertible {
    init?(sqliteData: SQLiteData) {
        // Anything the scanner does not read is left to the caller's `[String]` decoding (`decodeStringArray`), so
        // its answer or its error is SQLiteKit's own.
        guard case .text(let text) = sqliteData, let strings = Self.scan(json: text) else { return nil }
        self.strings = strings
    }

    var sqliteData: SQLiteData? { try? SQLiteDataEncoder().encode(strings) }
}

extension StringArrayColumn: PostgresDecodable {
    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        strings = try [String](from: &buffer, type: type, format: format, context: context)
    }
}
