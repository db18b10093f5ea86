import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import VaporTesting

@testable import BonafideServer

/// A feed served over real HTTP on 127.0.0.1, with ETags, recording what the poller sent.
final class LocalFeed: @unchecked Sendable {
    // @unchecked: every field is read and written under `lock`.
    private let lock = NIOLock()
    private var body = ""
    private var etag = "\"v1\""
    private var contentType = "application/rss+xml"
    private(set) var conditionalRequests = 0
    private(set) var requests = 0
    let app: Application
    let url: String

    private init(app: Application, url: String) {
        self.app = app
        self.url = url
    }

    static func start() async throws -> LocalFeed {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let box = NIOLockedValueBox<LocalFeed?>(nil)
        app.get("feed.xml") { req -> Response in
            guard let feed = box.withLockedValue({ $0 }) else { return Response(status: .serviceUnavailable) }
            return feed.respond(to: req)
        }
        try await app.server.start()
        let port = app.http.server.shared.localAddress?.port ?? 0
        let feed = LocalFeed(app: app, url: "http://127.0.0.1:\(port)/feed.xml")
        box.withLockedValue { $0 = feed }
        return feed
    }

    func serve(_ body: String, etag: String, contentType: String = "application/rss+xml") {
        lock.withLock {
            self.body = body
            self.etag = etag
            self.contentType = contentType
        }
    }

    private func respond(to req: Request) -> Response {
        lock.withLock {
            requests += 1
            if let sent = req.headers.first(name: .ifNoneMatch) {
                conditionalRequests += 1
                if sent == etag { return Response(status: .notModified) }
            }
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: contentType)
            headers.replaceOrAdd(name: .eTag, value: etag)
            return Response(status: .ok, headers: headers, body: .init(string: body))
        }
    }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    static func rss(_ items: [(guid: String, title: String, text: String, daysAgo: Int)]) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let entries = items.map { i in
            """
            <item><title>\(i.title)</title><guid isPermaLink="false">\(i.guid)</guid><description>&lt;p&gt;\(i.text)&lt;/p&gt;</description>
            <pubDate>\(formatter.string(from: Date().addingTimeInterval(Double(-i.daysAgo) * 86_400)))</pubDate></item>
            """
        }
        return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Reviews</title>\(entries.joined())</channel></rss>"
    }
}

@Suite("Mentions over the API")
struct MentionAPITests {
    func mentions(_ app: Application, _ account: Account, _ query: String = "") async throws -> [[String: Any]] {
        let r = try await app.api(.GET, "/mentions\(query)", token: account.token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list
    }

    func importFile(_ app: Application, _ account: Account, _ file: String) async throws -> (
        status: HTTPStatus, body: [String: Any], raw: String
    ) {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["file": file]), as: UTF8.self)
        let r = try await app.api(.POST, "/mentions", token: account.token, json: json)
        return (r.status, r.body, r.raw)
    }

    @Test func csvAndJSONImportsAreScoredAttributedAndDeduplicated() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let csv = #"""
                text,brand,url,date,author
                "Late again, and no response for days.
                Really disappointing.",Acme,https://reviews.example/acme/1?utm_source=mail,2026-11-02,Ana
                Always on time and quick to reply,,https://reviews.example/northwind/7,2026-11-03T10:00:00Z,Bo
                "They went above and beyond, ""as usual""",acme,,2026-11-04,Cy

                """#
            let first = try await importFile(app, a, csv)
            #expect(first.status == .ok, "\(first.raw)")
            #expect(first.body["imported"] as? Int == 3 && first.body["duplicates"] as? Int == 0, "\(first.raw)")
            // The same review again, with other tracking parameters and a fragment, plus the same text without a link.
            let again = try await importFile(
                app, a,
                #"""
                text,brand,url,author
                Late again!,Acme,https://REVIEWS.example/acme/1?utm_campaign=x#top,Ana
                "They went above and beyond, ""as usual""",Acme,,Cy
                """#)
            #expect(again.body["imported"] as? Int == 0 && again.body["duplicates"] as? Int == 2, "\(again.raw)")
            let json = try await app.api(
                .POST, "/mentions", token: a.token,
                json:
                    #"{"mentions":[{"text":"The outage lasted six hours and support never called back.","brand":"Northwind","source":"Trustpilot","publishedAt":"2026-11-05T08:00:00Z"},{"text":"The outage lasted six hours and support never called back.","brand":"Northwind"}]}"#
            )
            #expect(json.body["imported"] as? Int == 1 && json.body["duplicates"] as? Int == 1, "repeated within one request: \(json.raw)")

            let acme = try await mentions(app, a, "?brand=ACME")
            #expect(acme.count == 2)
            #expect(
                acme.allSatisfy {
                    $0["partnerOrganizationId"] as? String == b.organizationID.lowercased() && $0["brand"] as? String == "Acme"
                })
            let late = acme.first { ($0["text"] as? String ?? "").hasPrefix("Late again") }
            #expect(late?["text"] as? String == "Late again, and no response for days.\nReally disappointing.", "quoted line break kept")
            #expect((late?["sentiment"] as? Double ?? 0) < -0.3 && late?["label"] as? String == "negative")
            #expect(
                (late?["drivers"] as? [String] ?? []).contains { $0.contains("disappointing") || $0.contains("no response") },
                "\(late ?? [:])")
            #expect(late?["author"] as? String == "Ana" && late?["source"] as? String == "file")
            let own = try await mentions(app, a, "?brand=northwind&order=negative")
            #expect(own.map { $0["brand"] as? String } == ["Northwind", "Northwind"])
            #expect((own.first?["text"] as? String ?? "").contains("outage") && own.first?["source"] as? String == "Trustpilot")
            let negative = try await mentions(app, a, "?label=negative")
            #expect(negative.count == 2 && negative.allSatisfy { ($0["sentiment"] as? Double ?? 0) <= -0.05 })
            // Another organization sees none of it.
            #expect(try await mentions(app, b).isEmpty)
            let brands = try await app.api(.GET, "/mentions/brands", token: a.token)
            #expect(brands.list.map { $0["brand"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["Acme", "Northwind"])
            let acmeSummary = brands.list.first { $0["key"] as? String == "acme" }
            #expect((acmeSummary?["overall"] as? [String: Any])?["n"] as? Int == 2)
            #expect(acmeSummary?["positive"] as? Int == 1 && acmeSummary?["negative"] as? Int == 1)
            #expect(((acmeSummary?["mostNegative"] as? [[String: Any]])?.first?["text"] as? String ?? "").hasPrefix("Late again"))
        }
    }

    /// The mentions page lists 50 a page, newest first, with links to older and newer pages that keep the brand.
    @Test func theMentionsListIsPaged() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let lines = (1...55).map {
                "Review number \($0) was fine,2026-10-\(String(format: "%02d", ($0 % 28) + 1))T\(String(format: "%02d", $0 % 24)):00:00Z"
            }
            let imported = try await importFile(app, a, "text,date\n" + lines.joined(separator: "\n") + "\n")
            #expect(imported.body["imported"] as? Int == 55, "\(imported.raw)")
            let browser = try await Browser.signedIn(app, as: a)
            let first = try await browser.get("/mentions").html
            let rows = { (html: String) in html.components(separatedBy: "<tr>").count - 2 }
            #expect(rows(first) == 50, "one header row, 50 mentions")
            #expect(first.contains(#"<a href="/mentions?page=1">Older →</a>"#) && !first.contains("← Newer"))
            let second = try await browser.get("/mentions?page=1").html
            #expect(rows(second) == 5 && second.contains(#"<a href="/mentions">← Newer</a>"#) && !second.contains("Older →"))
        }
    }

    @Test func badImportsNameTheLineAndChangeNothing() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let badDate = try await importFile(
                app, a, "text,date\n\"Fine,\nreally\",2026-11-01\nGood work,2026-11-02\nLate,last tuesday\n")
            #expect(badDate.status == .unprocessableEntity)
            #expect(badDate.raw.contains("Line 5") && badDate.raw.contains("last tuesday"), "the quoted line break counts: \(badDate.raw)")
            let unclosed = try await importFile(app, a, "text,brand\nFine,Acme\n\"Great service,Acme\nLate,Acme\n")
            #expect(
                unclosed.status == .unprocessableEntity && unclosed.raw.contains("Line 3: a quoted field is never closed"),
                "\(unclosed.raw)")
            let trailing = try await importFile(app, a, "text,brand\n,,\n")
            #expect(
                trailing.status == .unprocessableEntity && trailing.raw.contains("at least one"),
                "rows of commas are blank: \(trailing.raw)")
            let badLimit = try await app.api(.GET, "/mentions?limit=-1", token: a.token)
            #expect(badLimit.status == .unprocessableEntity, "\(badLimit.raw)")
            let noText = try await importFile(app, a, "comment_id,stars\n1,5\n")
            #expect(noText.status == .unprocessableEntity && noText.raw.contains("must name a text column"), "\(noText.raw)")
            let bom = try await importFile(app, a, "\u{FEFF}" + #"[{"text": "Quick to reply."}]"#)
            #expect(bom.status == .ok && bom.body["imported"] as? Int == 1, "a JSON file saved with a byte-order mark: \(bom.raw)")
            try await Mention.query(on: app.db).delete()
            let badJSON = try await importFile(app, a, #"[{"text": 5}]"#)
            #expect(badJSON.status == .unprocessableEntity && badJSON.raw.contains("[0].text"), "\(badJSON.raw)")
            let future = try await app.api(
                .POST, "/mentions", token: a.token,
                json: #"{"mentions":[{"text":"ok"},{"text":"soon","publishedAt":"2099-01-01T00:00:00Z"}]}"#)
            #expect(future.status == .unprocessableEntity && future.raw.contains("mentions[1]") && future.raw.contains("future"))
            let script = try await app.api(
                .POST, "/mentions", token: a.token, json: #"{"mentions":[{"text":"x","url":"javascript:alert(1)"}]}"#)
            #expect(script.status == .unprocessableEntity && script.raw.contains("not an http(s) link"))
            let empty = try await app.api(.POST, "/mentions", token: a.token, json: #"{"mentions":[]}"#)
            #expect(empty.status == .unprocessableEntity)
            #expect(try await Mention.query(on: app.db).count() == 0)
            // Members read mentions but do not import them.
            let m = try await app.register("Max", org: "Elsewhere")
            let user = try #require(try await User.find(UUID(uuidString: m.id), on: app.db))
            user.$organization.id = UUID(uuidString: a.organizationID)!
            user.role = .member
            try await user.save(on: app.db)
            let forbidden = try await app.api(.POST, "/mentions", token: m.token, json: #"{"mentions":[{"text":"great"}]}"#)
            #expect(forbidden.status == .forbidden)
            #expect(try await app.api(.GET, "/mention-feeds", token: m.token).status == .forbidden, "feed addresses are for managers")
            #expect(try await mentions(app, m).isEmpty)
        }
    }

    @Test func aClearWeeklyDropRaisesOneAlertAndNotifiesManagers() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let now = Date()
            let praise = [
                "Always on time, great work.", "Quick to reply and very helpful.", "Excellent delivery, thank you!",
                "Good communication throughout.", "They went above and beyond.", "Reliable and friendly team.",
                "Really pleased with the result.", "Fast, careful and kind.",
            ]
            let baseline = praise.enumerated().map { i, text in
                #"{"text":"\#(text)","publishedAt":"\#(rfc3339(now.addingTimeInterval(-Double(8 + i * 2) * 86_400)))"}"#
            }
            let quiet = try await app.api(.POST, "/mentions", token: a.token, json: #"{"mentions":[\#(baseline.joined(separator: ","))]}"#)
            #expect(quiet.body["imported"] as? Int == 8 && (quiet.body["alerts"] as? [Any])?.isEmpty == true, "\(quiet.raw)")
            let complaints = [
                "The outage lasted all day and nobody answered.", "Terrible: late again and no refund.",
                "Very disappointed, the release broke everything.", "Awful support, still waiting for a reply.",
            ]
            let bad = complaints.map { #"{"text":"\#($0)","publishedAt":"\#(rfc3339(now.addingTimeInterval(-60)))"}"# }
            let drop = try await app.api(.POST, "/mentions", token: a.token, json: #"{"mentions":[\#(bad.joined(separator: ","))]}"#)
            let alerts = drop.body["alerts"] as? [[String: Any]] ?? []
            #expect(alerts.count == 1, "\(drop.raw)")
            #expect(alerts.first?["n"] as? Int == 4 && alerts.first?["baselineN"] as? Int == 8)
            #expect((alerts.first?["mean"] as? Double ?? 0) < -0.4 && (alerts.first?["baselineMean"] as? Double ?? 0) > 0.4)
            #expect((alerts.first?["message"] as? String ?? "").contains("Sentiment about Northwind dropped"))
            let notes = try await app.api(.GET, "/notifications", token: a.token)
            let items = notes.body["items"] as? [[String: Any]] ?? []
            #expect(
                items.contains {
                    ($0["text"] as? String ?? "").contains("dropped") && $0["link"] as? String == "/mentions?brand=northwind"
                }, "\(notes.raw)")
            // One more complaint the same week: still one alert for that week.
            let more = try await app.api(
                .POST, "/mentions", token: a.token, json: #"{"mentions":[{"text":"Missed the deadline again, no apology."}]}"#)
            #expect((more.body["alerts"] as? [Any])?.isEmpty == true)
            #expect(try await app.api(.GET, "/mentions/alerts", token: a.token).list.count == 1)
            let brand = try await app.api(.GET, "/mentions/brands", token: a.token).list.first
            let weeks = brand?["weeks"] as? [[String: Any]] ?? []
            #expect(weeks.count == 12 && weeks.last?["change"] as? String == "down" && weeks.last?["n"] as? Int == 5)
            #expect((brand?["alerts"] as? [Any])?.count == 1)
            #expect(((brand?["mostPositive"] as? [[String: Any]])?.count ?? 0) == 3)
        }
    }

    @Test func aFewBadMentionsInAQuietWeekAreNotADrop() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let now = Date()
            let texts = ["Good work.", "Late, but fine.", "Okay.", "Great team!", "Slow this time.", "Helpful as ever."]
            let mixed = texts.enumerated().map { i, t in
                #"{"text":"\#(t)","publishedAt":"\#(rfc3339(now.addingTimeInterval(-Double(8 + i * 3) * 86_400)))"}"#
            }
            _ = try await app.api(.POST, "/mentions", token: a.token, json: #"{"mentions":[\#(mixed.joined(separator: ","))]}"#)
            let two = try await app.api(
                .POST, "/mentions", token: a.token,
                json:
                    #"{"mentions":[{"text":"Late delivery.","publishedAt":"\#(rfc3339(now.addingTimeInterval(-60)))"},{"text":"Not great.","publishedAt":"\#(rfc3339(now.addingTimeInterval(-120)))"}]}"#
            )
            #expect((two.body["alerts"] as? [Any])?.isEmpty == true, "two mentions are too few to call a drop: \(two.raw)")
        }
    }

    @Test func feedsArePolledOverHTTPWithETagsKeywordsAndNoDuplicates() async throws {
        let feed = try await LocalFeed.start()
        do {
            try await withTestApp({ $0.allowPrivateFeedAddresses = true }) { app in
                let (a, b, _) = try await app.activePartnership()
                feed.serve(
                    LocalFeed.rss([
                        ("r1", "Acme shipped late", "Acme missed the deadline by two weeks.", 3),
                        ("r2", "Acme support", "Acme&amp;#39;s team was quick to reply and helpful.", 2),
                        ("r3", "Unrelated", "A post about gardening.", 1),
                    ]), etag: "\"v1\"")
                let added = try await app.api(
                    .POST, "/mention-feeds", token: a.token, json: #"{"url":"\#(feed.url)","brand":"acme","keywords":["Acme"]}"#)
                #expect(added.status == .created, "\(added.raw)")
                #expect(
                    added.body["brand"] as? String == "Acme"
                        && added.body["partnerOrganizationId"] as? String == b.organizationID.lowercased())
                let fid = added.body["id"] as? String ?? ""
                let duplicate = try await app.api(.POST, "/mention-feeds", token: a.token, json: #"{"url":"\#(feed.url)"}"#)
                #expect(duplicate.status == .conflict)

                let first = try await app.api(.POST, "/mention-feeds/\(fid)/poll", token: a.token)
                #expect(first.status == .ok, "\(first.raw)")
                #expect(
                    first.body["imported"] as? Int == 2 && first.body["filtered"] as? Int == 1 && first.body["failed"] as? Bool == false,
                    "\(first.raw)")
                let acme = try await mentions(app, a, "?brand=acme")
                #expect(Set(acme.map { $0["title"] as? String ?? "" }) == ["Acme shipped late", "Acme support"])
                #expect(acme.allSatisfy { $0["source"] as? String == "127.0.0.1" })
                #expect(
                    acme.contains {
                        $0["text"] as? String == "Acme's team was quick to reply and helpful." && $0["label"] as? String == "positive"
                    })

                let second = try await app.api(.POST, "/mention-feeds/\(fid)/poll", token: a.token)
                #expect(
                    second.body["imported"] as? Int == 0 && (second.body["status"] as? String ?? "").contains("not modified"),
                    "\(second.raw)")
                #expect(feed.conditionalRequests == 1, "the second poll sent the ETag back")

                feed.serve(
                    LocalFeed.rss([
                        ("r4", "Acme outage", "Acme was down all morning.", 0),
                        ("r1", "Acme shipped late (edited)", "Acme missed the deadline by two weeks.", 3),
                        ("r2", "Acme support", "Acme's team was quick to reply and helpful.", 2),
                    ]), etag: "\"v2\"")
                let third = try await app.api(.POST, "/mention-feeds/\(fid)/poll", token: a.token)
                #expect(
                    third.body["imported"] as? Int == 1 && third.body["duplicates"] as? Int == 2,
                    "feed items are known by guid: \(third.raw)")
                #expect(try await mentions(app, a, "?brand=acme").count == 3)

                let listed = try await app.api(.GET, "/mention-feeds", token: a.token)
                #expect((listed.list.first?["lastStatus"] as? String ?? "").hasPrefix("1 new, 2 already known"), "\(listed.raw)")
                #expect(listed.list.first?["keywords"] as? [String] == ["Acme"])

                // Someone else's feed does not exist for them.
                #expect(try await app.api(.POST, "/mention-feeds/\(fid)/poll", token: b.token).status == .notFound)
                #expect(try await app.api(.DELETE, "/mention-feeds/\(fid)", token: b.token).status == .notFound)
                #expect(try await app.api(.GET, "/mention-feeds", token: b.token).list.isEmpty)

                // The scheduler's pass polls what is due: nothing right after a poll, the feed once it is due.
                let fetcher = app.feedFetcher
                #expect(try await MentionFeeds.pollDue(every: 3_600, with: fetcher, on: app.db, logger: app.logger) == 0)
                #expect(
                    try await MentionFeeds.pollDue(
                        every: 3_600, with: fetcher, at: Date().addingTimeInterval(3_700), on: app.db, logger: app.logger)
                        == 1)

                #expect(try await app.api(.DELETE, "/mention-feeds/\(fid)", token: a.token).status == .noContent)
                #expect(try await app.api(.GET, "/mention-feeds", token: a.token).list.isEmpty)
                #expect(try await mentions(app, a, "?brand=acme").count == 3, "mentions stay after unfollowing")
            }
        } catch {
            await feed.stop()
            throw error
        }
        await feed.stop()
    }

    @Test func unreadableFeedsAndInternalAddressesAreReportedNotFatal() async throws {
        let feed = try await LocalFeed.start()
        do {
            try await withTestApp { app in
                let a = try await app.register("Alice", org: "Northwind")
                // By default a feed may not point into the server's own network.
                let local = try await app.api(.POST, "/mention-feeds", token: a.token, json: #"{"url":"\#(feed.url)"}"#)
                let lid = local.body["id"] as? String ?? ""
                let refused = try await app.api(.POST, "/mention-feeds/\(lid)/poll", token: a.token)
                #expect(refused.status == .ok && refused.body["failed"] as? Bool == true)
                #expect((refused.body["status"] as? String ?? "").contains("internal address"), "\(refused.raw)")
                #expect(feed.requests == 0, "nothing was fetched")
                let bad = try await app.api(.POST, "/mention-feeds", token: a.token, json: #"{"url":"file:///etc/passwd"}"#)
                #expect(bad.status == .unprocessableEntity)
            }
            try await withTestApp({ $0.allowPrivateFeedAddresses = true }) { app in
                let a = try await app.register("Alice", org: "Northwind")
                feed.serve("<html><body>Not a feed</body></html>", etag: "\"h\"", contentType: "text/html")
                let added = try await app.api(.POST, "/mention-feeds", token: a.token, json: #"{"url":"\#(feed.url)"}"#)
                let polled = try await app.api(.POST, "/mention-feeds/\(added.body["id"] as? String ?? "")/poll", token: a.token)
                #expect(
                    polled.body["failed"] as? Bool == true && (polled.body["status"] as? String ?? "").contains("not a feed"),
                    "\(polled.raw)")
                #expect(try await Mention.query(on: app.db).count() == 0)
                let dead = try await app.api(.POST, "/mention-feeds", token: a.token, json: #"{"url":"http://127.0.0.1:9/feed.xml"}"#)
                let refused = try await app.api(.POST, "/mention-feeds/\(dead.body["id"] as? String ?? "")/poll", token: a.token)
                #expect(refused.body["status"] as? String == "Could not reach 127.0.0.1: the connection was refused.", "\(refused.raw)")
            }
        } catch {
            await feed.stop()
            throw error
        }
        await feed.stop()
        for address in [
            "::10.0.0.5", "64:ff9b::10.0.0.5", "64:ff9b::a00:5", "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254",
            "::1", "fd00::1", "fe80::1%eth0", "::ffff:127.0.0.1",
            "100.64.0.1", "0.0.0.0",
        ] {
            #expect(FeedFetcher.isInternal(address), "\(address)")
        }
        for address in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            #expect(!FeedFetcher.isInternal(address), "\(address)")
        }
    }
}
