import BonafideCore
import Fluent
import Foundation

/// What people say about the organization and its partners: recent alerts, a card per brand, the latest mentions
/// newest first a page at a time, and for owners and admins the feeds followed and the import form.
struct MentionsPage: Sendable {
    struct Brand: Sendable {
        var name: String
        var key: String
    }

    struct Row: Sendable {
        var when: String
        var source: String
        var author: String
        var brand: String
        var quote: MentionQuote
        var score: String
        var label: Sentiment.Label
        var drivers: String
    }

    struct Feed: Sendable {
        var id: UUID?
        var url: String
        var brand: String
        var keywords: String
        var lastPolled: String?
        var lastStatus: String
    }

    /// What only owners and admins see: the feeds and the ways to bring mentions in.
    struct Manage: Sendable {
        var feeds: [Feed]
        /// How often feeds are read, in words ("15 minutes").
        var pollInterval: String
    }

    static let pageSize = 50

    var alerts: [String]
    /// Every brand with mentions, for the filter and the feed form's suggestions.
    var brands: [Brand]
    /// The cards of the brands shown: all, or the one chosen.
    var cards: [BrandCard]
    /// The key of the brand chosen; nil for all brands.
    var selected: String?
    var rows: [Row]
    var page: Int
    var hasMore: Bool
    var manage: Manage?
    var csrf: String

    static func load(
        for actor: Actor, brand: String?, page: Int, feedPollSeconds: Int, csrf: String, on db: any Database
    ) async throws -> Self {
        let selected = brand.map(BrandDirectory.key).flatMap { $0.isEmpty ? nil : $0 }
        let page = min(max(page, 0), 10_000)
        let organization = actor.organizationID
        let brands = try await Mentions.brands(for: organization, on: db)
        let shown = selected.map { key in brands.filter { $0.key == key } } ?? brands
        let clock = Clock(actor.user.timeZone)
        let alerts = try await Mentions.alerts(for: organization, limit: 5, on: db)
        // One more than shown tells whether an older page exists.
        let fetched = try await Mentions.list(
            for: organization, brandKey: selected, limit: pageSize + 1, offset: page * pageSize, on: db)
        var manage: Manage?
        if Policy.canManage(actor) {
            let feeds = try await MentionFeeds.list(for: organization, on: db)
            manage = Manage(
                feeds: feeds.map { f in
                    Feed(
                        id: f.id, url: f.url, brand: f.brand, keywords: f.keywords, lastPolled: f.lastPolledAt.map { clock.format($0) },
                        lastStatus: f.lastStatus)
                },
                pollInterval: feedPollSeconds >= 120 ? "\(feedPollSeconds / 60) minutes" : "\(feedPollSeconds) seconds")
        }
        return Self(
            alerts: alerts.map { Mentions.describe($0) }, brands: brands.map { Brand(name: $0.brand, key: $0.key) },
            cards: shown.map { BrandCard($0, clock: clock) }, selected: selected,
            rows: fetched.prefix(pageSize).map { m in
                Row(
                    when: clock.format(m.publishedAt), source: m.source, author: m.author, brand: m.brand, quote: MentionQuote(m),
                    score: String(format: "%+.2f", m.sentiment), label: Sentiment.label(for: m.sentiment),
                    drivers: StoredDrivers.quoted(m.drivers))
            }, page: page, hasMore: fetched.count > pageSize, manage: manage, csrf: csrf)
    }

    func render() -> HTML {
        let alertList: HTML =
            alerts.isEmpty
            ? ""
            : """
            <section class="card" id="mention-alerts"><h2>Alerts</h2><ul>\(HTML.join(alerts.map { HTML("<li class=\"risk\">\($0)</li>") }))</ul></section>
            """
        let filter: HTML =
            brands.count > 1
            ? HTML(
                "<p class=\"small\">Show: <a href=\"\(SiteURL.mentions())\">all brands</a>\(HTML.join(brands.map { HTML(" · <a href=\"\(SiteURL.mentions(brand: $0.key))\">\($0.name)</a>") }))</p>"
            ) : ""
        let pager = Pager.byTime(
            newer: page > 0 ? SiteURL.mentions(brand: selected, page: page - 1) : nil,
            older: hasMore ? SiteURL.mentions(brand: selected, page: page + 1) : nil
        ).render()
        let recent: HTML =
            rows.isEmpty
            ? EmptyState(
                icon: .mention, title: "No mentions yet.",
                text: "Reviews, posts and articles about you and your partners, scored for tone: import a file or follow a feed.",
                action: manage == nil ? nil : ("Follow a feed or import mentions", SiteURL.mentionFeeds)
            ).render()
            : "<table id=\"mention-list\"><thead><tr><th>When</th><th>Brand</th><th>Mention</th><th>Sentiment</th></tr></thead><tbody>\(HTML.join(rows.map(renderRow)))</tbody></table>\(pager)"
        // A brand's page runs to several phone screens of charts and mentions: one part at a time there.
        let tabs = PageTabs(parts: [
            .init(
                anchor: "mention-brands", title: "Brands",
                content: "<div id=\"mention-brands\">\(alertList)\(filter)\(HTML.join(cards.map { $0.render() }))</div>"),
            .init(
                anchor: "mention-latest", title: "Latest mentions",
                content:
                    "<section class=\"card\" id=\"mention-latest\"><h2>\(selected == nil ? "Latest mentions" : "Latest mentions of this brand")</h2>\(recent)</section>"
            ),
            .init(anchor: "mention-feeds", title: "Feeds and import", content: manage.map(renderManage) ?? ""),
        ])
        return """
            <h1>Mentions</h1><p class="muted">What people say about you and your partners, scored by Bonafide's sentiment analyser (−1 to +1).</p>
            \(tabs.nav)
            \(tabs.panels)
            """
    }

    private func renderRow(_ r: Row) -> HTML {
        """
        <tr><td class="small">\(r.when)<div class="muted">\(r.source)\(r.author.isEmpty ? "" : " · \(r.author)")</div></td><td>\(r.brand)</td>
        <td>\(r.quote.render())</td><td class="\(r.label == .negative ? "risk" : "")">\(r.score) \(r.label.rawValue)<div class="small muted">\(r.drivers)</div></td></tr>
        """
    }

    private func renderManage(_ manage: Manage) -> HTML {
        let feedRows = HTML.join(
            manage.feeds.map { f in
                return """
                    <tr><td><a href="\(f.url)" rel="noopener noreferrer">\(f.url)</a><div class="small muted">\(f.keywords.isEmpty ? "every item" : "items with: \(f.keywords)")</div></td><td>\(f.brand)</td>
                    <td class="small feed-status">\(f.lastPolled.map { $0 + ": " } ?? "")\(f.lastStatus)</td>
                    <td><form method="post" action="\(SiteURL.feedPoll(f.id))" class="inline">\(csrfField(csrf))<button class="secondary">Poll now</button></form>
                    <form method="post" action="\(SiteURL.feedRemove(f.id))" class="inline">\(csrfField(csrf))<button class="link">Stop following</button></form></td></tr>
                    """
            })
        return """
            <section class="card" id="mention-feeds"><h2>Feeds</h2><p class="small muted">RSS and Atom feeds are read every \(manage.pollInterval); an item seen before is not counted twice.</p>
            \(manage.feeds.isEmpty ? HTML("<p class=\"muted\">No feeds yet.</p>") : HTML("<table id=\"feed-list\"><thead><tr><th>Feed</th><th>Brand</th><th>Last poll</th><th></th></tr></thead><tbody>\(feedRows)</tbody></table>"))
            <h3>Follow a feed</h3><form method="post" action="\(SiteURL.feeds())">\(csrfField(csrf))
            <label for="feed-url">Feed address (RSS or Atom)</label><input id="feed-url" name="url" type="url" required maxlength="2000" placeholder="https://reviews.example.com/northwind.rss">
            <label for="feed-brand">About (your organization if empty, or a partner's name)</label><input id="feed-brand" name="brand" maxlength="100" list="brand-names">
            <label for="feed-keywords">Keep only items containing (optional, comma-separated)</label><input id="feed-keywords" name="keywords" maxlength="1200">
            <button>Follow feed</button></form></section>
            <section class="card"><h2>Import mentions</h2><form method="post" action="\(SiteURL.mentionsImport())" enctype="multipart/form-data">\(csrfField(csrf))
            <label for="mention-file">A CSV file (header row naming <code>text</code>, optionally <code>title, url, author, brand, source, date</code>) or a JSON array of mentions</label>
            <input id="mention-file" name="file" type="file" accept=".csv,.json,text/csv,application/json">
            <label for="mention-text">Or paste the file's contents</label><textarea id="mention-text" name="text" rows="4" placeholder="text,brand,date&#10;&quot;Quick to reply and always on time&quot;,Northwind,2026-11-02"></textarea>
            <button class="secondary">Import</button></form>
            <datalist id="brand-names">\(HTML.join(brands.map { HTML("<option value=\"\($0.name)\">") }))</datalist></section>
            """
    }
}
