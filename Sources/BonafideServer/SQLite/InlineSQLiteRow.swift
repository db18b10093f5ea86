import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO

/// A row read by `SQLiteHandle`, decoded as SQLiteKit decodes its rows (same decoder, same answers for a missing
/// column), so code written against SQLiteNIO's rows reads the same values.
struct InlineSQLiteRow: SQLRow {
    /// The column names of one statement's result, shared by its rows; the first of two equal names wins, as in
    /// SQLiteNIO.
    final class Columns: Sendable {
        let names: [String]
        let offsets: [String: Int]

        init(names: [String]) {
            self.names = names
            self.offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    struct MissingColumn: Error, CustomStringConvertible {
        let column: String
        var description: String { "The row has no column \(column)." }
    }

    let columns: Columns
    let values: [SQLiteData]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offsets[column] else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let offset = columns.offsets[column] else { throw MissingColumn(column: column) }
        let value = values[offset]
        if let read = try Self.readDirectly(D.self, from: value) { return read }
        return try Self.decoder.decode(D.self, from: value)
    }

    /// The types rows are read as most, each converted by its own `SQLiteDataConvertible` initializer as
    /// `SQLiteDataDecoder` converts it, or, optional, as its nested decoder unwraps it (NULL is nil), without the
    /// decoder's dynamic cast to find that conformance: a twentieth of a partnership page. A UUID is the text Fluent
    /// wrote, read as `UUIDColumn` reads it (the nested decoder's `UUID(uuidString:)` when that does not). nil: not one
    /// of these types.
    private static func readDirectly<D>(_ type: D.Type, from value: SQLiteData) throws -> D? {
        func mismatch() -> DecodingError {
            .typeMismatch(D.self, .init(codingPath: [], debugDescription: "Could not convert SQLite data to \(D.self): \(value)."))
        }
        func read<T>(_ converted: T?) throws -> D {
            guard let converted else { throw mismatch() }
            return unsafeBitCast(converted, to: D.self)
        }
        func readOptional<T>(_ convert: (SQLiteData) -> T?) throws -> D {
            if value == .null { return unsafeBitCast(T?.none, to: D.self) }
            guard let converted = convert(value) else { throw mismatch() }
            return unsafeBitCast(T?.some(converted), to: D.self)
        }
        switch ObjectIdentifier(D.self) {
        case ObjectIdentifier(String.self): return try read(String(sqliteData: value))
        case ObjectIdentifier(Int.self): return try read(Int(sqliteData: value))
        case ObjectIdentifier(Int64.self): return try read(Int64(sqliteData: value))
        case ObjectIdentifier(Double.self): return try read(Double(sqliteData: value))
        case ObjectIdentifier(Bool.self): return try read(Bool(sqliteData: value))
        case ObjectIdentifier(Date.self): return try read(Date(sqliteData: value))
        case ObjectIdentifier(UUID.self): return try read(uuid(value))
        case ObjectIdentifier(UUIDColumn.self): return try read(UUIDColumn(sqliteData: value))
        case ObjectIdentifier(String?.self): return try readOptional { String(sqliteData: $0) }
        case ObjectIdentifier(Int?.self): return try readOptional { Int(sqliteData: $0) }
        case ObjectIdentifier(Double?.self): return try readOptional { Double(sqliteData: $0) }
        case ObjectIdentifier(Bool?.self): return try readOptional { Bool(sqliteData: $0) }
        case ObjectIdentifier(Date?.self): return try readOptional { Date(sqliteData: $0) }
        case ObjectIdentifier(UUID?.self): return try readOptional(uuid)
        default: return nil
        }
    }

    private static func uuid(_ value: SQLiteData) -> UUID? {
        guard case .text(let text) = value else { return nil }
        return UUID(apiString: text) ?? UUID(uuidString: text)
    }
}
