import Foundation
import Vapor

/// Where the unsubscribe link in a mail leads: it asks for a button press rather than unsubscribing, because mail
/// scanners open links.
struct UnsubscribePage: Sendable {
    /// What stops, in words: "the daily digest" or "mails for “…”".
    var what: String
    /// The signed token from the link, which the button posts back.
    var token: String

    static func load(token: String, key: [UInt8]) async throws -> Self {
        guard let (_, kind) = NotificationMail.openUnsubscribe(token, key: key) else {
            throw Problem(.notFound, "This unsubscribe link is not valid.")
        }
        let what = kind == Notifier.digestKind ? "the daily digest" : "mails for “\(NotificationKind(rawValue: kind)?.label ?? kind)”"
        return Self(what: what, token: token)
    }

    func render() -> HTML {
        """
        <div class="card" style="max-width:560px"><h1>Stop \(what)?</h1>
        <p>You will still see these notifications in Bonafide. You can turn them back on in Settings.</p>
        <form method="post" action="\(SiteURL.unsubscribe(token))"><button>Stop \(what)</button></form></div>
        """
    }
}
