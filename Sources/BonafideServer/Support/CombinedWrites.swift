import SQLKit

/// Writes that answer nothing, sent to the database together. On PostgreSQL each is a round trip of its own, and a
/// write transaction that holds a busy row lock (a partnership's log head) holds it for every round trip that
/// follows: there the writes go as one statement, all but the last as data-modifying `WITH` parts. SQLite has no
/// data-modifying `WITH`, and its statements cost no round trip: there they run one after the other.
///
/// Parts of one statement see the same snapshot and run in no fixed order: the writes added together must touch
/// different rows and must not read what another of them writes. Any failure fails all of them.
struct CombinedWrites {
    /// At most this many parts in one statement, holding at most `bindsPerStatement` binds between them (PostgreSQL
    /// refuses more than 65,535 in one statement; a part alone may hold up to 30,000, a chunk of `HandSaved` rows).
    static let partsPerStatement = 16
    static let bindsPerStatement = 60_000

    private var statements: [any SQLExpression] = []

    var isEmpty: Bool { statements.isEmpty }

    mutating func add(_ statement: any SQLExpression) { statements.append(statement) }

    mutating func append(_ other: CombinedWrites) { statements += other.statements }

    func run(on sql: any SQLDatabase) async throws {
        guard !statements.isEmpty else { return }
        guard sql.dialect.name == "postgresql" else {
            for statement in statements { try await sql.execute(sql: statement) { _ in } }
            return
        }
        // The usual case, serialized once: every part fits one statement.
        if statements.count <= Self.partsPerStatement {
            var serializer = SQLSerializer(database: sql)
            Self.combined(statements).serialize(to: &serializer)
            if serializer.binds.count <= Self.bindsPerStatement {
                try await sql.execute(sql: Serialized(sql: serializer.sql, binds: serializer.binds)) { _ in }
                return
            }
        }
        var group: [any SQLExpression] = []
        var binds = 0
        for statement in statements {
            var serializer = SQLSerializer(database: sql)
            statement.serialize(to: &serializer)
            let count = serializer.binds.count
            if !group.isEmpty, group.count == Self.partsPerStatement || binds + count > Self.bindsPerStatement {
                try await Self.run(group, on: sql)
                group = []
                binds = 0
            }
            group.append(statement)
            binds += count
        }
        if !group.isEmpty { try await Self.run(group, on: sql) }
    }

    private static func run(_ parts: [any SQLExpression], on sql: any SQLDatabase) async throws {
        try await sql.execute(sql: combined(parts)) { _ in }
    }

    /// One statement: all but the last part as `WITH` parts.
    private static func combined(_ parts: [any SQLExpression]) -> any SQLExpression {
        guard parts.count > 1 else { return parts[0] }
        var combined = SQLQueryString("WITH ")
        for (i, part) in parts.dropLast().enumerated() {
            combined.appendLiteral(i == 0 ? "w0 AS (" : ", w\(i) AS (")
            combined.appendInterpolation(part)
            combined.appendLiteral(")")
        }
        combined.appendLiteral(" ")
        combined.appendInterpolation(parts[parts.count - 1])
        return combined
    }

    /// A statement serialized already, its placeholders numbered from the first: sent as the whole statement only.
    private struct Serialized: SQLExpression {
        let sql: String
        let binds: [any Encodable & Sendable]

        func serialize(to serializer: inout SQLSerializer) {
            serializer.write(sql)
            serializer.binds.append(contentsOf: binds)
        }
    }
}
