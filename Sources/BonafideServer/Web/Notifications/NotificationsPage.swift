import Fluent
import Foundation

/// The bell's page: a person's notifications, newest first, a page at a time, all or only the unread. Opening one
/// goes through `/notifications/{id}` so it is marked read on the way.
struct NotificationsPage: Sendable {
    struct Item: Sendable {
        var id: UUID
        var text: String
        var unread: Bool
        var when: String
    }

    static let pageSize = 50

    var items: [Item]
    var unread: Int
    var unreadOnly: Bool
    var page: Int
    var hasMore: Bool
    var csrf: String

    static func load(for actor: Actor, unreadOnly: Bool, page: Int, csrf: String, on db: any Database) async throws -> Self {
        let page = max(0, page)
        // One more than shown tells whether an older page exists.
        let (unread, rows) = try await Notifications.list(
            for: actor, unreadOnly: unreadOnly, limit: pageSize + 1, offset: page * pageSize, on: db)
        let clock = Clock(actor.user.timeZone)
        return Self(
            items: rows.prefix(pageSize).map {
                Item(id: $0.id, text: $0.text, unread: $0.readAt == nil, when: clock.format($0.createdAt))
            },
            unread: unread, unreadOnly: unreadOnly, page: page, hasMore: rows.count > pageSize, csrf: csrf)
    }

    func link(page: Int, unreadOnly: Bool) -> String {
        var query: [String] = []
        if unreadOnly { query.append("show=unread") }
        if page > 0 { query.append("page=\(page)") }
        return SiteURL.notifications() + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    func render() -> HTML {
        let list: HTML =
            items.isEmpty
            ? EmptyState(
                icon: unreadOnly ? .allClear : .notification, title: unreadOnly ? "Nothing unread." : "No notifications.",
                text:
                    "What partners do that concerns you (proposals, deliveries, messages, incidents) is listed here and, as you choose in your settings, mailed."
            ).render()
            : HTML(
                "<ol class=\"timeline\">\(HTML.join(items.map { n in HTML("<li\(HTML(raw: n.unread ? " class=\"unread\"" : ""))>\(n.unread ? HTML("<span class=\"visually-hidden\">Unread: </span>") : "")<a href=\"\(SiteURL.notification(n.id))\">\(n.unread ? HTML("<strong>\(n.text)</strong>") : HTML("\(n.text)"))</a><div class=\"small muted\">\(n.when)</div></li>") }))</ol>"
            )
        let filter: HTML = """
            <nav class="tabs" aria-label="Show"><a href="\(link(page: 0, unreadOnly: false))"\(HTML(raw: unreadOnly ? "" : " aria-current=\"page\""))>All</a>\
            <a href="\(link(page: 0, unreadOnly: true))"\(HTML(raw: unreadOnly ? " aria-current=\"page\"" : ""))>Unread (\(unread))</a></nav>
            """
        let pager = Pager.byTime(
            newer: page > 0 ? link(page: page - 1, unreadOnly: unreadOnly) : nil,
            older: hasMore ? link(page: page + 1, unreadOnly: unreadOnly) : nil
        ).render()
        let markAll: HTML =
            unread > 0
            ? "<form method=\"post\" action=\"\(SiteURL.notificationsRead())\">\(csrfField(csrf))<button class=\"secondary\">Mark all read</button></form>"
            : ""
        return """
            <h1>Notifications <span class="muted small">\(unread) unread</span></h1>
            \(filter)\(markAll)
            <div class="card">\(list)</div>\(pager)
            """
    }
}
