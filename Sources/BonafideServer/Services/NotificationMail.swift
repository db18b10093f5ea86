import BonafideCore
import Crypto
import Foundation

/// What a server needs to turn a queued notification into a mail: absolute links, the key of the tokens in them,
/// and where replies go.
struct MailContext: Sendable {
    var baseURL: String
    /// Signs unsubscribe links and reply addresses (derived from the server's key).
    var tokenKey: [UInt8]
    /// Replies to message and update mails go to reply+TOKEN@ this domain when the server receives mail.
    var replyDomain: String?
    /// Notifications go only to confirmed addresses when the server asks people to confirm them.
    var requireVerifiedAddresses: Bool
}

/// The mail of a notification or digest: plain text and simple HTML, threading headers so one commitment's mails
/// group together, one-click unsubscribe (RFC 8058) and, for messages and updates, an address to reply to.
enum NotificationMail {
    static func compose(
        _ message: OutboxMessage, for user: User, context: MailContext, heloName: String, now: Date
    ) -> MailMessage {
        let kind = NotificationKind(rawValue: message.eventKind ?? "")
        let settingsURL = context.baseURL + SiteURL.Settings.section("notifications")
        let unsubscribeURL =
            context.baseURL + SiteURL.unsubscribe(unsubscribeToken(user: user.id!, kind: message.eventKind ?? "", key: context.tokenKey))
        var mail = MailMessage(
            to: user.email, subject: message.subject, body: "", fromName: "Bonafide",
            messageID: "\(message.id!.uuidString.lowercased())@\(heloName)", date: now)
        mail.headers = [
            ("List-Unsubscribe", "<\(unsubscribeURL)>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        if let about = message.threadKey {
            let root = "<\(about.replacingOccurrences(of: ":", with: "-"))@\(heloName)>"
            mail.headers += [("In-Reply-To", root), ("References", root)]
        }
        if let domain = context.replyDomain, InboundReplies.takesReplies(message) {
            mail.headers.append(("Reply-To", "<reply+\(replyToken(message.id!, key: context.tokenKey))@\(domain)>"))
        }
        let why = kind.map { "You get this mail for “\($0.label)”." } ?? "This is your daily digest."
        let stop = kind == nil ? "Stop digests" : "Stop these mails"
        if message.kind == Notifier.digestKind {
            let items = Notifier.DigestItem.decode(message.body)
            mail.body =
                "Hello \(user.name),\n\nwhat happened since your last digest:\n\n"
                + items.map { "• \($0.text)\n  \(context.baseURL)\($0.link)" + ($0.detail.isEmpty ? "" : "\n  \(excerpt($0.detail))") }
                .joined(separator: "\n\n")
                + "\n\n-- \n\(why) Change what you get: \(settingsURL)\n\(stop): \(unsubscribeURL)\n"
            mail.html = page(
                greeting: user.name,
                content: "<p>What happened since your last digest:</p><ul>"
                    + items.map {
                        "<li style=\"margin-bottom:12px\"><a href=\"\(HTML.escape(context.baseURL + $0.link))\">\(HTML.escape($0.text))</a>"
                            + ($0.detail.isEmpty ? "" : "<br><span style=\"color:#555\">\(HTML.escape(excerpt($0.detail)))</span>")
                            + "</li>"
                    }.joined() + "</ul>",
                footer: why, settingsURL: settingsURL, unsubscribeURL: unsubscribeURL, stop: stop)
            return mail
        }
        mail.calendar = message.calendar
        let link = context.baseURL + (message.link ?? "/")
        // A reader answering an update by mail should know the writer alone reads it, not everyone the update reached.
        let replyable = mail.headers.contains { $0.name == "Reply-To" }
        let replyHint =
            !replyable
            ? ""
            : kind == .partnerUpdate
                ? "Reply to this mail to answer the writer; only your organization and theirs see the thread."
                : "Reply to this mail to answer in the thread."
        let reply = replyHint.isEmpty ? "" : "\n\(replyHint)\n"
        mail.body =
            "Hello \(user.name),\n\n\(message.subject).\n"
            + (message.body.isEmpty ? "" : "\n\(message.body)\n")
            + "\nOpen it in Bonafide: \(link)\n\(reply)\n-- \n\(why) Change what you get: \(settingsURL)\n\(stop): \(unsubscribeURL)\n"
        let detail =
            message.body.isEmpty
            ? ""
            : "<blockquote style=\"margin:12px 0;padding:8px 12px;border-left:3px solid #ccc;color:#333;white-space:pre-wrap\">\(HTML.escape(message.body))</blockquote>"
        mail.html = page(
            greeting: user.name,
            content: "<p><strong>\(HTML.escape(message.subject)).</strong></p>\(detail)"
                + "<p><a href=\"\(HTML.escape(link))\" style=\"display:inline-block;padding:8px 16px;background:#2457d6;color:#fff;"
                + "border-radius:4px;text-decoration:none\">Open it in Bonafide</a></p>"
                + (replyHint.isEmpty ? "" : "<p style=\"color:#555\">\(HTML.escape(replyHint))</p>"),
            footer: why, settingsURL: settingsURL, unsubscribeURL: unsubscribeURL, stop: stop)
        return mail
    }

    private static func excerpt(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 200 ? String(flat.prefix(199)) + "…" : flat
    }

    private static func page(greeting: String, content: String, footer: String, settingsURL: String, unsubscribeURL: String, stop: String)
        -> String
    {
        """
        <!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;\
        line-height:1.5;color:#111;max-width:600px;margin:0 auto;padding:16px">\
        <p>Hello \(HTML.escape(greeting)),</p>\(content)\
        <hr style="border:none;border-top:1px solid #ddd;margin-top:24px">\
        <p style="font-size:12px;color:#666">\(HTML.escape(footer)) <a href="\(HTML.escape(settingsURL))">Change what you get</a> · \
        <a href="\(HTML.escape(unsubscribeURL))">\(HTML.escape(stop))</a></p></body></html>
        """
    }

    // MARK: Tokens

    static func unsubscribeToken(user: UUID, kind: String, key: [UInt8]) -> String {
        SignedToken.make(["unsubscribe", user.uuidString.lowercased(), kind], key: key)
    }

    /// The person and the kind (or "digest") an unsubscribe link stands for.
    static func openUnsubscribe(_ token: String, key: [UInt8]) -> (user: UUID, kind: String)? {
        guard let f = SignedToken.open(token, key: key, fields: 3), f[0] == "unsubscribe", let user = UUID(uuidString: f[1]) else {
            return nil
        }
        guard f[2] == Notifier.digestKind || NotificationKind(rawValue: f[2]) != nil else { return nil }
        return (user, f[2])
    }

    /// The reply address's token: the notification mail's id and a MAC, in lower-case base32 (mail systems may change
    /// the case of an address, and a local part holds at most 64 characters).
    static func replyToken(_ outboxID: UUID, key: [UInt8]) -> String {
        let id = withUnsafeBytes(of: outboxID.uuid) { Array($0) }
        return Base32.encode(id + replyMAC(id, key: key)).lowercased()
    }

    static func openReplyToken(_ token: String, key: [UInt8]) -> UUID? {
        // Canonical only: the last character's unused bits must be zero, so each token has one spelling.
        guard token.utf8.count <= 64, let bytes = Base32.decode(token), bytes.count == 26,
            Base32.encode(bytes).lowercased() == token.lowercased()
        else { return nil }
        let id = Array(bytes.prefix(16))
        guard constantTimeEqual(bytes.suffix(10), replyMAC(id, key: key)) else { return nil }
        return UUID(
            uuid: (id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]))
    }

    private static func replyMAC(_ id: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("reply|".utf8) + id, using: SymmetricKey(data: key)).prefix(10))
    }
}
