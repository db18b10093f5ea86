import FluentKit
import Foundation
import SQLKit

/// A model written inside the one writer without Fluent's reflection. `create` and `save` find a model's properties
/// by reflection (`Mirror`) several times a call (timestamps, input, output): about 6% of all CPU under a load of
/// message posts, spent while every other write waits its turn on SQLite. The model lists its stored properties once
/// (`Message+Insert.swift` and the like); each still writes itself exactly as in Fluent's own save (the same binds,
/// enum cases, NULLs and defaults), and is then marked saved as Fluent marks it, so a later save writes only what
/// changed. `HandInsertTests` checks each list against Fluent's reflection and each row against Fluent's.
/// Not for a model with a `@Timestamp`: nothing here touches it.
protocol HandSaved: Model where IDValue == UUID {
    /// Every stored property, `$id` included.
    var storedProperties: [any AnyDatabaseProperty] { get }
}

extension HandSaved {
    /// Inserts the row, as `create(on:)` does.
    func insert(on db: any Database) async throws {
        try await [self].insert(on: db)
    }

    /// Writes what changed since the row was read or inserted, as `save(on:)` of a stored model does: nothing when
    /// nothing did.
    func updateChanges(on db: any Database) async throws {
        guard _$idExists else { throw HandSavedMisuse("A \(Self.self) is not stored yet: insert it before saving its changes.") }
        let changed = ListedInput(wantsUnmodifiedKeys: false)
        for property in storedProperties { property.input(to: changed) }
        guard !changed.columns.isEmpty else { return }
        guard let id = self.id else { throw FluentError.idRequired }
        let update = try db.sql().update(Self.schema)
        for (key, value) in zip(changed.columns, changed.values) { try update.set(key.description, to: value.sql(key)) }
        try await update.where(_$id.key.description, .equal, id).run()
        try markSaved(changed)
    }

    /// Inserts a new row or writes what changed of a stored one, as `save(on:)` does.
    func store(on db: any Database) async throws {
        if _$idExists { try await updateChanges(on: db) } else { try await insert(on: db) }
    }

    /// Each property as Fluent leaves it after a save: holding what was written as if read, `$id` marked stored.
    fileprivate func markSaved(_ written: ListedInput) throws {
        let output = WrittenOutput(written)
        for property in storedProperties { try property.output(from: output) }
    }
}

extension Collection where Element: HandSaved {
    /// Inserts the rows together, as `create(on:)` of a collection does, in statements of at most 30,000 values:
    /// SQLite refuses more than 32,766 binds in one and PostgreSQL more than 65,535.
    func insert(on db: any Database) async throws {
        var writes = CombinedWrites()
        let inserted = try insert(into: &writes)
        try await writes.run(on: try db.sql())
        try inserted()
    }

    /// Adds the statements that insert the rows to `writes`, for them to be sent with others; answers what to call
    /// once they ran (it marks the models stored). Ids are given out now.
    func insert(into writes: inout CombinedWrites) throws -> () throws -> Void {
        guard !isEmpty else { return {} }
        // Checked before any id is given out, so a refused collection is left as it came.
        if contains(where: { $0._$idExists }) {
            throw HandSavedMisuse("A \(Element.self) is stored already: save its changes instead of inserting it again.")
        }
        var rows: [ListedInput] = []
        rows.reserveCapacity(count)
        for model in self {
            if model.id == nil { model.id = UUID() }
            // Every column, in the listed order, a property never set as DEFAULT: the rows of one statement must name the
            // same columns.
            let row = ListedInput(wantsUnmodifiedKeys: true)
            for property in model.storedProperties { property.input(to: row) }
            rows.append(row)
        }
        let columns = rows[0].columns
        let perStatement = Swift.max(1, 30_000 / Swift.max(1, columns.count))
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            var insert = SQLInsert(table: SQLIdentifier(Element.schema))
            insert.columns = columns.map { ListedColumn(name: $0.description) }
            insert.values = try rows[start..<Swift.min(start + perStatement, rows.count)].map { row in
                try zip(row.columns, row.values).map { key, value in try value.sql(key) }
            }
            writes.add(insert)
        }
        let models = Array(self)
        return { for (model, row) in zip(models, rows) { try model.markSaved(row) } }
    }
}

/// A listed column's name, quoted as `SQLIdentifier` quotes it but without searching it for quotes to double: the
/// names are our models' field keys (letters, digits and underscores), and that search was 3% of the server's CPU
/// under a load of message posts on PostgreSQL.
private struct ListedColumn: SQLExpression {
    let name: String

    func serialize(to serializer: inout SQLSerializer) {
        assert(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "A listed column is named \(name)")
        serializer.dialect.identifierQuote.serialize(to: &serializer)
        serializer.write(name)
        serializer.dialect.identifierQuote.serialize(to: &serializer)
    }
}

/// A model inserted again or updated before it was stored: a mistake of the caller's, answered as an unexpected error
/// (a 500 for that one request, its savepoint rolled back). A crash would end every request waiting in the same
/// write batch on SQLite (`WriteGate`).
struct HandSavedMisuse: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// A property that writes a value no plain column holds (a `@Group`, an array, a dictionary): such a model stays on Fluent.
private struct UnlistableValue: Error, CustomStringConvertible {
    let key: FieldKey
    var description: String { "The column \(key) holds a value written only by Fluent's query builder." }
}

/// What the listed properties write, in their order.
private final class ListedInput: DatabaseInput {
    let wantsUnmodifiedKeys: Bool
    private(set) var columns: [FieldKey] = []
    private(set) var values: [DatabaseQuery.Value] = []

    init(wantsUnmodifiedKeys: Bool) { self.wantsUnmodifiedKeys = wantsUnmodifiedKeys }

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
        if let index = columns.firstIndex(of: key) {
            values[index] = value
        } else {
            columns.append(key)
            values.append(value)
        }
    }
}

extension DatabaseQuery.Value {
    /// The value as Fluent's SQL converter writes it (`SQLQueryConverter.value`).
    fileprivate func sql(_ key: FieldKey) throws -> any SQLExpression {
        switch self {
        case .bind(let value):
            if let optional = value as? any AnyOptionalType, optional.wrappedValue == nil { return SQLLiteral.null }
            return SQLBind(value)
        case .null: return SQLLiteral.null
        case .default: return SQLLiteral.default
        case .enumCase(let name): return SQLLiteral.string(name)
        case .array, .dictionary, .custom: throw UnlistableValue(key: key)
        }
    }
}

/// The values just written, offered back to the properties that wrote them, as Fluent's `SavedInput` does after a
/// save. A column written as DEFAULT is left out: its property stays unset, as after Fluent's create.
private struct WrittenOutput: DatabaseOutput {
    let values: [FieldKey: DatabaseQuery.Value]

    init(_ written: ListedInput) {
        var values: [FieldKey: DatabaseQuery.Value] = [:]
        for (key, value) in zip(written.columns, written.values) {
            if case .default = value { continue }
            values[key] = value
        }
        self.values = values
    }

    var description: String { values.description }

    func schema(_ schema: String) -> any DatabaseOutput { self }

    func contains(_ key: FieldKey) -> Bool { values[key] != nil }

    func decodeNil(_ key: FieldKey) throws -> Bool {
        switch values[key] {
        case nil: throw FluentError.missingField(name: key.description)
        case .null: return true
        case .bind(let value as any AnyOptionalType): return value.wrappedValue == nil
        default: return false
        }
    }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        switch values[key] {
        case .bind(let value as T): return value
        case .enumCase(let name as T): return name
        default: throw FluentError.missingField(name: key.description)
        }
    }
}
