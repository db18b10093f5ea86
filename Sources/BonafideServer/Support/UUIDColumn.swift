import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore

/// A UUID column as each database's driver reads it directly, for rows read by hand (`SQLRow.decodeUUID`).
/// SQLite keeps UUIDs as the text Fluent wrote (`uuidString`); read as `UUID`, SQLiteKit found no direct conversion
/// and went through a nested `Decoder` to `UUID(uuidString:)`, which on Linux copies the text and runs `sscanf`:
/// with five ids per row that was a twentieth of a commitment list request. PostgreSQL keeps them as `uuid`, which
/// PostgresNIO already reads from its 16 bytes; this only says so again.
struct UUIDColumn: Decodable, Sendable {
    let uuid: UUID

    /// Neither driver comes here (each finds its own conversion below); a decoder that does reads a plain UUID.
    init(from decoder: any Decoder) throws {
        uuid = try decoder.singleValueContainer().decode(UUID.self)
    }
}

extension UUIDColumn: SQLiteDataConvertible {
    init?(sqliteData: SQLiteData) {
        guard case .text(let text) = sqliteData, let uuid = UUID(apiString: text) else { return nil }
        self.uuid = uuid
    }

    var sqliteData: SQLiteData? { .text(uuid.uuidString) }
}

extension UUIDColumn: PostgresDecodable {
    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        uuid = try UUID(from: &buffer, type: type, format: format, context: context)
    }
}
