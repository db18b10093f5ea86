import FluentKit
import FluentSQL
import SQLKit

/// The column types Fluent's SQLite driver gives a schema (its delegate is internal to it): kept identical, so the
/// tables migrations create are the same whichever layer ran them.
struct SQLiteSchemaDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        case .enum: SQLRaw("TEXT")
        default: nil
        }
    }
}
