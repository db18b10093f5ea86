import BonafideCore
import Crypto
import Fluent
import Foundation

/// Replies by mail to a message notification, posted in the thread as the person it was sent to; replies to an
/// update's mails go to a reader organization's thread of the update (`InboundReplies+Updates.swift`).
///
/// The reply address (reply+TOKEN@domain) names the notification mail and carries a MAC, so it cannot be guessed
/// or altered; the sender must be that person's address; each mail (by Message-ID) is taken once, so a replayed
/// copy posts nothing; quoted text and signatures are dropped.
enum InboundReplies {
    enum Outcome: Sendable, Equatable {
        case posted(messageID: UUID)
        /// Written in a reader organization's thread of an update.
        case repliedToUpdate(replyID: UUID)
        case refused(String)
        /// Not a mail at all (no header section, no text part, too large).
        case malformed(String)
    }

    /// Where a reply goes, from what the notification mail was about.
    private enum Destination {
        case messages(MessageThread)
        case update(UpdateThread)
    }

    /// Whether a notification mail gets a reply address: a partnership thread's messages, and an update's mail and the
    /// replies and answers in its threads. A digest names many things, so it is answered on the pages.
    static func takesReplies(_ message: OutboxMessage) -> Bool {
        guard let kind = NotificationKind(rawValue: message.eventKind ?? ""), let about = message.threadKey else { return false }
        switch kind {
        case .messageReceived, .messageNeedsAnswer, .messageReminder: return about.hasPrefix("thread:")
        case .partnerUpdate, .updateReply: return about.hasPrefix("update:")
        default: return false
        }
    }

    /// The token of a reply address, if `address` is one for `domain` (or any domain when nil).
    static func token(in address: String, domain: String?) -> String? {
        let lower = address.lowercased()
        guard let at = lower.lastIndex(of: "@") else { return nil }
        let local = lower[..<at]
        let host = lower[lower.index(after: at)...]
        if let domain, host != domain.lowercased() { return nil }
        guard local.hasPrefix("reply+") else { return nil }
        return String(local.dropFirst(6))
    }

    /// Takes one raw mail. `recipients` are the envelope's (SMTP RCPT TO); without them, the To, Cc and
    /// Delivered-To headers are read.
    static func receive(
        _ raw: String, recipients: [String] = [], domain: String?, key: [UInt8], now: Date = Date(), on db: any Database
    ) async throws -> Outcome {
        let mail: InboundMessage
        do {
            mail = try InboundMessage(parsing: raw)
        } catch let error as InboundMessage.Malformed {
            return .malformed(error.description)
        }
        let candidates =
            recipients.isEmpty
            ? ["To", "Cc", "Delivered-To", "X-Original-To"].flatMap { mail.headers($0) }.flatMap(InboundMessage.addresses) : recipients
        guard let token = candidates.lazy.compactMap({ token(in: $0, domain: domain) }).first else {
            return .refused("The message is not addressed to a reply address (reply+…@\(domain ?? "…")).")
        }
        guard let outboxID = NotificationMail.openReplyToken(token, key: key), let sent = try await OutboxMessage.find(outboxID, on: db),
            let userID = sent.userID, let user = try await User.find(userID, on: db),
            let target = try await destination(of: sent, on: db)
        else { return .refused("Unknown or forged reply address: nothing was posted.") }
        let from = mail.header("From").map(InboundMessage.addresses)?.first ?? ""
        guard from == user.email.lowercased() else {
            return .refused("Replies are taken only from the address the notification went to; nothing was posted.")
        }
        let text = ReplyText.strip(mail.text ?? "")
        guard !text.isEmpty else { return .refused("The reply has no text of its own above the quoted mail; nothing was posted.") }
        // A copy of the same mail (by Message-ID, else by its bytes) is taken once.
        let identity = mail.header("Message-ID").map { String($0.prefix(500)) } ?? "sha256:" + Hex.encode(SHA256.hash(data: Data(raw.utf8)))
        let record = InboundMail()
        record.messageID = identity
        record.receivedAt = now
        record.outcome = "processing"
        do {
            try await db.writeTransaction { tx in try await record.create(on: tx) }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .refused("This mail was already received (Message-ID \(identity.prefix(80))); nothing was posted again.")
        }
        do {
            let actor = Actor(user: user)
            switch target {
            case .messages(let thread):
                let p = try await Policy.partnership(thread.$partnership.id, for: actor, on: db)
                let message = try await Messages.post(
                    .init(body: String(text.prefix(10_000)), threadID: thread.id), in: p, by: actor, now: now, on: db)
                record.outcome = "posted \(message.id!.uuidString.lowercased())"
                try await db.writeTransaction { tx in try await record.save(on: tx) }
                return .posted(messageID: message.id!)
            case .update(let thread):
                let reply = try await post(text, in: thread, by: actor, at: now, on: db)
                record.outcome = "replied to update \(Access.key(reply.id))"
                try await db.writeTransaction { tx in try await record.save(on: tx) }
                return .repliedToUpdate(replyID: reply.id)
            }
        } catch let problem as Problem {
            record.outcome = "refused: \(problem.detail)"
            try await db.writeTransaction { tx in try await record.save(on: tx) }
            guard problem.status == .notFound else { return .refused(problem.detail) }
            switch target {
            case .messages: return .refused("You are no longer in this partnership; nothing was posted.")
            case .update: return .refused("You may no longer write in this update's thread; nothing was posted.")
            }
        } catch {
            // Not the reply's fault (the database was unreachable, say): forget the mail, so the sender's retry is
            // taken instead of refused as a replay.
            try? await db.writeTransaction { tx in try await record.delete(on: tx) }
            throw error
        }
    }

    private static func destination(of sent: OutboxMessage, on db: any Database) async throws -> Destination? {
        guard let about = sent.threadKey else { return nil }
        if about.hasPrefix("thread:") {
            guard let threadID = UUID(uuidString: String(about.dropFirst(7))), let thread = try await MessageThread.find(threadID, on: db)
            else { return nil }
            return .messages(thread)
        }
        guard let thread = try await updateThread(of: sent, on: db) else { return nil }
        return .update(thread)
    }
}
