import Foundation
import Vapor

/// The Webhooks card of the organization page, for owners and admins: endpoints, their latest deliveries with what
/// the endpoint answered, and the actions on them. Loaded through the service; `render` is a pure view.
struct WebhooksCard: Sendable {
    struct Endpoint: Sendable {
        var id: UUID
        var url: String
        var events: [String]
        var format: String
        var disabledReason: String?
        var enabled: Bool
        var deliveries: [Delivery]
    }
    struct Delivery: Sendable {
        var id: UUID
        var eventType: String
        var status: WebhookDeliveryStatus
        var attempts: Int
        var createdAt: Date
        var nextAttemptAt: Date?
        var lastStatusCode: Int?
        var lastError: String?
    }

    var endpoints: [Endpoint]
    /// The secret of the endpoint just added, shown once.
    var newSecret: String?

    static func load(_ req: Request, for actor: Actor) async throws -> WebhooksCard {
        let hooks = try await Webhooks.list(for: actor, on: req.db)
        var endpoints: [Endpoint] = []
        for hook in hooks {
            let deliveries = try await Webhooks.deliveries(of: hook, limit: 10, on: req.db)
            endpoints.append(
                .init(
                    id: hook.id!, url: hook.url, events: hook.events, format: hook.format, disabledReason: hook.disabledReason,
                    enabled: hook.disabledAt == nil,
                    deliveries: deliveries.map {
                        .init(
                            id: $0.id!, eventType: $0.eventType, status: $0.status, attempts: $0.attempts, createdAt: $0.createdAt,
                            nextAttemptAt: $0.nextAttemptAt, lastStatusCode: $0.lastStatusCode, lastError: $0.lastError)
                    }))
        }
        let secret = req.sessionValue("new_webhook_secret")
        req.setSessionValue("new_webhook_secret", nil)
        return WebhooksCard(endpoints: endpoints, newSecret: secret)
    }

    func render(csrf: String, clock: Clock) -> HTML {
        let token = csrfField(csrf)
        let secret: HTML =
            newSecret.map {
                "<p><strong>Copy the signing secret now; it will not be shown again:</strong></p><p class=\"copy\" id=\"webhook-secret\">\($0)</p>"
            } ?? ""
        let list = HTML.join(
            endpoints.map { e in
                let rows = HTML.join(
                    e.deliveries.map { d in
                        let state: HTML =
                            switch d.status {
                            case .delivered: "delivered (\(d.lastStatusCode ?? 200))"
                            case .pending where d.attempts > 0: "retrying \(clock.format(d.nextAttemptAt, "d MMM HH:mm"))"
                            case .pending: "waiting"
                            case .failed: "<strong>failed</strong>"
                            }
                        let again: HTML =
                            d.status == .pending || !e.enabled
                            ? ""
                            : "<form method=\"post\" action=\"\(SiteURL.webhookResend(e.id, d.id))\">\(token)<button class=\"secondary\">Send again</button></form>"
                        return """
                            <tr><td>\(d.eventType)</td><td>\(clock.format(d.createdAt, "d MMM HH:mm"))</td><td>\(state)</td>
                            <td>\(d.attempts)</td><td class="small muted">\(d.lastError ?? "")</td><td>\(again)</td></tr>
                            """
                    })
                let state: HTML =
                    e.enabled
                    ? "<span class=\"badge\">on</span>"
                    : "<span class=\"badge danger\">off</span> <span class=\"small\">\(e.disabledReason ?? "")</span> <form method=\"post\" action=\"\(SiteURL.webhookEnable(e.id))\">\(token)<button>Turn on again</button></form>"
                return """
                    <div class="webhook"><p><code>\(e.url)</code> \(state)</p>
                    <p class="small muted">Events: \(e.events.joined(separator: ", ")) · format: \(e.format)</p>
                    \(e.deliveries.isEmpty ? HTML("<p class=\"muted small\">No deliveries yet.</p>") : HTML("<table><thead><tr><th>Event</th><th>When</th><th>State</th><th>Attempts</th><th>Endpoint said</th><th></th></tr></thead><tbody>\(rows)</tbody></table>"))
                    <form method="post" action="\(SiteURL.webhookRemove(e.id))">\(token)<button class="danger">Remove</button></form></div>
                    """
            })
        return """
            <section class="card" id="webhooks"><h2>Webhooks</h2>
            <p class="muted small">Your partnerships' events, posted as JSON to your endpoints and signed per
            <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> (headers webhook-id, webhook-timestamp, webhook-signature).
            Failed deliveries are retried for three days; then the webhook is turned off and you get a mail.</p>
            \(secret)\(list)
            <form method="post" action="\(SiteURL.webhooksCreate())">\(token)
            <label for="webhook-url">Endpoint URL</label><input id="webhook-url" name="url" type="url" required maxlength="2000" placeholder="https://example.com/hooks/bonafide">
            <label for="webhook-events">Events <span class="muted small">(comma-separated, such as commitment.proposed, incident.*; * for all)</span></label>
            <input id="webhook-events" name="events" value="*" required maxlength="2000">
            <label for="webhook-format">Format</label><select id="webhook-format" name="format"><option value="standard">Standard (JSON event)</option><option value="slack">Slack-compatible ({"text": ...})</option></select>
            <button class="secondary">Add webhook</button></form></section>
            """
    }
}
