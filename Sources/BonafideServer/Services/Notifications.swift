import Fluent
import Foundation
import SQLKit

enum Notifications {
    /// A page of the person's notifications, newest first (all, or only the unread), and how many are unread, in one
    /// query: the API's list and the bell's page read it on every visit.
    static func list(for actor: Actor, unreadOnly: Bool = false, limit: Int = 100, offset: Int = 0, on db: any Database) async throws
        -> (unread: Int, items: [NotificationRow])
    {
        let onlyUnread: SQLQueryString = unreadOnly ? "AND n.read_at IS NULL" : ""
        let rows = try await db.sql().raw(
            """
            SELECT n.id, n.text, n.link, n.created_at, n.read_at,
                   (SELECT COUNT(*) FROM notifications c WHERE c.user_id = \(bind: actor.id) AND c.read_at IS NULL) AS unread
            FROM notifications n
            WHERE n.user_id = \(bind: actor.id) \(onlyUnread)
            ORDER BY n.created_at DESC, n.id
            LIMIT \(literal: max(0, limit)) OFFSET \(literal: max(0, offset))
            """
        ).all()
        let items = try rows.map(NotificationRow.init(row:))
        // A page past the last one has no row to carry the count.
        if let first = items.first { return (first.unread, items) }
        return (try await unreadCount(for: actor, on: db), items)
    }

    /// Opens one of the person's notifications: marked read, its link returned; another person's is not found.
    static func open(_ id: UUID?, for actor: Actor, now: Date = Date(), on db: any Database) async throws -> String {
        guard let id, let n = try await Notification.query(on: db).filter(\.$id == id).filter(\.$user.$id == actor.id).first() else {
            throw Problem.notFound("notification")
        }
        if n.readAt == nil {
            n.readAt = now
            try await n.save(on: db)
        }
        return n.link
    }

    /// Counted by the database in plain SQL: every signed-in page's frame asks (the bell's badge).
    static func unreadCount(for actor: Actor, on db: any Database) async throws -> Int {
        // The one column read as it is (`SQLRow+Columns`), not through `SQLRowDecoder`: every page's frame shows it.
        try await db.sql().raw(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: actor.id) AND read_at IS NULL"
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    static func markAllRead(for actor: Actor, now: Date = Date(), on db: any Database) async throws {
        try await Notification.query(on: db).filter(\.$user.$id == actor.id).filter(\.$readAt == nil)
            .set(\.$readAt, to: now).update()
    }
}
