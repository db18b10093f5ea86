import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func mentions(_ req: Request) async throws -> HTML {
        let actor = try req.requireActor()
        let db = req.db
        let selected = (try? req.query.get(String.self, at: "brand")).map(BrandDirectory.key).flatMap { $0.isEmpty ? nil : $0 }
        let brands = try await Mentions.brands(for: actor.organizationID, on: db)
        let shown = selected.map { key in brands.filter { $0.key == key } } ?? brands
        let clock = Clock(actor.user.timeZone)
        let recentAlerts = try await Mentions.alerts(for: actor.organizationID, limit: 5, on: db)
        let alerts: HTML =
            recentAlerts.isEmpty
            ? ""
            : """
            <section class="card" id="mention-alerts"><h2>Alerts</h2><ul>\(HTML.join(recentAlerts.map { HTML("<li class=\"risk\">\(Mentions.describe($0))</li>") }))</ul></section>
            """
        let cards = HTML.join(
            shown.map { b in brandCard(b, clock: clock) })
        // Newest first, 50 a page; one more is read to know whether there is an older page.
        let pageIndex = min(max(req.query[Int.self, at: "page"] ?? 0, 0), 10_000)
        let fetched = try await Mentions.list(
            for: actor.organizationID, brandKey: selected, limit: mentionsPageSize + 1, offset: pageIndex * mentionsPageSize, on: db)
        let list = Array(fetched.prefix(mentionsPageSize))
        let rows = HTML.join(list.map { mentionRow($0, clock: clock) })
        let pager = Pager.byTime(
            newer: pageIndex > 0 ? SiteURL.mentions(brand: selected, page: pageIndex - 1) : nil,
            older: fetched.count > mentionsPageSize ? SiteURL.mentions(brand: selected, page: pageIndex + 1) : nil
        ).render()
        let filter: HTML =
            brands.count > 1
            ? HTML(
                "<p class=\"small\">Show: <a href=\"\(SiteURL.mentions())\">all brands</a>\(HTML.join(brands.map { HTML(" · <a href=\"\(SiteURL.mentions(brand: $0.key))\">\($0.brand)</a>") }))</p>"
            ) : ""
        let recent: HTML =
            list.isEmpty
            ? "<p class=\"muted\">No mentions yet. Import a file or follow a feed below.</p>"
            : "<table id=\"mention-list\"><thead><tr><th>When</th><th>Brand</th><th>Mention</th><th>Sentiment</th></tr></thead><tbody>\(rows)</tbody></table>\(pager)"
        var manage: HTML = ""
        if Policy.canManage(actor) {
            let feeds = try await MentionFeeds.list(for: actor.organizationID, on: db)
            let feedRows = HTML.join(
                feeds.map { f in
                    return """
                        <tr><td><a href="\(f.url)" rel="noopener noreferrer">\(f.url)</a><div class="small muted">\(f.keywords.isEmpty ? "every item" : "items with: \(f.keywords)")</div></td><td>\(f.brand)</td>
                        <td class="small feed-status">\(f.lastPolledAt.map { clock.format($0) + ": " } ?? "")\(f.lastStatus)</td>
                        <td><form method="post" action="\(SiteURL.feedPoll(f.id))" class="inline">\(csrf(req))<button class="secondary">Poll now</button></form>
                        <form method="post" action="\(SiteURL.feedRemove(f.id))" class="inline">\(csrf(req))<button class="link">Stop following</button></form></td></tr>
                        """
                })
            let every = req.application.bonafide.feedPollSeconds
            manage = """
                <section class="card"><h2>Feeds</h2><p class="small muted">RSS and Atom feeds are read every \(every >= 120 ? "\(every / 60) minutes" : "\(every) seconds"); an item seen before is not counted twice.</p>
                \(feeds.isEmpty ? HTML("<p class=\"muted\">No feeds yet.</p>") : HTML("<table id=\"feed-list\"><thead><tr><th>Feed</th><th>Brand</th><th>Last poll</th><th></th></tr></thead><tbody>\(feedRows)</tbody></table>"))
                <h3>Follow a feed</h3><form method="post" action="\(SiteURL.feeds())">\(csrf(req))
                <label for="feed-url">Feed address (RSS or Atom)</label><input id="feed-url" name="url" type="url" required maxlength="2000" placeholder="https://reviews.example.com/northwind.rss">
                <label for="feed-brand">About (your organization if empty, or a partner's name)</label><input id="feed-brand" name="brand" maxlength="100" list="brand-names">
                <label for="feed-keywords">Keep only items containing (optional, comma-separated)</label><input id="feed-keywords" name="keywords" maxlength="1200">
                <button>Follow feed</button></form></section>
                <section class="card"><h2>Import mentions</h2><form method="post" action="\(SiteURL.mentionsImport())" enctype="multipart/form-data">\(csrf(req))
                <label for="mention-file">A CSV file (header row naming <code>text</code>, optionally <code>title, url, author, brand, source, date</code>) or a JSON array of mentions</label>
                <input id="mention-file" name="file" type="file" accept=".csv,.json,text/csv,application/json">
                <label for="mention-text">Or paste the file's contents</label><textarea id="mention-text" name="text" rows="4" placeholder="text,brand,date&#10;&quot;Quick to reply and always on time&quot;,Northwind,2026-11-02"></textarea>
                <button>Import</button></form>
                <datalist id="brand-names">\(HTML.join(brands.map { HTML("<option value=\"\($0.brand)\">") }))</datalist></section>
                """
        }
        return try await page(
            req, "Mentions",
            """
            <h1>Mentions</h1><p class="muted">What people say about you and your partners, scored by Bonafide's sentiment analyser (−1 to +1).</p>
            \(alerts)\(filter)\(cards)<section class="card"><h2>\(selected == nil ? "Latest mentions" : "Latest mentions of this brand")</h2>\(recent)</section>\(manage)
            """)
    }

    static let mentionsPageSize = 50

    static func brandCard(_ b: Mentions.BrandSummary, clock: Clock) -> HTML {
        func mean(_ e: MeanEstimate) -> String {
            guard let m = e.mean else { return "–" }
            let interval = e.interval.map { String(format: " (95%% interval %+.2f to %+.2f)", $0.lowerBound, $0.upperBound) } ?? ""
            return String(format: "%+.2f", m) + interval
        }
        let month: HTML =
            switch b.monthChange {
            case .down: "<span class=\"risk\">lower than the 30 days before</span>"
            case .up: "<span class=\"badge\">higher than the 30 days before</span>"
            case .noClearChange: "<span class=\"muted\">no clear change from the 30 days before</span>"
            case .notEnoughData: "<span class=\"muted\">too few mentions to compare with the 30 days before</span>"
            }
        let points = b.weeks.compactMap { w -> IntervalChart.Point? in
            guard let m = w.estimate.mean else { return nil }
            let interval = w.estimate.interval ?? m...m
            return IntervalChart.Point(
                period: clock.format(w.start, "d MMM"), value: m, interval: interval, change: w.change,
                title: String(
                    format: "Week of %@: %+.2f over %d, %@", w.start.formatted(.iso8601.year().month().day()), m, w.estimate.n,
                    w.change.rawValue))
        }
        let elementID = b.key.replacingOccurrences(of: " ", with: "-")
        func withDrivers(_ m: Mention) -> String { m.drivers.isEmpty ? "" : " · " + StoredDrivers.quoted(m.drivers) }
        func extremes(_ list: [Mention], _ title: String, _ id: String) -> HTML {
            list.isEmpty
                ? ""
                : "<h3>\(title)</h3><ul id=\"\(id)\">\(HTML.join(list.map { HTML("<li>\(mentionText($0)) <span class=\"small muted\">\(String(format: "%+.2f", $0.sentiment))\(withDrivers($0))</span></li>") }))</ul>"
        }
        return """
            <section class="card brand-sentiment" data-brand="\(b.key)"><h2>\(b.brand)\(b.partnerID != nil ? HTML(" <span class=\"badge\">partner</span>") : "")</h2>
            <p><strong class="trust-figure">\(b.overall.mean.map { String(format: "%+.2f", $0) } ?? "–")</strong> mean sentiment over \(b.overall.n) mention\(b.overall.n == 1 ? "" : "s") · \(b.positive) positive, \(b.neutral) neutral, \(b.negative) negative</p>
            <p class="small">Last 30 days: \(mean(b.lastMonth)) over \(b.lastMonth.n) · \(month)</p>
            \(IntervalChart(label: "Mean sentiment of \(b.brand) by week with 95% intervals", points: points, range: -1...1, reference: 0, valueText: { String(format: "%+.1f", $0) }).render())
            \(points.count >= 2 ? HTML("<p class=\"small muted\">By week (UTC, Monday first); a red point fell clearly below the four weeks before.</p>") : "")
            \(extremes(b.mostPositive, "Most positive", "most-positive-\(elementID)"))\(extremes(b.mostNegative, "Most negative", "most-negative-\(elementID)"))
            </section>
            """
    }

    static func mentionText(_ m: Mention) -> HTML {
        let text = m.title.isEmpty ? m.text : m.text.isEmpty ? m.title : "\(m.title): \(m.text)"
        let short = text.count > 280 ? String(text.prefix(280)) + "…" : text
        return m.url.isEmpty ? "“\(short)”" : "<a href=\"\(m.url)\" rel=\"noopener noreferrer nofollow\">“\(short)”</a>"
    }

    static func mentionRow(_ m: Mention, clock: Clock) -> HTML {
        let label = Sentiment.label(for: m.sentiment)
        return """
            <tr><td class="small">\(clock.format(m.publishedAt))<div class="muted">\(m.source)\(m.author.isEmpty ? "" : " · \(m.author)")</div></td><td>\(m.brand)</td>
            <td>\(mentionText(m))</td><td class="\(label == .negative ? "risk" : "")">\(String(format: "%+.2f", m.sentiment)) \(label.rawValue)<div class="small muted">\(StoredDrivers.quoted(m.drivers))</div></td></tr>
            """
    }

    static func importMentions(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentions()) {
            try Policy.manageOrganization(actor)
            var text = field(req, "text")
            if let file = try? req.content.get(File.self, at: "file"), file.data.readableBytes > 0 {
                text = String(buffer: file.data)
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Problem.invalid("file", "Choose a CSV or JSON file, or paste its contents.")
            }
            let upload = text
            let inputs = try await Offload.cpu { try Mentions.parseFile(upload) }
            let r = try await Mentions.importMentions(inputs, source: "file", into: actor.organizationID, on: req.db)
            req.flash(
                "Imported \(r.imported) mention\(r.imported == 1 ? "" : "s"); \(r.duplicates) already known."
                    + (r.alerts.isEmpty ? "" : " " + r.alerts.map(Mentions.describe).joined(separator: " ")))
            return SiteURL.mentions()
        }
    }

    static func addFeed(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentions()) {
            _ = try await MentionFeeds.add(
                .init(url: field(req, "url"), brand: field(req, "brand"), keywords: field(req, "keywords")), by: actor, on: req.db)
            req.flash("Following the feed; it is read within a minute, or now with “Poll now”.")
            return SiteURL.mentions()
        }
    }

    static func pollFeed(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentions()) {
            try Policy.manageOrganization(actor)
            let feed = try await MentionFeeds.feed(uuid(req, "fid"), for: actor, on: req.db)
            let r = try await MentionFeeds.poll(feed, with: req.application.feedFetcher, on: req.db)
            req.flash(r.failed ? "The feed could not be read: \(r.status)" : "Polled: \(r.status).", error: r.failed)
            return SiteURL.mentions()
        }
    }

    static func removeFeed(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.mentions()) {
            let feed = try await MentionFeeds.feed(uuid(req, "fid"), for: actor, on: req.db)
            try await MentionFeeds.remove(feed, by: actor, on: req.db)
            req.flash("No longer following \(feed.url); its mentions stay.")
            return SiteURL.mentions()
        }
    }
}
