import BonafideCore
import Fluent
import Foundation

/// Appends to a partnership's record and tells the people concerned. Callers pass the transaction
/// their state change runs in, so the change and its record land together or not at all.
enum Timeline {
    /// Answers the event's id: notifications of this change use it as their identity (one mail per person).
    /// `audience`, read before the transaction (see `PartnershipAudience` for why that is safe), saves reading the
    /// webhooks here.
    @discardableResult
    static func append(
        _ partnership: Partnership, actor: Actor?, kind: String, summary: String,
        reason: String? = nil, commitmentID: UUID? = nil, incidentID: UUID? = nil, extra: [String: String] = [:],
        at date: Date = Date(), audience: PartnershipAudience? = nil, on db: any Database
    ) async throws -> UUID {
        let event = PartnershipEvent(
            partnershipID: partnership.id!, actorID: actor?.id, kind: kind,
            summary: summary, reason: reason, commitmentID: commitmentID, at: date)
        event.incidentID = incidentID
        // Nothing in the transaction reads it back: it goes out with the log entry at the end (`PendingWrites`).
        try await PendingWrites.insert([event], on: db)
        // The same change, as an entry of the partnership's tamper-evident log.
        var payload = extra
        payload["event"] = event.id!.uuidString.lowercased()
        payload["summary"] = summary
        if let reason { payload["reason"] = reason }
        if let commitmentID { payload["commitment"] = commitmentID.uuidString.lowercased() }
        if let incidentID { payload["incident"] = incidentID.uuidString.lowercased() }
        // Appended when the transaction's work is done: the append locks the log's head (see `PendingWrites`).
        try await PendingWrites.append(
            LedgerEntry(partnership: partnership.id!, type: kind, actor: actor?.id, time: date, payload: payload),
            partnership: partnership.id!, on: db)
        // Every change is potential trust evidence: queue both sides for the background recompute.
        try await TrustService.enqueue(partnership, at: date, on: db)
        // Record entries restate an event for trust passports; receivers already had the event itself.
        if !kind.hasPrefix("record.") {
            try await Webhooks.enqueue(
                kind: kind, partnership: partnership, eventID: event.id!, summary: summary, reason: reason, actor: actor?.user.name,
                commitmentID: commitmentID, incidentID: incidentID, at: date,
                enabledHooks: Self.usable(audience, for: partnership)?.webhooks, on: db)
        }
        return event.id!
    }

    /// Notifies the partnership's members on the given side (both when nil), never the actor: in the app and by
    /// mail as each chose. `key` names the event (usually the id `append` answered): one mail per person.
    /// `keyIsNew`: the key is an event made in this transaction and nobody was notified of it yet, so no mail can
    /// carry it and its dedupe read is skipped. `audience`, read before the transaction, saves reading the members,
    /// their accounts and settings here.
    static func notify(
        _ partnership: Partnership, side organizationID: UUID?, except actor: Actor?, kind: NotificationKind,
        text: String, link: String, detail: String? = nil, about: String? = nil, key: UUID, calendar: String? = nil, at date: Date = Date(),
        audience: PartnershipAudience? = nil, keyIsNew: Bool = false, on db: any Database
    ) async throws {
        let event = Notifier.Event(
            kind: kind, text: text, link: link, detail: detail,
            about: about ?? "partnership:\(partnership.id!.uuidString.lowercased())", key: key.uuidString.lowercased(),
            calendar: calendar, keyIsNew: keyIsNew)
        if let audience = Self.usable(audience, for: partnership) {
            let people = audience.people(on: organizationID, except: actor?.id)
            try await Notifier.notify(people, settings: audience.settings, of: event, at: date, on: db)
            return
        }
        var query = PartnershipMember.query(on: db).filter(\.$partnership.$id == partnership.id!)
        if let organizationID { query = query.filter(\.$organization.$id == organizationID) }
        let members = try await query.all().map(\.$user.id).filter { $0 != actor?.id }
        try await Notifier.notify(members, of: event, at: date, on: db)
    }

    /// The audience when it is this partnership's; another's is ignored and the rows are read as without one.
    private static func usable(_ audience: PartnershipAudience?, for partnership: Partnership) -> PartnershipAudience? {
        guard let audience, audience.partnershipID == partnership.id else { return nil }
        return audience
    }

    /// Newest first, with who made each change (see `TimelineEvent`).
    static func events(
        of partnership: Partnership, commitment: UUID? = nil, incident: UUID? = nil, limit: Int = 500, on db: any Database
    ) async throws -> [TimelineEvent] {
        try await TimelineEvent.events(of: partnership.requireID(), commitment: commitment, incident: incident, limit: limit, on: db)
    }
}
