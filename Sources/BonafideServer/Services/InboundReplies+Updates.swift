import BonafideCore
import Fluent
import Foundation

/// Replies by mail to an update's mails. The update's own mail and the writer's answer are answered by the reader
/// organization's person in its thread; a reader's reply, mailed to the writer's people, is answered by them there.
///
/// The mail only names the thread. Whether the person may still write in it is decided when the reply arrives, by the
/// same `Updates.reply` and `Updates.answer` the page and the API call (validation, sentiment, notifications), so a
/// reader whose organization lost access since, or who moved to another organization, posts nothing.
extension InboundReplies {
    /// A reader organization's thread of an update, and the side the person the mail went to writes on.
    struct UpdateThread: Sendable, Equatable {
        var updateID: UUID
        /// The reader organization whose thread it is.
        var organizationID: UUID
        var side: UpdateReplySide
    }

    /// The thread a mail about an update stands for; nil for any other mail, or an update or reply gone since.
    static func updateThread(of sent: OutboxMessage, on db: any Database) async throws -> UpdateThread? {
        guard let about = sent.threadKey, about.hasPrefix("update:"), let updateID = UUID(uuidString: String(about.dropFirst(7))),
            try await OrganizationUpdate.find(updateID, on: db) != nil
        else { return nil }
        switch NotificationKind(rawValue: sent.eventKind ?? "") {
        case .partnerUpdate?:
            // Published updates are mailed to readers only, each as a person of the organization it reached.
            return UpdateThread(updateID: updateID, organizationID: sent.$organization.id, side: .reader)
        case .updateReply?:
            guard let replyID = notifiedReply(sent), let reply = try await UpdateReply.find(replyID, on: db), reply.$update.id == updateID
            else { return nil }
            // A reader's reply is mailed to the writer's people, who answer; the writer's answer to the readers, who reply.
            return UpdateThread(updateID: updateID, organizationID: reply.$organization.id, side: reply.side == .reader ? .author : .reader)
        default:
            return nil
        }
    }

    /// Writes the reply as the page would, checking access anew.
    static func post(_ text: String, in thread: UpdateThread, by actor: Actor, at now: Date, on db: any Database) async throws
        -> Updates.Reply
    {
        switch thread.side {
        case .reader:
            // `Updates.reply` writes in the person's current organization's thread: one who moved on since the mail
            // would otherwise reply for their new organization.
            guard actor.organizationID == thread.organizationID else { throw Problem.notFound("thread") }
            return try await Updates.reply(to: thread.updateID, body: text, by: actor, at: now, on: db)
        case .author:
            return try await Updates.answer(
                update: thread.updateID, organization: thread.organizationID, body: text, by: actor, at: now, on: db)
        }
    }

    /// The reply an "update.reply" mail tells of, from its event key (`updateReply:REPLY`, with the person after "|").
    private static func notifiedReply(_ sent: OutboxMessage) -> UUID? {
        let prefix = "updateReply:"
        guard let key = sent.dedupeKey, key.hasPrefix(prefix), let id = key.dropFirst(prefix.count).split(separator: "|").first else {
            return nil
        }
        return UUID(uuidString: String(id))
    }
}
