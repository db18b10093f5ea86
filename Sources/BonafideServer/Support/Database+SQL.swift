import Fluent
import SQLKit

extension Database {
    /// The database as SQLKit sees it, for statements Fluent's query builder cannot say (joins decoded into plain
    /// structs, upserts, locking clauses). Every database Bonafide runs on, SQLite and PostgreSQL, is one.
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw Problem(.internalServerError, "An SQL database is required.") }
        return sql
    }
}
