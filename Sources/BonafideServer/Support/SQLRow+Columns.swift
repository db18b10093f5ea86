import Foundation
import SQLKit

/// Reading a row column by column, for the lists read on every request (`CommitmentRow.init(row:)` and its like).
/// `all(decoding:)` goes through `SQLRowDecoder`, which looks each column up two or three times (is it there, is it
/// NULL, its value) through generic keyed containers: a sixth of a commitment list request in a profile.
extension SQLRow {
    /// A column that may be NULL: nil when it is, its value otherwise. Two look-ups; asking for `T?` in one goes
    /// through a nested decoder on SQLite, which costs more than the second look-up.
    func decodeIfPresent<T: Decodable>(column: String, as type: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: type)
    }

    /// A UUID column, read without `UUID(uuidString:)` (`UUIDColumn`).
    func decodeUUID(column: String) throws -> UUID {
        try decode(column: column, as: UUIDColumn.self).uuid
    }

    /// A UUID column that may be NULL.
    func decodeUUIDIfPresent(column: String) throws -> UUID? {
        try decodeIfPresent(column: column, as: UUIDColumn.self)?.uuid
    }

    /// A `[String]` field's column, read on SQLite without a `JSONDecoder` for each value (`StringArrayColumn`).
    func decodeStringArray(column: String) throws -> [String] {
        if let scanned = try? decode(column: column, as: StringArrayColumn.self) { return scanned.strings }
        return try decode(column: column, as: [String].self)
    }
}

extension SQLRow {
    /// A column holding an enum's raw text; text the enum does not know is an error, as decoding the enum made it.
    func decodeRawValue<T: RawRepresentable>(column: String, as type: T.Type) throws -> T where T.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = T(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Unknown \(T.self) \"\(raw)\" in \(column)."))
        }
        return value
    }
}
