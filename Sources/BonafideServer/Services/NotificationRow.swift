import Foundation
import SQLKit

/// A notification as its lists read it, decoded straight into values, with how many of the person's notifications
/// are unread: the list and its count come from one query instead of a count and a page of models.
struct NotificationRow: Sendable {
    var id: UUID
    var text: String
    var link: String
    var createdAt: Date
    var readAt: Date?
    /// The same on every row of a page.
    var unread: Int

    /// Reads the columns `Notifications.list` selects, each with one call to the driver (two when it may be NULL).
    init(row: any SQLRow) throws {
        id = try row.decodeUUID(column: "id")
        text = try row.decode(column: "text", as: String.self)
        link = try row.decode(column: "link", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        readAt = try row.decodeIfPresent(column: "read_at", as: Date.self)
        unread = try row.decode(column: "unread", as: Int.self)
    }
}
