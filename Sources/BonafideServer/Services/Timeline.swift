import BonafideCore
import Fluent
import Foundation

/// Appends to a partnership's record and tells the people concerned. Callers pass the transaction
/// their state change runs in, so the change and its record land together or not at all.
enum Timeline {
    /// Answers the event's id: notifications of this change use it as their identity (one mail per person).
    @discardableResult
    static func append(
        _ partnership: Partnership, actor: Actor?, kind: String, summary: String,
        reason: String? = nil, commitmentID: UUID? = nil, incidentID: UUID? = nil, extra: [String: String] = [:],
        at date: Date = Date(), on db: any Database
    ) async throws -> UUID {
        let event = PartnershipEvent(
            partnershipID: partnership.id!, actorID: actor?.id, kind: kind,
            summary: summary, reason: reason, commitmentID: commitmentID, at: date)
        event.incidentID = incidentID
        try await event.save(on: db)
        // The same change, as an entry of the partnership's tamper-evident log.
        var payload = extra
        payload["event"] = event.id!.uuidString.lowercased()
        payload["summary"] = summary
        if let reason { payload["reason"] = reason }
        if let commitmentID { payload["commitment"] = commitmentID.uuidString.lowercased() }
        if let incidentID { payload["incident"] = incidentID.uuidString.lowercased() }
        try await Ledger.append(
            LedgerEntry(partnership: partnership.id!, type: kind, actor: actor?.id, time: date, payload: payload),
            partnership: partnership.id!, on: db)
        // Every change is potential trust evidence: queue both sides for the background recompute.
        try await TrustService.enqueue(partnership, at: date, on: db)
        // Record entries restate an event for trust passports; receivers already had the event itself.
        if !kind.hasPrefix("record.") {
            try await Webhooks.enqueue(
                kind: kind, partnership: partnership, eventID: event.id!, summary: summary, reason: reason, actor: actor?.user.name,
                commitmentID: commitmentID, incidentID: incidentID, at: date, on: db)
        }
        return event.id!
    }

    /// Notifies the partnership's members on the given side (both when nil), never the actor: in the app and by
    /// mail as each chose. `key` names the event (usually the id `append` answered): one mail per person.
    static func notify(
        _ partnership: Partnership, side organizationID: UUID?, except actor: Actor?, kind: NotificationKind,
        text: String, link: String, detail: String? = nil, about: String? = nil, key: UUID, calendar: String? = nil, at date: Date = Date(),
        on db: any Database
    ) async throws {
        var query = PartnershipMember.query(on: db).filter(\.$partnership.$id == partnership.id!)
        if let organizationID { query = query.filter(\.$organization.$id == organizationID) }
        let members = try await query.all().map(\.$user.id).filter { $0 != actor?.id }
        try await Notifier.notify(
            members,
            of: .init(
                kind: kind, text: text, link: link, detail: detail,
                about: about ?? "partnership:\(partnership.id!.uuidString.lowercased())", key: key.uuidString.lowercased(),
                calendar: calendar),
            at: date, on: db)
    }

    static func events(
        of partnership: Partnership, commitment: UUID? = nil, incident: UUID? = nil, limit: Int = 500, on db: any Database
    ) async throws -> [PartnershipEvent] {
        var query = PartnershipEvent.query(on: db).filter(\.$partnership.$id == partnership.id!).with(\.$actor)
        if let commitment { query = query.filter(\.$commitmentID == commitment) }
        if let incident { query = query.filter(\.$incidentID == incident) }
        return try await query.sort(\.$createdAt, .descending).limit(limit).all()
    }
}

/// Where things live in the web UI; links in notifications use it too.
enum Paths {
    static func partnership(_ id: UUID?) -> String { "/partnerships/\(id?.uuidString ?? "")" }
    static func commitment(_ p: UUID?, _ c: UUID?) -> String { "\(partnership(p))/commitments/\(c?.uuidString ?? "")" }
    static func incident(_ p: UUID?, _ i: UUID?) -> String { "\(partnership(p))/incidents/\(i?.uuidString ?? "")" }
    static func record(_ p: UUID?) -> String { "\(partnership(p))/record" }
    static func checkIns(_ p: UUID?) -> String { "\(partnership(p))#check-ins" }
    static func documents(_ p: UUID?) -> String { "\(partnership(p))#documents" }
    static let sharedWithUs = "/organization#shared-with-us"
    static let find = "/find"
    static let ownPassport = "/organization/passport.json"
    /// Anyone's passport once its organization has a public profile (the API serves it to browsers too).
    static func passport(_ id: UUID?) -> String { "/api/v1/organizations/\(id?.uuidString.lowercased() ?? "")/passport" }
    static let introductions = "/introductions"
    static func introductionDecision(_ id: UUID) -> String { "\(introductions)/\(id.uuidString.lowercased())/decision" }
    static func referralList(_ token: String) -> String { "/referrals/\(token)" }
    static let referralLinks = "/circles/referral-links"
    static func referralLinkRevoke(_ id: UUID?) -> String { "\(referralLinks)/\(id?.uuidString.lowercased() ?? "")/revoke" }
    static let profileSections = "/organization/sections"
    static let profileSettings = "/organization#profile-sections"
    static func profileSection(_ name: String) -> String { "\(profileSections)/\(name)" }
    static func profileSectionRemove(_ name: String) -> String { "\(profileSection(name))/remove" }
    static func organization(_ id: UUID?) -> String { "/organizations/\(id?.uuidString.lowercased() ?? "")" }
    static func publicProfile(_ id: UUID?) -> String { "/profiles/\(id?.uuidString.lowercased() ?? "")" }
    static func shareLink(_ link: UUID?) -> String { "/shared/\(link?.uuidString.lowercased() ?? "")" }
    static func status(_ organization: UUID?) -> String { "/status/\(organization?.uuidString.lowercased() ?? "")" }
    static func statusFeed(_ organization: UUID?) -> String { "\(status(organization))/feed.atom" }
    static func thread(_ p: UUID?, _ t: UUID?) -> String { "\(partnership(p))/threads/\(t?.uuidString ?? "")" }
    static func invitation(_ secret: String) -> String { "/invitations/\(secret)" }
    static func join(_ secret: String) -> String { "/join/\(secret)" }
    static func unsubscribe(_ token: String) -> String { "/unsubscribe/\(token)" }
    static func partnershipCalendar(_ p: UUID?) -> String { "\(partnership(p))/calendar.ics" }
    static let mentions = "/mentions"
    static let organizationSettings = "/organization#credentials"
    static let notifications = "/notifications"
    static let partnerships = "/partnerships"
    static let newPartnership = "/partnerships/new"
    /// Opens a notification: marks it read, then goes where it points.
    static func notification(_ id: UUID?) -> String { "/notifications/\(id?.uuidString.lowercased() ?? "")" }
    static let webhooks = "/organization#webhooks"
    static let webhooksCreate = "/organization/webhooks"
    static func webhookRemove(_ id: UUID) -> String { "/organization/webhooks/\(id.uuidString)/remove" }
    static func webhookEnable(_ id: UUID) -> String { "/organization/webhooks/\(id.uuidString)/enable" }
    static func webhookResend(_ id: UUID, _ delivery: UUID) -> String {
        "/organization/webhooks/\(id.uuidString)/deliveries/\(delivery.uuidString)/resend"
    }
    static let credentialRequests = "/organization#credential-requests"
    /// The account's own settings and the actions on them.
    enum Settings {
        static let page = "/settings"
        static let name = "/settings/name"
        static let email = "/settings/email"
        static let resendVerification = "/settings/email/verify"
        static let password = "/settings/password"
        static let totp = "/settings/totp"
        static let confirmTOTP = "/settings/totp/confirm"
        static let disableTOTP = "/settings/totp/disable"
        static let recoveryCodes = "/settings/recovery-codes"
        static let passkeyOptions = "/settings/passkeys/options"
        static let passkeys = "/settings/passkeys"
        static let notifications = "/settings/notifications"
        static let resetCalendar = "/settings/calendar/reset"
        static func removePasskey(_ id: UUID?) -> String { "/settings/passkeys/\(id?.uuidString ?? "")/remove" }
        static func endSession(_ id: UUID?) -> String { "/settings/sessions/\(id?.uuidString ?? "")/end" }
        static let endAllSessions = "/settings/sessions/end-all"
    }

    /// The second step of signing in, returning to `next` afterwards.
    static func secondFactor(next: String) -> String {
        "/login/second-factor?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    static func mentions(brand key: String) -> String {
        mentions + "?brand=" + (key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }
}
