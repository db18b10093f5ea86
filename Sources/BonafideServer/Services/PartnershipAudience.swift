import Fluent
import Foundation
import SQLKit

/// Who hears of a change in a partnership: its members with their accounts and notification settings, and the
/// endpoints of either side that are on. A hot write reads it before its transaction, once, and hands it to
/// `Timeline.append` and `Timeline.notify`: on SQLite every statement inside the transaction waits its turn on the
/// one writer and costs a round of thread hops whatever it does, so the writer should spend its turn on what the
/// change decides, not on reading who to tell.
///
/// Reading it outside the transaction is safe because none of it is decided by the change. What it can miss is what
/// appears in the short window between this read and the write: a member added, or a webhook created or turned back
/// on, hears from the next write on, as it would had it come a moment later. A webhook deleted or turned off
/// meanwhile is left out when the deliveries are inserted (`Webhooks.enqueue`), so it cannot fail the change. What
/// the change decides (the message, the requests it answers, the event and its log entry, the queued trust
/// recompute, the mails' identities) is still read and written inside.
struct PartnershipAudience: Sendable {
    struct Member: Sendable {
        var user: User
        /// The side the person is a member for, as the membership says.
        var organizationID: UUID
    }

    var partnershipID: UUID
    var members: [Member]
    /// By user; a person without a row has the defaults.
    var settings: [UUID: NotificationSettings]
    /// Enabled endpoints of both sides; which of them want an event is decided per event (`Webhook.wants`).
    var webhooks: [Webhook]

    /// Two reads, none on the writer: members with their accounts and settings, and the webhooks. Each is one plain
    /// query loaded property by property (`User.load(from:)` and its like): through the query builder and Fluent's
    /// reflection this read was a twentieth of the CPU of posting messages. On PostgreSQL every statement costs both
    /// sides a round trip of wake-ups, more than these reads themselves: the settings come with the members.
    static func load(of p: Partnership, on db: any Database) async throws -> PartnershipAudience {
        let id = try p.requireID()
        let rows = try await db.sql().raw(
            """
            SELECT u.*, m.organization_id AS member_organization_id, \(unsafeRaw: settingsColumns)
            FROM partnership_members m JOIN users u ON u.id = m.user_id
            LEFT JOIN notification_settings s ON s.user_id = u.id
            WHERE m.partnership_id = \(bind: id)
            """
        ).all()
        var members: [Member] = []
        var settings: [UUID: NotificationSettings] = [:]
        for row in rows {
            members.append(
                Member(user: try User.load(from: RowOutput(row: row)), organizationID: try row.decodeUUID(column: "member_organization_id"))
            )
            if try !row.decodeNil(column: settingsPrefix + "id") {
                let found = try NotificationSettings.load(from: RowOutput(row: row, prefix: settingsPrefix))
                if settings[found.$user.id] == nil { settings[found.$user.id] = found }
            }
        }
        let webhooks = try await Webhooks.enabled(of: p, on: db)
        return PartnershipAudience(partnershipID: id, members: members, settings: settings, webhooks: webhooks)
    }

    private static let settingsPrefix = "settings_"
    /// Every column of `notification_settings`, each as `settingsPrefix` + its name (`RowOutput.prefix`).
    private static let settingsColumns = [
        "id", "user_id", "digest_hour", "quiet_start", "quiet_end", "work_days", "modes", "calendar_version", "last_digest_at",
    ].map { "s.\($0) AS \(settingsPrefix)\($0)" }.joined(separator: ", ")

    /// The members on `side` (everyone when nil) but `actor`, each person once: whom `Timeline.notify` tells.
    func people(on side: UUID?, except actor: UUID?) -> [User] {
        var seen = Set<UUID>()
        return members.filter { side == nil || $0.organizationID == side }.map(\.user)
            .filter { user in user.id.map { $0 != actor && seen.insert($0).inserted } ?? false }
    }
}
