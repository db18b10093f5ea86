import BonafideCore
import Fluent
import Foundation

/// For owners and admins: whether invitations, reminders and notifications reached the mail server, and why not,
/// with a way to send the failed ones again. A pure view of its model.
struct OutgoingMailCard: Sendable {
    enum State: Sendable {
        case sent(Date?), retrying(Date?), held(Date?), waiting, failed, digest, digested(Date?)
    }

    struct Row: Sendable {
        var to: String
        var subject: String
        var state: State
        var serverSaid: String
    }

    /// The mail server's host and sender address; nil when this Bonafide sends no mail.
    var server: (host: String, from: String)?
    var summary: MailDelivery.Summary
    var rows: [Row]

    static func load(for organization: UUID, server: SMTPSettings?, now: Date, on db: any Database) async throws -> OutgoingMailCard {
        let recent = try await MailDelivery.recent(of: organization, on: db)
        return OutgoingMailCard(
            server: server.map { ($0.host, $0.fromAddress) }, summary: try await MailDelivery.summary(of: organization, on: db),
            rows: recent.map { m in
                let state: State =
                    switch m.status {
                    case .sent: .sent(m.sentAt)
                    case .queued where m.attempts > 0: .retrying(m.nextAttemptAt)
                    case .queued where (m.nextAttemptAt ?? .distantPast) > now: .held(m.nextAttemptAt)
                    case .queued: .waiting
                    case .failed: .failed
                    case .digest: .digest
                    case .digested: .digested(m.sentAt)
                    }
                // A colleague's notification can name a partnership the reader is not in: only its kind is shown.
                let subject =
                    m.userID == nil
                    ? m.subject
                    : m.kind == Notifier.digestKind
                        ? "Daily digest" : "Notification: \(NotificationKind(rawValue: m.eventKind ?? "")?.label ?? "update")"
                return Row(to: m.toEmail, subject: subject, state: state, serverSaid: m.lastError ?? "")
            })
    }

    func render(clock: Clock, csrf: String) -> HTML {
        let server: HTML =
            self.server.map { "Mail goes out through <code>\($0.host)</code> as \($0.from)." }
            ?? "This Bonafide does not send mail yet (whoever runs it can connect a mail server): messages wait here, and survey pages show each person's link to pass on."
        let lines = HTML.join(
            rows.map { m in
                let state: HTML =
                    switch m.state {
                    case .sent(let at): "sent \(clock.format(at, "d MMM HH:mm"))"
                    case .retrying(let at): "waiting to retry \(clock.format(at, "d MMM HH:mm"))"
                    case .held(let until): "held until \(clock.format(until, "d MMM HH:mm")) (quiet hours or a day off)"
                    case .waiting: "waiting"
                    case .failed: "<strong>failed</strong>"
                    case .digest: "waiting for the daily digest"
                    case .digested(let at): "sent in a digest \(clock.format(at, "d MMM HH:mm"))"
                    }
                return """
                    <tr><td>\(m.to)</td><td class="hide-sm">\(m.subject)</td><td>\(state)</td><td class="small muted">\(m.serverSaid)</td></tr>
                    """
            })
        let retry: HTML =
            summary.failed > 0
            ? "<form method=\"post\" action=\"\(SiteURL.mailRetry())\">\(csrfField(csrf))<button>Send the \(summary.failed) failed message\(summary.failed == 1 ? "" : "s") again</button></form>"
            : ""
        return """
            <section class="card" id="outgoing-mail"><h2>Outgoing mail</h2>
            <p class="muted small">\(server)</p>
            <p id="mail-summary">\(summary.sent) sent · \(summary.queued) waiting · \(summary.digest > 0 ? "\(summary.digest) for digests · " : "")\(summary.failed) failed</p>
            \(rows.isEmpty ? HTML("<p class=\"muted\">Nothing sent yet.</p>") : HTML("<table><thead><tr><th>To</th><th class=\"hide-sm\">Subject</th><th>State</th><th>Mail server said</th></tr></thead><tbody>\(lines)</tbody></table>"))
            \(retry)</section>
            """
    }
}
