import BonafideCore
import Foundation
import SnapshotTesting
import Testing

@testable import BonafideServer

/// The mentions page and the pages reached from a mail (unsubscribing, setting a new password), rendered from model
/// values alone and compared with the HTML kept in `__Snapshots__`, as `PageSnapshotTests` does for the partnership pages.
@Suite("Channel page snapshots")
struct ChannelPageSnapshotTests {
    static let mentions = MentionsPage(
        alerts: [
            "Sentiment about Northwind dropped in the week of 2026-11-23: -0.40 over 4 mentions, against +0.30 over 11 in the four weeks before."
        ],
        brands: [.init(name: "Northwind", key: "northwind"), .init(name: "Acme & Sons", key: "acme & sons")],
        cards: [
            BrandCard(
                brand: "Northwind", key: "northwind", partner: false, mean: "+0.21", count: 12, positive: 7, neutral: 3, negative: 2,
                lastMonth: "+0.10 (95% interval -0.20 to +0.40)", lastMonthCount: 5, monthChange: .down,
                weeks: [
                    .init(period: "16 Nov", value: 0.3, interval: 0.1...0.5, change: .noClearChange, title: "Week of 16 Nov: +0.30 over 3"),
                    .init(period: "23 Nov", value: -0.4, interval: -0.7...(-0.1), change: .down, title: "Week of 23 Nov: -0.40 over 4"),
                ],
                mostPositive: [
                    .init(
                        quote: MentionQuote(text: "Quick to reply & always on time", url: "https://reviews.example/1"), score: "+0.83",
                        drivers: "“always on time”")
                ],
                mostNegative: [.init(quote: MentionQuote(text: "Late again", url: ""), score: "-0.48", drivers: "")]),
            BrandCard(
                brand: "Acme & Sons", key: "acme & sons", partner: true, mean: "+0.50", count: 1, positive: 1, neutral: 0, negative: 0,
                lastMonth: "–", lastMonthCount: 0, monthChange: .notEnoughData, weeks: [], mostPositive: [], mostNegative: []),
        ],
        selected: nil,
        rows: [
            .init(
                when: "Mon 30 Nov 2026, 09:12 Berlin time", source: "feed", author: "Dana", brand: "Northwind",
                quote: MentionQuote(text: "Late again <b>twice</b>", url: ""), score: "-0.62", label: .negative, drivers: "“late”"),
            .init(
                when: "Sun 29 Nov 2026, 18:40 Berlin time", source: "csv", author: "", brand: "Acme & Sons",
                quote: MentionQuote(text: "Solid work", url: "https://blog.example/acme?ref=1&x=2"), score: "+0.50", label: .positive,
                drivers: "“solid”"),
            .init(
                when: "Sat 28 Nov 2026, 08:05 Berlin time", source: "api", author: "Lee", brand: "Northwind",
                quote: MentionQuote(text: "Delivered on Friday", url: ""), score: "+0.00", label: .neutral, drivers: ""),
        ],
        page: 1, hasMore: true,
        manage: .init(
            feeds: [
                .init(
                    id: UUID(uuidString: "00000000-0000-4000-8000-0000000000f1"), url: "https://reviews.example/northwind.rss",
                    brand: "Northwind", keywords: "", lastPolled: "Mon 30 Nov 2026, 09:00 Berlin time",
                    lastStatus: "12 new, 3 already known")
            ], pollInterval: "15 minutes"),
        csrf: "token")

    @Test func mentionsPageWithTwoBrands() {
        let html = Self.mentions.render().text
        assertSnapshot(of: html, as: .lines)
        // What people wrote is shown as text, never as markup.
        #expect(html.contains("<td>“Late again &lt;b&gt;twice&lt;/b&gt;”</td><td class=\"risk\">-0.62 negative"))
        #expect(html.contains("<a href=\"/mentions\">← Newer</a>") && html.contains("<a href=\"/mentions?page=2\">Older →</a>"))
        #expect(html.contains("<a href=\"/mentions?brand=acme%20%26%20sons\">Acme &amp; Sons</a>"))
    }

    @Test func unsubscribePage() {
        let html = UnsubscribePage(what: "mails for “New message”", token: "eyJ1.c2ln").render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("<h1>Stop mails for “New message”?</h1>"))
        // The button posts to the one-click address, which takes no form token.
        #expect(html.contains("<form method=\"post\" action=\"/unsubscribe/eyJ1.c2ln\"><button>") && !html.contains("_csrf"))
    }

    @Test func passwordResetPage() {
        let html = PasswordResetPage(token: "Zm9vYmFy_-", csrf: "token").render().text
        assertSnapshot(of: html, as: .lines)
        #expect(
            html.contains(
                "<form method=\"post\" action=\"/password-reset/Zm9vYmFy_-\"><input type=\"hidden\" name=\"_csrf\" value=\"token\">"))
        #expect(html.contains("type=\"password\" required minlength=\"10\" autocomplete=\"new-password\""))
    }
}
