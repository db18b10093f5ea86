import SQLKit

/// Writes that answer nothing, sent to the database together. On PostgreSQL each is a round trip of its own, and a
/// write transaction that holds a busy row lock (a partnership's log head) holds it for every round trip that
/// follows: there the writes go as one statement, all but the last as data-modifying `WITH` parts. SQLite has no
/// data-modifying `WITH`, and its statements cost no round trip: there they run one after the other.
///
/// Parts of one statement see the same snapshot and run in no fixed order: the writes added together must touch
/// different rows and must not read what another of them writes. Constraints are still checked (at the end of the
/// statement), and any failure fails all of them.
struct CombinedWrites {
    /// At most this many parts in one statement: each holds at most a few thousand binds (500 leaves of 3), and
    /// PostgreSQL accepts 65,535.
    static let partsPerStatement = 16

    private var statements: [any SQLExpression] = []

    var isEmpty: Bool { statements.isEmpty }

    mutating func add(_ statement: any SQLExpression) { statements.append(statement) }

    func run(on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else {
            for statement in statements { try await sql.execute(sql: statement) { _ in } }
            return
        }
        for start in stride(from: 0, to: statements.count, by: Self.partsPerStatement) {
            let parts = statements[start..<min(start + Self.partsPerStatement, statements.count)]
            guard parts.count > 1 else {
                try await sql.execute(sql: parts[parts.startIndex]) { _ in }
                continue
            }
            var combined = SQLQueryString("WITH ")
            for (i, part) in parts.dropLast().enumerated() {
                combined.appendLiteral(i == 0 ? "w0 AS (" : ", w\(i) AS (")
                combined.appendInterpolation(part)
                combined.appendLiteral(")")
            }
            combined.appendLiteral(" ")
            combined.appendInterpolation(parts[parts.endIndex - 1])
            try await sql.execute(sql: combined) { _ in }
        }
    }
}
