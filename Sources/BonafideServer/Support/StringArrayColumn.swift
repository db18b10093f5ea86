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
        return text.withUTF8 { bytes in
            var scanner = JSONScanner(bytes: bytes)
            guard let strings = scanner.stringArray(), scanner.atEnd() else { return nil }
            return strings
        }
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
