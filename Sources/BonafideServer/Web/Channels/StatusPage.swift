import BonafideCore
import Fluent
import Foundation

/// An organization's status page as a reader sees it: open incidents and those of the last 90 days with the updates
/// the organization posted, a feed address for this reader, and following by mail for whoever is signed in.
struct StatusPage: Sendable {
    struct Update: Sendable {
        var at: String
        var text: String
    }

    struct Entry: Sendable {
        var id: UUID
        var title: String
        var severity: String
        /// The incident's status in a reader's words ("acknowledged, being fixed").
        var state: String
        var since: String
        var disclosed: Bool
        var rootCause: String?
        var improvementPlan: String?
        /// Newest first.
        var updates: [Update]
    }

    var organizationID: UUID
    var organizationName: String
    var open: [Entry]
    var past: [Entry]
    /// The feed address for this reader: a restricted page's carries a token naming them, since a feed reader cannot
    /// sign in.
    var feedURL: String
    var signedIn: Bool
    var subscribed: Bool
    var csrf: String

    static func load(of organizationID: UUID?, viewer: Actor?, feedKey: [UInt8], csrf: String, on db: any Database) async throws -> Self {
        let page = try await StatusPages.page(of: organizationID, viewer: viewer, on: db)
        let clock = Clock(viewer?.user.timeZone)
        let token = viewer.flatMap { viewer in
            page.visibility == .public ? nil : StatusPages.feedToken(page: page.organizationID, user: viewer.id, key: feedKey)
        }
        let feedURL = SiteURL.statusFeed(page.organizationID, token: token)
        func entry(_ e: StatusPages.Entry) -> Entry {
            Entry(
                id: e.id, title: e.title, severity: e.severity.rawValue, state: state(e.status),
                since: clock.format(e.startedAt, "d MMM yyyy, HH:mm"), disclosed: e.disclosed, rootCause: e.rootCause,
                improvementPlan: e.improvementPlan,
                updates: e.updates.reversed().map { Update(at: clock.format($0.at, "d MMM yyyy, HH:mm"), text: $0.text) })
        }
        return Self(
            organizationID: page.organizationID, organizationName: page.organizationName, open: page.open.map(entry),
            past: page.past.map(entry), feedURL: feedURL, signedIn: viewer != nil, subscribed: page.subscribed, csrf: csrf)
    }

    static func state(_ status: IncidentStatus) -> String {
        switch status {
        case .open: "investigating"
        case .acknowledged: "acknowledged, being fixed"
        case .resolved: "resolved"
        case .closed: "closed"
        case .withdrawn: "withdrawn"
        }
    }

    func render() -> HTML {
        let follow: HTML =
            signedIn
            ? "<form method=\"post\" action=\"\(subscribed ? SiteURL.statusUnsubscribe(organizationID) : SiteURL.statusSubscribe(organizationID))\">\(csrfField(csrf))<button class=\"secondary\">\(subscribed ? "Stop the mails" : "Follow by mail")</button></form>"
            : ""
        return """
            <h1>\(organizationName) status</h1>
            <p id="status-summary">\(open.isEmpty ? HTML("<strong>No open incidents.</strong>") : HTML("<strong class=\"risk\">\(open.count) open incident\(open.count == 1 ? "" : "s")</strong>"))</p>
            <p class="small muted">Incidents \(organizationName) disclosed or published an account of, with its own updates. <a href="\(feedURL)">Atom feed</a></p>
            \(follow)
            <h2>Open</h2>\(open.isEmpty ? HTML("<p class=\"muted\">Nothing open.</p>") : HTML.join(open.map(renderEntry)))
            <h2>Last 90 days</h2>\(past.isEmpty ? HTML("<p class=\"muted\">Nothing in the last 90 days.</p>") : HTML.join(past.map(renderEntry)))
            """
    }

    private func renderEntry(_ e: Entry) -> HTML {
        let updates = HTML.join(e.updates.map { HTML("<li><span class=\"small muted\">\($0.at)</span> \($0.text)</li>") })
        let account: HTML =
            e.rootCause.map {
                "<p><strong>Root cause:</strong> \($0)</p><p><strong>What changes:</strong> \(e.improvementPlan ?? "")</p>"
            } ?? ""
        return """
            <article class="card" id="incident-\(e.id.apiString)"><h3>\(e.title)</h3>
            <p><span class="badge">\(e.severity)</span> <span class="badge">\(e.state)</span> <span class="small muted">since \(e.since)\(e.disclosed ? " · disclosed by \(organizationName)" : "")</span></p>
            \(account)<ul class="timeline">\(updates)</ul></article>
            """
    }
}
