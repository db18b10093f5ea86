import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// What a write in a partnership reads before its transaction (`PartnershipAudience`) and what the trust recompute
/// reads of its partnerships, both read with plain SQL column by column: each must be what the Fluent queries and the
/// `Decodable` rows they replaced read, and a loaded model must still save as an update of what changed.
@Suite("Audience load")
struct AudienceLoadTests {
    func user(_ account: Account, _ app: Application) async throws -> User {
        try #require(try await User.find(UUID(uuidString: account.id), on: app.db))
    }

    func hook(_ app: Application, by owner: Account, events: String) async throws -> UUID {
        let r = try await app.api(.POST, "/webhooks", token: owner.token, json: #"{"url":"http://127.0.0.1:9/hook","events":\#(events)}"#)
        #expect(r.status == .created, "\(r.raw)")
        return try #require(UUID(uuidString: r.body["id"] as? String ?? ""))
    }

    /// Each model by id with its values and stored columns as text, for comparing a hand load with Fluent's.
    func described<M: Model>(_ models: [M]) -> [String: [String]] where M.IDValue == UUID {
        var described: [String: [String]] = [:]
        for m in models {
            let columns: [String] = StoredColumns.of(m).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            described[m.id?.uuidString ?? "none"] = SessionLookupTests.values(m) + columns
        }
        return described
    }

    @Test func theAudienceIsWhatTheFluentQueriesRead() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let id = try #require(UUID(uuidString: pid))
            let p = try #require(try await Partnership.find(id, on: app.db))
            let alice = try await user(a, app)
            let ann = try await app.invitedMember(of: a, role: "member", name: "Ann")
            try await Partnerships.addMember(p, userID: UUID(uuidString: ann.id), by: Actor(user: alice), on: app.db)
            let put = try await app.api(
                .PUT, "/me/notifications", token: b.token,
                json: #"{"digestHour":9,"quietStart":"21:30","quietEnd":"06:45","workDays":[1,5],"modes":{"message.received":"off"}}"#)
            #expect(put.status == .ok, "\(put.raw)")
            let acmeHook = try await hook(app, by: b, events: #"["message.*"]"#)
            let northwindHook = try await hook(app, by: a, events: #"["*"]"#)
            let offHook = try await hook(app, by: b, events: #"["*"]"#)
            try await Webhook.query(on: app.db).filter(\.$id == offHook).set(\.$disabledAt, to: Date())
                .set(\.$disabledReason, to: "The endpoint answered 410 Gone").update()
            // Another partnership's side and its endpoint are nobody's audience here.
            let (c, _, _) = try await app.activePartnership(("Carol", "Globex"), ("Dan", "Initech"))
            let elsewhere = try await hook(app, by: c, events: #"["*"]"#)

            let audience = try await PartnershipAudience.load(of: p, on: app.db)

            // The old reads, as the reference.
            let rows = try await PartnershipMember.query(on: app.db).join(User.self, on: \PartnershipMember.$user.$id == \User.$id)
                .filter(\.$partnership.$id == id).all()
            let fluentMembers = try rows.map { (user: try $0.joined(User.self), organizationID: $0.$organization.id) }
            let userIDs = fluentMembers.compactMap(\.user.id)
            let fluentSettings = try await NotificationSettings.query(on: app.db).filter(\.$user.$id ~~ userIDs).all()
            let sides = [p.$organization.id, try #require(p.$partner.id)]
            let fluentHooks = try await Webhook.query(on: app.db).filter(\.$organization.$id ~~ sides).filter(\.$disabledAt == nil).all()

            #expect(audience.partnershipID == id)
            #expect(Set(audience.members.map(\.user.name)) == ["Alice", "Bob", "Ann"])
            #expect(audience.members.count == fluentMembers.count)
            #expect(Set(audience.members.map(\.user.email)) == Set(fluentMembers.map(\.user.email)))
            let sideOf = Dictionary(fluentMembers.map { ($0.user.id!, $0.organizationID) }, uniquingKeysWith: { a, _ in a })
            for member in audience.members {
                let userID = try #require(member.user.id)
                #expect(member.organizationID == sideOf[userID], "\(member.user.name)")
                #expect(member.organizationID == member.user.$organization.id, "everyone here is a member for their own side")
                #expect(!member.user.hasChanges && member.user._$idExists)
            }
            #expect(described(audience.members.map(\.user)) == described(fluentMembers.map(\.user)))
            #expect(audience.people(on: UUID(uuidString: b.organizationID), except: nil).map(\.name) == ["Bob"])

            let bob = try await user(b, app)
            #expect(audience.settings.count == fluentSettings.count && audience.settings.count >= 1)
            let bobs = try #require(audience.settings[bob.id!])
            #expect(bobs.digestHour == 9 && bobs.quietStart == 21 * 60 + 30 && bobs.quietEnd == 6 * 60 + 45)
            #expect(bobs.workDays == [1, 5] && bobs.mode(for: .messageReceived) == .off && bobs.lastDigestAt != nil)
            #expect(described(Array(audience.settings.values)) == described(fluentSettings))
            for (person, settings) in audience.settings { #expect(settings.$user.id == person) }

            #expect(Set(audience.webhooks.compactMap(\.id)) == [acmeHook, northwindHook])
            #expect(!audience.webhooks.contains { $0.id == offHook || $0.id == elsewhere })
            #expect(described(audience.webhooks) == described(fluentHooks))
            #expect(audience.webhooks.allSatisfy { !$0.hasChanges && $0._$idExists })

            // A turned-off endpoint, read by hand, has its reason and time as Fluent reads them.
            let offRow = try #require(try await app.db.sql().raw("SELECT * FROM webhooks WHERE id = \(bind: offHook)").first())
            let off = try Webhook.load(from: RowOutput(row: offRow))
            let fluentOff = try #require(try await Webhook.find(offHook, on: app.db))
            #expect(off.disabledReason == "The endpoint answered 410 Gone" && off.disabledAt != nil)
            #expect(described([off]) == described([fluentOff]))

            // Nobody to ask about: no statement, no settings.
            #expect(try await Notifier.settings(of: [], on: app.db).isEmpty)
        }
    }

    @Test func aLoadedSettingsRowAndEndpointSaveOnlyWhatChanged() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let put = try await app.api(.PUT, "/me/notifications", token: b.token, json: #"{"digestHour":9}"#)
            #expect(put.status == .ok, "\(put.raw)")
            let hookID = try await hook(app, by: a, events: #"["message.*"]"#)
            let bob = try await user(b, app)
            let audience = try await PartnershipAudience.load(of: p, on: app.db)

            let settings = try #require(audience.settings[bob.id!])
            #expect(StoredColumns.changed(in: settings).isEmpty && !settings.hasChanges)
            try await NotificationSettings.query(on: app.db).filter(\.$user.$id == bob.id!).set(\.$calendarVersion, to: 4).update()
            settings.digestHour = 11
            #expect(StoredColumns.changed(in: settings) == ["digest_hour"])
            try await settings.save(on: app.db)
            let savedSettings = try #require(try await NotificationSettings.query(on: app.db).filter(\.$user.$id == bob.id!).first())
            #expect(savedSettings.digestHour == 11 && savedSettings.calendarVersion == 4, "a change made meanwhile survives")
            #expect(try await NotificationSettings.query(on: app.db).count() == 1)

            let hook = try #require(audience.webhooks.first { $0.id == hookID })
            #expect(StoredColumns.changed(in: hook).isEmpty && !hook.hasChanges)
            try await Webhook.query(on: app.db).filter(\.$id == hookID).set(\.$eventsText, to: "*").update()
            let at = Date()
            hook.disabledAt = at
            #expect(StoredColumns.changed(in: hook) == ["disabled_at"])
            try await hook.save(on: app.db)
            let savedHook = try #require(try await Webhook.find(hookID, on: app.db))
            #expect(savedHook.eventsText == "*" && savedHook.url == "http://127.0.0.1:9/hook", "a change made meanwhile survives")
            #expect(abs((savedHook.disabledAt ?? .distantPast).timeIntervalSince(at)) < 0.001)
            #expect(try await Webhook.query(on: app.db).count() == 1)
            #expect(try await Webhooks.enabled(of: p, on: app.db).isEmpty, "turned off: no longer enabled")
        }
    }

    // The rows the recompute read through `all(decoding:)`, with the keys they had, as the reference.

    struct OldMessageFacts: Decodable {
        var partnership: UUID
        var organization: UUID
        var needsResponse: Bool
        var respondedAt: Date?
        var createdAt: Date
        var topic: String

        enum CodingKeys: String, CodingKey {
            case partnership = "partnership_id", organization = "organization_id", needsResponse = "needs_response"
            case respondedAt = "responded_at", createdAt = "created_at", topic = "subject"
        }
    }

    struct OldPromiseFacts: Decodable {
        var id: UUID
        var partnership: UUID
        var owner: UUID
        var recipient: UUID
        var title: String
        var status: CommitmentStatus
        var dueAt: Date
        var atRisk: Bool
        var atRiskReason: String?
        var proposedDueAt: Date?
        var proposedDueReason: String?
        var flaggedAt: Date?
        var deliveredAt: Date?
        var completedAt: Date?
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, title, status
            case partnership = "partnership_id", owner = "owner_organization_id", recipient = "recipient_organization_id"
            case dueAt = "due_at", atRisk = "at_risk", atRiskReason = "at_risk_reason", proposedDueAt = "proposed_due_at"
            case proposedDueReason = "proposed_due_reason", flaggedAt = "flagged_at", deliveredAt = "delivered_at"
            case completedAt = "completed_at", createdAt = "created_at"
        }
    }

    struct OldSharedPartnership: Decodable {
        var id: UUID
        var organization: UUID
        var partner: UUID?
        var name: String
        var status: PartnershipStatus
        var createdAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, name, status
            case organization = "organization_id", partner = "partner_organization_id", createdAt = "created_at"
        }
    }

    struct OldSendBackFacts: Decodable {
        var partnership: UUID
        var commitmentID: UUID?
        var reason: String?
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case partnership = "partnership_id", commitmentID = "commitment_id", reason, createdAt = "created_at"
        }
    }

    /// One line per row, sorted: the reads keep no order the evidence relies on (it sorts its items itself). Dates
    /// to the fraction of a second, which their description leaves out.
    func lines(_ rows: [[Any?]]) -> [String] {
        func text(_ value: Any?) -> String {
            guard let value else { return "nil" }
            if let date = value as? Date { return "\(date.timeIntervalSince1970)" }
            return "\(value)"
        }
        return rows.map { $0.map(text).joined(separator: " | ") }.sorted()
    }

    @Test func theTrustFactsAreWhatDecodingTheRowsRead() async throws {
        try await withTestApp { app in
            let now = Date()
            #expect(try await DemoSeed.run(on: app, now: now))
            let sql = try app.db.sql()
            let partnerships = try await Partnership.query(on: app.db).all()
            let ids = try partnerships.map { try $0.requireID() }
            #expect(ids.count >= 3)

            let messages = try await TrustService.messageFacts(in: ids, on: app.db)
            let oldMessages = try await sql.raw(
                """
                SELECT m.partnership_id, m.organization_id, m.needs_response, m.responded_at, m.created_at, t.subject
                FROM messages m JOIN message_threads t ON t.id = m.thread_id
                WHERE m.partnership_id IN \(SQLBind.group(ids))
                """
            ).all(decoding: OldMessageFacts.self)
            #expect(messages.count == oldMessages.count && messages.count > 10)
            #expect(messages.contains { $0.needsResponse && $0.respondedAt != nil }, "the demo has answered requests")
            let messageLines = lines(
                messages.map { m -> [Any?] in [m.partnership, m.organization, m.needsResponse, m.respondedAt, m.createdAt, m.topic] })
            let oldMessageLines = lines(
                oldMessages.map { m -> [Any?] in [m.partnership, m.organization, m.needsResponse, m.respondedAt, m.createdAt, m.topic] })
            #expect(messageLines == oldMessageLines)
            // The one pair's read too: one side's messages in one partnership.
            let sample = try #require(oldMessages.first)
            let first = try #require(partnerships.first { $0.id == sample.partnership })
            let bySide = try await TrustService.messageFacts(in: [sample.partnership], by: [sample.organization], on: app.db)
            let bySideOld = oldMessages.filter { $0.partnership == sample.partnership && $0.organization == sample.organization }
            #expect(!bySide.isEmpty && bySide.count == bySideOld.count)
            #expect(bySide.allSatisfy { $0.partnership == sample.partnership && $0.organization == sample.organization })

            let promises = try await TrustService.promiseFacts(in: ids, on: app.db)
            let oldPromises = try await sql.select().columns(TrustService.promiseColumns).from(Commitment.schema)
                .where("partnership_id", .in, SQLBind.group(ids)).all(decoding: OldPromiseFacts.self)
            #expect(promises.count == oldPromises.count && promises.count > 10)
            #expect(Set(promises.map(\.status)).count >= 4, "the demo's commitments are in many states")
            #expect(promises.contains { $0.atRisk } && promises.contains { $0.completedAt != nil })
            let promiseLines = lines(
                promises.map { c -> [Any?] in
                    [
                        c.id, c.partnership, c.owner, c.recipient, c.title, c.status, c.dueAt, c.atRisk, c.atRiskReason, c.proposedDueAt,
                        c.proposedDueReason, c.flaggedAt, c.deliveredAt, c.completedAt, c.createdAt,
                    ]
                })
            let oldPromiseLines = lines(
                oldPromises.map { c -> [Any?] in
                    [
                        c.id, c.partnership, c.owner, c.recipient, c.title, c.status, c.dueAt, c.atRisk, c.atRiskReason, c.proposedDueAt,
                        c.proposedDueReason, c.flaggedAt, c.deliveredAt, c.completedAt, c.createdAt,
                    ]
                })
            #expect(promiseLines == oldPromiseLines)

            let shared = try await TrustService.sharedPartnerships(first.$organization.id, try #require(first.$partner.id), on: app.db)
            let oldShared = try await sql.select().columns(TrustService.sharedPartnershipColumns).from(Partnership.schema)
                .where("id", .in, SQLBind.group(shared.map(\.id))).all(decoding: OldSharedPartnership.self)
            #expect(!shared.isEmpty && shared.count == oldShared.count)
            let sharedLines = lines(shared.map { p -> [Any?] in [p.id, p.organization, p.partner, p.name, p.status, p.createdAt] })
            let oldSharedLines = lines(oldShared.map { p -> [Any?] in [p.id, p.organization, p.partner, p.name, p.status, p.createdAt] })
            #expect(sharedLines == oldSharedLines)

            let sendBacks = try await TrustService.sendBackFacts(in: ids, on: app.db)
            let oldSendBacks = try await sql.select().columns("partnership_id", "commitment_id", "reason", "created_at")
                .from(PartnershipEvent.schema).where("partnership_id", .in, SQLBind.group(ids))
                .where("kind", .equal, SQLBind("commitment.sendBack")).all(decoding: OldSendBackFacts.self)
            #expect(!sendBacks.isEmpty, "the demo sends work back")
            let sendBackLines = lines(sendBacks.map { e -> [Any?] in [e.partnership, e.commitmentID, e.reason, e.createdAt] })
            let oldSendBackLines = lines(oldSendBacks.map { e -> [Any?] in [e.partnership, e.commitmentID, e.reason, e.createdAt] })
            #expect(sendBackLines == oldSendBackLines)
        }
    }
}
