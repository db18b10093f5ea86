import Foundation
import Testing

@testable import BonafideCore

@Suite("Feed parsing")
struct FeedParserTests {
    @Test func rssItemsWithEscapedHTMLAndCDATAAndDates() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel>
                <title>Reviews of Northwind</title>
                <image><title>logo</title></image>
                <item>
                  <title>Late &amp; silent</title>
                  <link>https://reviews.example/r/1</link>
                  <guid isPermaLink="false">review-1</guid>
                  <description>&lt;p&gt;The rollout was &lt;b&gt;three weeks&lt;/b&gt; late.&lt;/p&gt;</description>
                  <pubDate>Tue, 03 Nov 2026 09:30:00 +0100</pubDate>
                  <dc:creator>Ana</dc:creator>
                </item>
                <item>
                  <title>Great team</title>
                  <description><![CDATA[They went <i>above and beyond</i>&hellip;]]></description>
                  <pubDate>Wed, 4 Nov 2026 10:00:00 GMT</pubDate>
                </item>
              </channel>
            </rss>
            """
        let feed = try FeedParser.parse(Data(xml.utf8))
        #expect(feed.format == .rss)
        #expect(feed.title == "Reviews of Northwind")
        #expect(feed.items.count == 2)
        let first = feed.items[0]
        #expect(first.title == "Late & silent")
        #expect(first.text == "The rollout was three weeks late.")
        #expect(first.guid == "review-1")
        #expect(first.link == "https://reviews.example/r/1")
        #expect(first.author == "Ana")
        #expect(first.published == Date(timeIntervalSince1970: 1_793_694_600))  // 2026-11-03T08:30:00Z
        // CDATA keeps its markup as text; references inside it are decoded by the cleaner.
        #expect(feed.items[1].text == "They went above and beyond …")
        #expect(feed.items[1].guid == nil && feed.items[1].link == nil)
        #expect(feed.items[1].published == Date(timeIntervalSince1970: 1_793_786_400))  // 2026-11-04T10:00:00Z
    }

    @Test func atomEntriesPreferAlternateLinksAndContent() throws {
        let xml = """
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title type="text">Mentions</title>
              <id>urn:feed</id>
              <entry>
                <title>Outage again</title>
                <link rel="self" href="https://x.example/self/2"/>
                <link href="https://x.example/posts/2"/>
                <id>urn:post:2</id>
                <updated>2026-11-05T12:00:00.250Z</updated>
                <author><name>Bo</name></author>
                <summary>short</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Down for <b>six</b> hours.</p><p>No response.</p></div></content>
              </entry>
              <entry>
                <title>Fine</title>
                <id>urn:post:3</id>
                <published>2026-11-06T08:00:00+02:00</published>
                <updated>2026-11-07T08:00:00Z</updated>
                <content type="html">&lt;p&gt;Quick to reply.&lt;/p&gt;</content>
              </entry>
            </feed>
            """
        let feed = try FeedParser.parse(Data(xml.utf8))
        #expect(feed.format == .atom)
        #expect(feed.title == "Mentions")
        #expect(feed.items.map(\.guid) == ["urn:post:2", "urn:post:3"])
        #expect(feed.items[0].link == "https://x.example/posts/2")
        #expect(feed.items[0].text == "Down for six hours. No response.")
        #expect(feed.items[0].author == "Bo")
        #expect(feed.items[0].published == Date(timeIntervalSince1970: 1_793_880_000.25))
        #expect(feed.items[1].text == "Quick to reply.")
        #expect(feed.items[1].published == Date(timeIntervalSince1970: 1_793_944_800), "published wins over updated")
    }

    @Test func notAFeedAndBrokenXMLAreExplained() {
        #expect(throws: FeedError.self) { try FeedParser.parse(Data("<html><body>hi</body></html>".utf8)) }
        do {
            _ = try FeedParser.parse(Data("<html><body>hi</body></html>".utf8))
        } catch let error as FeedError {
            #expect(error.description.contains("not a feed") && error.description.contains("<html>"))
        } catch { Issue.record("unexpected \(error)") }
        do {
            _ = try FeedParser.parse(Data("<rss>\n<channel>\n<item><title>x</item>".utf8))
            Issue.record("broken XML parsed")
        } catch let error as FeedError {
            #expect(error.description.contains("not well-formed") && error.description.contains("line 3"), "\(error)")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func datesInTheFormsFeedsUse() {
        let noon = Date(timeIntervalSince1970: 1_793_880_000)  // 2026-11-05T12:00:00Z
        #expect(FeedParser.date("Thu, 05 Nov 2026 12:00:00 GMT") == noon)
        #expect(FeedParser.date("05 Nov 2026 07:00:00 -0500") == noon)
        #expect(FeedParser.date("2026-11-05T12:00:00Z") == noon)
        #expect(FeedParser.date("2026-11-05T13:00:00+01:00") == noon)
        #expect(FeedParser.date("yesterday") == nil)
        #expect(FeedParser.date("") == nil)
    }
}
