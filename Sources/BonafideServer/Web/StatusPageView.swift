import BonafideCore
import Foundation
import Vapor

/// The public face of `StatusPages.Page`: a pure view, plus what the viewer may do (follow by mail, the feed).
struct StatusPageView: Sendable {
    var page: StatusPages.Page
    var signedIn: Bool
    /// The feed address for this reader (with a token when the page is restricted).
    var feedURL: String

    func render(csrf: String, clock: Clock) -> HTML {
        func entry(_ e: StatusPages.Entry) -> HTML {
            let updates = HTML.join(
                e.updates.reversed().map {
                    HTML("<li><span class=\"small muted\">\(clock.format($0.at, "d MMM yyyy, HH:mm"))</span> \($0.text)</li>")
                })
            let account: HTML =
                e.rootCause.map {
                    "<p><strong>Root cause:</strong> \($0)</p><p><strong>What changes:</strong> \(e.improvementPlan ?? "")</p>"
                } ?? ""
            let state: String =
                switch e.status {
                case .open: "investigating"
                case .acknowledged: "acknowledged, being fixed"
                case .resolved: "resolved"
                case .closed: "closed"
                case .withdrawn: "withdrawn"
                }
            return """
                <article class="card" id="incident-\(e.id.uuidString.lowercased())"><h3>\(e.title)</h3>
                <p><span class="badge">\(e.severity.rawValue)</span> <span class="badge">\(state)</span> <span class="small muted">since \(clock.format(e.startedAt, "d MMM yyyy, HH:mm"))\(e.disclosed ? " · disclosed by \(page.organizationName)" : "")</span></p>
                \(account)<ul class="timeline">\(updates)</ul></article>
                """
        }
        let follow: HTML =
            signedIn
            ? "<form method=\"post\" action=\"\(SiteURL.status(page.organizationID))/\(page.subscribed ? "unsubscribe" : "subscribe")\">\(csrfField(csrf))<button class=\"secondary\">\(page.subscribed ? "Stop the mails" : "Follow by mail")</button></form>"
            : ""
        return """
            <h1>\(page.organizationName) status</h1>
            <p id="status-summary">\(page.open.isEmpty ? HTML("<strong>No open incidents.</strong>") : HTML("<strong class=\"risk\">\(page.open.count) open incident\(page.open.count == 1 ? "" : "s")</strong>"))</p>
            <p class="small muted">Incidents \(page.organizationName) disclosed or published an account of, with its own updates. <a href="\(feedURL)">Atom feed</a></p>
            \(follow)
            <h2>Open</h2>\(page.open.isEmpty ? HTML("<p class=\"muted\">Nothing open.</p>") : HTML.join(page.open.map(entry)))
            <h2>Last 90 days</h2>\(page.past.isEmpty ? HTML("<p class=\"muted\">Nothing in the last 90 days.</p>") : HTML.join(page.past.map(entry)))
            """
    }
}
