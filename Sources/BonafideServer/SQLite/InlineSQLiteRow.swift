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
        return try Self.decoder.decode(D.self, from: values[offset])
    }
}
