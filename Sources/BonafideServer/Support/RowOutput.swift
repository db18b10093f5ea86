import FluentKit
import Foundation
import SQLKit

/// A row read with raw SQL, offered to a model's properties one by one (`User.load(from:)`), for rows read on every
/// request: `decode(fluentModel:)` finds the properties by reflection on every load, which with the query builder
/// was a fifth of a page. `prefix` picks one table's columns out of a join, selected as `prefix` + column.
struct RowOutput: DatabaseOutput {
    let row: any SQLRow
    var prefix = ""

    var description: String { "\(row)" }

    func schema(_ schema: String) -> any DatabaseOutput { self }

    func contains(_ key: FieldKey) -> Bool { row.contains(column: prefix + key.description) }

    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: prefix + key.description) }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        // Ids without `UUID(uuidString:)` (`UUIDColumn`).
        if T.self == UUID.self, let id = try row.decodeUUID(column: prefix + key.description) as? T { return id }
        // Lists of strings without a `JSONDecoder` each on SQLite (`StringArrayColumn`).
        if T.self == [String].self, let strings = try row.decodeStringArray(column: prefix + key.description) as? T { return strings }
        return try row.decode(column: prefix + key.description, as: T.self)
    }
}
