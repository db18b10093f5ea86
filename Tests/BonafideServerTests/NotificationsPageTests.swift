import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Notifications page")
struct NotificationsPageTests {
    /// The view alone, from model values: no database.
    @Test func rendersUnreadFirstClassFilterAndPagerFromTheModel() {
        let id = UUID()
        let page = NotificationsPage(
            items: [
                .init(id: id, text: "Acme accepted “Style guide”", unread: true, when: "Tue 14:02"),
                .init(id: UUID(), text: "Kite wrote", unread: false, when: "Mon 09:00"),
            ], unread: 1, unreadOnly: false, page: 1, hasMore: true, csrf: "token")
        let html = page.render().text
        #expect(html.contains("<a href=\"/notifications/\(id.uuidString.lowercased())\"><strong>Acme accepted “Style guide”</strong>"))
        #expect(html.contains("<a href=\"/notifications\" aria-current=\"page\">All</a>"))
        #expect(html.contains("<a href=\"/notifications?show=unread\">Unread (1)</a>"))
        #expect(html.contains("<a href=\"/notifications\">← Newer</a>") && html.contains("<a href=\"/notifications?page=2\">Older →</a>"))
        #expect(html.contains("Mark all read"))
        let empty = NotificationsPage(items: [], unread: 0, unreadOnly: true, page: 0, hasMore: false, csrf: "token").render().text
        #expect(empty.contains("Nothing unread.") && !empty.contains("Mark all read") && !empty.contains("Older"))
    }

    @Test func openingMarksReadAndTheListPagesAndFilters() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let user = UUID(uuidString: north.id)!
            let start = Date().addingTimeInterval(-10_000)
            for i in 0..<120 {
                try await Notification(userID: user, text: "Note \(i)", link: "/dashboard", at: start.addingTimeInterval(Double(i)))
                    .save(on: app.db)
            }
            let browser = try await Browser.signedIn(app, as: north)
            let first = try await browser.get("/notifications")
            #expect(first.html.contains("Note 119") && !first.html.contains("Note 69<") && first.html.contains("Older →"))
            let third = try await browser.get("/notifications?page=2")
            #expect(third.html.contains("Note 19<") && !third.html.contains("Older →") && third.html.contains("← Newer"))
            // Opening one marks it read and goes where it points; someone else's is not found.
            let note = try await Notification.query(on: app.db).filter(\.$text == "Note 119").first()!
            let opened = try await browser.get("/notifications/\(note.id!.uuidString.lowercased())")
            #expect(opened.status == .seeOther && opened.location == "/dashboard")
            #expect(try await Notification.find(note.id, on: app.db)?.readAt != nil)
            let other = try await Browser.signedIn(app, as: acme)
            #expect(try await other.get("/notifications/\(note.id!.uuidString.lowercased())").status == .notFound)
            let unread = try await browser.get("/notifications?show=unread")
            #expect(!unread.html.contains("Note 119<") && unread.html.contains("Note 118<"))
        }
    }
}
