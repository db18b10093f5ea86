import BonafideCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The rows the one writer inserts and updates without Fluent's reflection (`HandSaved`): each must be the row Fluent
/// would have written, the model left as Fluent leaves it, and a later save must write only what changed.
@Suite("Hand inserts")
struct HandInsertTests {
    /// Each property's value but the id's, as text.
    static func values(_ model: some Fields) -> [String] {
        model.properties.filter { ($0 as? any AnyDatabaseProperty)?.keys.map(\.description) != ["id"] }
            .map { String(describing: $0.anyValue) }
    }

    /// Each stored column but the id, with its value (parents' ids included, see `StoredColumns`).
    static func columns(_ model: some Fields) -> [String: String] {
        StoredColumns.of(model).filter { $0.key != "id" }
    }

    static let meanwhile = "Changed meanwhile"

    /// `make` is written twice, once by hand and once by Fluent: inserted, then `change`d (a change of `column`)
    /// and saved while another server wrote `other`. Both rows must read back the same after each step, and both
    /// models must be left the same; each row is deleted after its turn (a unique column may not repeat).
    func handMatchesFluent<M: HandSaved>(
        _ make: () -> M, change: (M) -> Void, changes column: String, meanwhile other: String, on db: any Database
    ) async throws {
        let listed = make().storedProperties.flatMap(\.keys).map(\.description)
        #expect(listed.sorted() == M.keys.map(\.description).sorted(), "\(M.self) lists every stored property once")

        let sql = try #require(db as? any SQLDatabase)
        func write(byHand: Bool) async throws -> (saved: [String], savedColumns: [String: String], inserted: M, updated: M) {
            let model = make()
            if byHand { try await model.insert(on: db) } else { try await model.create(on: db) }
            // Stored, and holding what it wrote as if read: a save now writes nothing.
            #expect(model._$idExists && !model.hasChanges && StoredColumns.changed(in: model).isEmpty)
            let id = try #require(model.id)
            let saved = Self.values(model)
            let savedColumns = Self.columns(model)
            let inserted = try #require(try await M.find(id, on: db))
            change(model)
            #expect(StoredColumns.changed(in: model) == [column])
            try await sql.raw("UPDATE \(ident: M.schema) SET \(ident: other) = \(bind: Self.meanwhile) WHERE id = \(bind: id)").run()
            if byHand { try await model.updateChanges(on: db) } else { try await model.save(on: db) }
            #expect(!model.hasChanges)
            let updated = try #require(try await M.find(id, on: db))
            try await updated.delete(on: db)
            return (saved, savedColumns, inserted, updated)
        }
        let hand = try await write(byHand: true)
        let fluent = try await write(byHand: false)

        #expect(hand.saved == fluent.saved)
        #expect(hand.savedColumns == fluent.savedColumns)
        #expect(Self.values(hand.inserted) == Self.values(fluent.inserted))
        #expect(Self.columns(hand.inserted) == Self.columns(fluent.inserted))
        #expect(Self.values(hand.updated) == Self.values(fluent.updated))
        #expect(Self.columns(hand.updated) == Self.columns(fluent.updated))
        // The update wrote the change (as Fluent's did, above) and only it: what another server wrote meanwhile survives.
        #expect(Self.columns(hand.updated)[other] == DatabaseQuery.Value.bind(Self.meanwhile).description)
    }

    struct Parties {
        var partnership: UUID
        var alice: UUID
        var bob: UUID
        var northwind: UUID
        var acme: UUID
    }

    func parties(_ app: Application) async throws -> Parties {
        let (a, b, pid) = try await app.activePartnership()
        return Parties(
            partnership: try #require(UUID(uuidString: pid)), alice: try #require(UUID(uuidString: a.id)),
            bob: try #require(UUID(uuidString: b.id)), northwind: try #require(UUID(uuidString: a.organizationID)),
            acme: try #require(UUID(uuidString: b.organizationID)))
    }

    /// A moment with a fraction of a second, stored as each database stores it.
    static let at = Date(timeIntervalSince1970: 1_800_000_000.25)
    static let later = Date(timeIntervalSince1970: 1_900_000_000)

    func thread(_ p: Parties) -> MessageThread {
        let thread = MessageThread()
        thread.$partnership.id = p.partnership
        thread.subject = "Fonts"
        thread.$createdBy.id = p.alice
        thread.createdAt = Self.at
        thread.lastMessageAt = Self.at.addingTimeInterval(5)
        return thread
    }

    @Test func threadsAndMessagesAreTheRowsFluentWrites() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            try await handMatchesFluent(
                { thread(p) }, change: { $0.lastMessageAt = Self.later }, changes: "last_message_at", meanwhile: "subject", on: app.db)

            let inThread = thread(p)
            try await inThread.create(on: app.db)
            let threadID = try #require(inThread.id)
            try await handMatchesFluent(
                {
                    let message = Message()
                    message.$thread.id = threadID
                    message.$partnership.id = p.partnership
                    message.$author.id = p.alice
                    message.$organization.id = p.northwind
                    message.body = "Which fonts?"
                    message.needsResponse = true
                    message.respondedAt = Self.at.addingTimeInterval(60)
                    message.createdAt = Self.at
                    message.sentiment = -0.25
                    message.sentimentDriversJSON = #"[{"phrase":"which"}]"#
                    message.remindedAt = Self.at.addingTimeInterval(120)
                    return message
                }, change: { $0.needsResponse = false }, changes: "needs_response", meanwhile: "body", on: app.db)
        }
    }

    @Test func eventsAreTheRowsFluentWrites() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            let commitment = UUID()
            let incident = UUID()
            try await handMatchesFluent(
                {
                    let event = PartnershipEvent(
                        partnershipID: p.partnership, actorID: p.alice, kind: "commitment.accept", summary: "Alice accepted “Audit”",
                        reason: "In time", commitmentID: commitment, at: Self.at)
                    event.incidentID = incident
                    return event
                }, change: { $0.summary = "Alice accepted “Audit” again" }, changes: "summary", meanwhile: "kind", on: app.db)
            // Without an actor, a reason or what it is about: NULL, as Fluent writes it.
            try await handMatchesFluent(
                { PartnershipEvent(partnershipID: p.partnership, actorID: nil, kind: "record.completed", summary: "Done", at: Self.at) },
                change: { $0.reason = "Late" }, changes: "reason", meanwhile: "summary", on: app.db)
        }
    }

    func mail(_ p: Parties, _ n: Int = 0) -> OutboxMessage {
        let mail = OutboxMessage()
        mail.$organization.id = p.acme
        mail.toEmail = "bob@acme.example"
        mail.subject = "Alice wrote in “Fonts” \(n)"
        mail.body = "Which fonts?"
        mail.kind = Notifier.mailKind
        mail.createdAt = Self.at
        mail.status = .digest
        mail.attempts = 2
        mail.nextAttemptAt = Self.at.addingTimeInterval(3_600)
        mail.claimedUntil = Self.at.addingTimeInterval(30)
        mail.sentAt = Self.at.addingTimeInterval(90)
        mail.lastError = "timeout"
        mail.userID = p.bob
        mail.eventKind = NotificationKind.messageReceived.rawValue
        mail.link = "/partnerships/x/threads/y"
        mail.threadKey = "thread:y"
        mail.dedupeKey = "event|\(n)"
        mail.calendar = "BEGIN:VCALENDAR"
        return mail
    }

    @Test func notificationsAndMailsAreTheRowsFluentWrites() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            try await handMatchesFluent(
                {
                    let notification = BonafideServer.Notification(userID: p.bob, text: "Alice wrote in “Fonts”", link: "/x", at: Self.at)
                    notification.readAt = Self.at.addingTimeInterval(10)
                    return notification
                }, change: { (n: BonafideServer.Notification) in n.readAt = Self.later }, changes: "read_at", meanwhile: "text", on: app.db)
            try await handMatchesFluent(
                { mail(p) }, change: { $0.status = .sent }, changes: "status", meanwhile: "subject", on: app.db)
            // As `Notifier` makes most: queued, nothing optional set but what it sets.
            try await handMatchesFluent(
                {
                    let queued = OutboxMessage()
                    queued.$organization.id = p.acme
                    queued.toEmail = "bob@acme.example"
                    queued.subject = "Hello"
                    queued.body = ""
                    queued.kind = Notifier.mailKind
                    queued.createdAt = Self.at
                    queued.userID = p.bob
                    return queued
                }, change: { $0.attempts = 1 }, changes: "attempts", meanwhile: "body", on: app.db)
        }
    }

    @Test func manyRowsAreInsertedTogetherAsFluentInsertsThem() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            // The parties' invitation and acceptance left mails and notifications of their own.
            try await OutboxMessage.query(on: app.db).delete()
            try await BonafideServer.Notification.query(on: app.db).delete()
            // Different rows in one statement, each the row Fluent writes for it.
            func threeMails() -> [OutboxMessage] {
                (0..<3).map { n in
                    let m = mail(p, n)
                    if n == 1 { m.status = .queued; m.nextAttemptAt = nil }
                    if n == 2 { m.calendar = nil; m.userID = nil }
                    return m
                }
            }
            let hand = threeMails()
            try await hand.insert(on: app.db)
            #expect(hand.allSatisfy { $0._$idExists && !$0.hasChanges })
            let handRows = try await OutboxMessage.query(on: app.db).sort(\.$dedupeKey).all()
            try await OutboxMessage.query(on: app.db).delete()
            try await threeMails().create(on: app.db)
            let fluentRows = try await OutboxMessage.query(on: app.db).sort(\.$dedupeKey).all()
            #expect(handRows.count == 3 && fluentRows.count == 3)
            #expect(handRows.map { Self.values($0) } == fluentRows.map { Self.values($0) })
            #expect(handRows.map { Self.columns($0) } == fluentRows.map { Self.columns($0) })
            #expect(Set(handRows.map(\.id)) == Set(hand.map(\.id)))

            // More rows than one statement may bind (6 columns, 5,000 rows a statement), and more than PostgreSQL takes
            // in the one statement its parts are combined into (4 parts of 25,000 binds): all are written, once each.
            let many = (0..<15_001).map { n in BonafideServer.Notification(userID: p.bob, text: "Update \(n)", link: "/\(n)", at: Self.at) }
            try await many.insert(on: app.db)
            #expect(try await BonafideServer.Notification.query(on: app.db).count() == 15_001)
            #expect(Set(many.compactMap(\.id)).count == 15_001 && many.allSatisfy { $0._$idExists })
            let last = try #require(try await BonafideServer.Notification.find(many[15_000].id, on: app.db))
            #expect(last.text == "Update 15000" && last.link == "/15000" && last.readAt == nil)
            let none: [BonafideServer.Notification] = []
            try await none.insert(on: app.db)
        }
    }

    @Test func commitmentsAreTheRowsFluentWrites() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            try await handMatchesFluent(
                {
                    let c = Commitment()
                    c.$partnership.id = p.partnership
                    c.title = "Audit"
                    c.deliverable = "The audit report"
                    c.acceptanceCriteria = "Signed off"
                    c.$owner.id = p.alice
                    c.$ownerOrganization.id = p.northwind
                    c.$recipientOrganization.id = p.acme
                    c.dueAt = Self.later
                    c.timeZone = "Europe/Berlin"
                    c.status = .proposed
                    c.atRisk = true
                    c.atRiskReason = "Staff ill"
                    c.flaggedAt = Self.at.addingTimeInterval(1)
                    c.proposedDueAt = Self.later.addingTimeInterval(86_400)
                    c.proposedDueReason = "Staff ill"
                    c.dueSoonNotifiedAt = Self.at.addingTimeInterval(2)
                    c.deliveredAt = Self.at.addingTimeInterval(3)
                    c.completedAt = Self.at.addingTimeInterval(4)
                    c.$createdBy.id = p.alice
                    c.createdAt = Self.at
                    c.pendingTitle = "Audit 2"
                    c.pendingDeliverable = "Two reports"
                    c.pendingAcceptanceCriteria = "Both signed"
                    c.pendingChangeSide = .recipient
                    c.pendingChangeBy = p.bob
                    c.pendingChangeAt = Self.at.addingTimeInterval(5)
                    return c
                }, change: { $0.status = .accepted }, changes: "status", meanwhile: "title", on: app.db)
        }
    }

    @Test func aSecondSaveOfAnInsertedModelIsAnUpdate() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            let hand = thread(p)
            try await hand.insert(on: app.db)
            hand.subject = "Fonts and colours"
            // Fluent's own save of it, as later code may do: an update of the row, not a second insert.
            try await hand.save(on: app.db)
            hand.lastMessageAt = Self.later
            try await hand.store(on: app.db)
            let rows = try await MessageThread.query(on: app.db).all()
            #expect(rows.count == 1 && rows.first?.subject == "Fonts and colours" && rows.first?.lastMessageAt == Self.later)
        }
    }

    /// Inserting a stored model again, or updating one never stored, is the caller's mistake: it fails that one write
    /// (a 500, see `ProblemMiddleware`) instead of ending the process and every write waiting in the same batch.
    @Test func insertingAStoredModelAgainThrowsAndChangesNothing() async throws {
        try await withTestApp { app in
            let p = try await parties(app)
            let hand = thread(p)
            try await hand.insert(on: app.db)
            let id = try #require(hand.id)
            let stored = try #require(try await MessageThread.find(id, on: app.db))

            hand.subject = "Fonts again"
            await #expect(throws: HandSavedMisuse.self) { try await hand.insert(on: app.db) }
            let fresh = thread(p)
            await #expect(throws: HandSavedMisuse.self) { try await [fresh, hand].insert(on: app.db) }
            #expect(fresh.id == nil && !fresh._$idExists, "a refused collection gives out no ids")
            // Inside the writer: the write made before the mistake is rolled back with it.
            await #expect(throws: HandSavedMisuse.self) {
                try await app.db.writeTransaction { tx in
                    try await hand.updateChanges(on: tx)
                    try await hand.insert(on: tx)
                }
            }
            await #expect(throws: HandSavedMisuse.self) { try await fresh.updateChanges(on: app.db) }

            let rows = try await MessageThread.query(on: app.db).all()
            #expect(rows.count == 1 && rows.first?.id == id)
            #expect(rows.first.map { Self.values($0) } == Self.values(stored), "the first row is unchanged")
            let problem = ProblemMiddleware.problem(
                for: HandSavedMisuse("A MessageThread is stored already."), logger: .init(label: "test"))
            #expect(problem.status == .internalServerError && problem.detail.hasPrefix("Something went wrong on our side"))
        }
    }

    // MARK: Through the API

    /// The person's mails of one kind (setting up the partnership mailed others).
    func mails(to email: String, of kind: NotificationKind, _ app: Application) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).filter(\.$eventKind == kind.rawValue).all()
    }

    func waiting(_ viewer: String, _ subject: String, _ app: Application) async throws -> Int {
        try await TrustQueueItem.query(on: app.db).filter(\.$viewer.$id == UUID(uuidString: viewer)!)
            .filter(\.$subject.$id == UUID(uuidString: subject)!).filter(\.$claimedUntil == nil).count()
    }

    @Test func aMessageWritesItsThreadMessageEventNotificationMailAndTrustPairs() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let partnership = try #require(UUID(uuidString: pid))
            let asked = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token,
                json: #"{"body":"Can you send the files?","needsResponse":true,"subject":"Files"}"#)
            #expect(asked.status == .created, "\(asked.raw)")
            let message = try #require(try await Message.find(UUID(uuidString: asked.body["id"] as? String ?? ""), on: app.db))
            let threadID = message.$thread.id
            let thread = try #require(try await MessageThread.find(threadID, on: app.db))
            #expect(message.$partnership.id == partnership && message.$author.id == UUID(uuidString: a.id))
            #expect(message.$organization.id == UUID(uuidString: a.organizationID) && message.body == "Can you send the files?")
            #expect(message.needsResponse && message.respondedAt == nil && message.remindedAt == nil && message.sentiment == nil)
            #expect(thread.subject == "Files" && thread.$partnership.id == partnership && thread.$createdBy.id == UUID(uuidString: a.id))
            #expect(thread.createdAt == message.createdAt && thread.lastMessageAt == message.createdAt)

            let events = try await PartnershipEvent.query(on: app.db).filter(\.$kind == "message.request").all()
            let event = try #require(events.first)
            #expect(events.count == 1 && event.$partnership.id == partnership && event.$actor.id == UUID(uuidString: a.id))
            #expect(event.summary == "Alice wrote in “Files” and asks for a response" && event.reason == nil)
            #expect(event.commitmentID == nil && event.incidentID == nil && event.createdAt == message.createdAt)

            let text = "Alice wrote in “Files” and asks for a response"
            let link = SiteURL.thread(partnership, threadID)
            let told = try await BonafideServer.Notification.query(on: app.db).filter(\.$link == link).all()
            #expect(told.count == 1 && told.first?.text == text && told.first?.$user.id == UUID(uuidString: b.id), "\(told.map(\.text))")
            #expect(told.first?.createdAt == message.createdAt && told.first?.readAt == nil)

            let mailed = try await mails(to: b.email, of: .messageNeedsAnswer, app)
            let mail = try #require(mailed.first)
            #expect(mailed.count == 1 && mail.$organization.id == UUID(uuidString: b.organizationID))
            #expect(mail.subject == text && mail.body == "Can you send the files?" && mail.kind == Notifier.mailKind)
            #expect(mail.status == .queued && mail.attempts == 0 && mail.createdAt == message.createdAt)
            #expect(mail.userID == UUID(uuidString: b.id) && mail.eventKind == NotificationKind.messageNeedsAnswer.rawValue)
            #expect(mail.link == link && mail.threadKey == "thread:\(threadID.uuidString.lowercased())")
            #expect(mail.dedupeKey == Notifier.dedupeKey(event.id!.uuidString.lowercased(), UUID(uuidString: b.id)!))
            #expect(mail.calendar == nil && mail.sentAt == nil && mail.lastError == nil && mail.claimedUntil == nil)
            #expect((mail.nextAttemptAt ?? .distantFuture) > mail.createdAt, "held for quiet hours, or sent at once")
            #expect(try await mails(to: a.email, of: .messageNeedsAnswer, app).isEmpty)

            #expect(try await waiting(a.organizationID, b.organizationID, app) == 1)
            #expect(try await waiting(b.organizationID, a.organizationID, app) == 1)

            // A reply in the thread moves it (an update of that column only) and answers the request.
            let replied = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: b.token,
                json: #"{"body":"Sent","threadId":"\#(threadID.uuidString.lowercased())"}"#)
            #expect(replied.status == .created, "\(replied.raw)")
            let reply = try #require(try await Message.find(UUID(uuidString: replied.body["id"] as? String ?? ""), on: app.db))
            let moved = try #require(try await MessageThread.find(threadID, on: app.db))
            #expect(moved.lastMessageAt == reply.createdAt && moved.subject == "Files" && moved.createdAt == thread.createdAt)
            #expect(try await MessageThread.query(on: app.db).count() == 1)
            #expect(try await Message.find(message.id, on: app.db)?.respondedAt == reply.createdAt)
            #expect(
                try await mails(to: a.email, of: .messageReceived, app).map(\.threadKey) == ["thread:\(threadID.uuidString.lowercased())"])
        }
    }

    @Test func aProposalAndItsAcceptanceWriteTheCommitmentEventsNotificationsAndMails() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let partnership = try #require(UUID(uuidString: pid))
            let due = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 9 * 86_400).rounded())
            let proposed = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Audit","deliverable":"The audit report","dueAt":"\#(rfc3339(due))"}"#)
            #expect(proposed.status == .created, "\(proposed.raw)")
            let cid = try #require(UUID(uuidString: proposed.body["id"] as? String ?? ""))
            let c = try #require(try await Commitment.find(cid, on: app.db))
            #expect(c.$partnership.id == partnership && c.title == "Audit" && c.deliverable == "The audit report")
            #expect(c.acceptanceCriteria == "" && c.$owner.id == UUID(uuidString: a.id) && c.$createdBy.id == UUID(uuidString: a.id))
            #expect(c.$ownerOrganization.id == UUID(uuidString: a.organizationID))
            #expect(c.$recipientOrganization.id == UUID(uuidString: b.organizationID))
            #expect(c.dueAt == due && c.timeZone == "Europe/Berlin" && c.status == .proposed && !c.atRisk)
            #expect(c.atRiskReason == nil && c.flaggedAt == nil && c.proposedDueAt == nil && c.deliveredAt == nil)
            #expect(c.completedAt == nil && c.dueSoonNotifiedAt == nil && c.pendingTitle == nil && c.pendingChangeBy == nil)

            let event = try #require(try await PartnershipEvent.query(on: app.db).filter(\.$kind == "commitment.proposed").first())
            #expect(event.commitmentID == cid && event.$actor.id == UUID(uuidString: a.id) && event.createdAt == c.createdAt)
            #expect(event.summary == "Alice proposed “Audit”, owned by Alice")
            let link = SiteURL.commitment(partnership, cid)
            let told = try await BonafideServer.Notification.query(on: app.db).filter(\.$link == link).all()
            #expect(told.map(\.text) == ["Alice proposes “Audit” in Relaunch; accept or decline it"])
            #expect(told.first?.$user.id == UUID(uuidString: b.id))
            let mailed = try #require(try await mails(to: b.email, of: .commitmentProposed, app).first)
            #expect(mailed.threadKey == Commitments.threadKey(cid) && mailed.link == link && mailed.status == .queued)
            #expect(mailed.eventKind == NotificationKind.commitmentProposed.rawValue && mailed.body.hasPrefix("Due "))
            #expect(mailed.dedupeKey == Notifier.dedupeKey(event.id!.uuidString.lowercased(), UUID(uuidString: b.id)!))

            let accepted = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: b.token, json: #"{"action":"accept"}"#)
            #expect(accepted.status == .ok, "\(accepted.raw)")
            let after = try #require(try await Commitment.find(cid, on: app.db))
            #expect(after.status == .accepted)
            // Nothing else of the row changed.
            after.status = .proposed
            #expect(HandInsertTests.values(after) == HandInsertTests.values(c))
            let acceptance = try #require(try await PartnershipEvent.query(on: app.db).filter(\.$kind == "commitment.accept").first())
            #expect(acceptance.commitmentID == cid && acceptance.$actor.id == UUID(uuidString: b.id))
            let alices = try await mails(to: a.email, of: .commitment(.accept), app)
            #expect(alices.count == 1 && alices.first?.threadKey == Commitments.threadKey(cid))
            #expect(try await waiting(a.organizationID, b.organizationID, app) == 1)
            #expect(try await waiting(b.organizationID, a.organizationID, app) == 1)
        }
    }
}
