import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// Who hears of a message, a commitment's step and an incident's step: the other side's members in the app and by
/// mail as each chose, and the webhooks that listen; and which requests a message answers. Pinned by what people
/// and receivers get, whichever way the write reads its audience.
@Suite("Write audience")
struct WriteAudienceTests {
    func actor(_ account: Account, _ app: Application) async throws -> Actor {
        Actor(user: try #require(try await User.find(UUID(uuidString: account.id), on: app.db)))
    }

    /// A colleague of `inviter`, made a member of the partnership.
    func member(of inviter: Account, named name: String, in pid: String, _ app: Application) async throws -> Account {
        let colleague = try await app.invitedMember(of: inviter, role: "member", name: name)
        let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
        try await Partnerships.addMember(p, userID: UUID(uuidString: colleague.id), by: try await actor(inviter, app), on: app.db)
        return colleague
    }

    func hook(_ app: Application, by owner: Account, events: String) async throws -> UUID {
        let r = try await app.api(.POST, "/webhooks", token: owner.token, json: #"{"url":"http://127.0.0.1:9/hook","events":\#(events)}"#)
        #expect(r.status == .created, "\(r.raw)")
        return try #require(UUID(uuidString: r.body["id"] as? String ?? ""))
    }

    func deliveries(of hook: UUID, _ app: Application) async throws -> [String] {
        try await WebhookDelivery.query(on: app.db).filter(\.$webhook.$id == hook).sort(\.$createdAt).all().map(\.eventType)
    }

    /// The person's notifications in the app whose text says `words`.
    func told(_ person: Account, _ words: String, _ app: Application) async throws -> [String] {
        let items = try await app.api(.GET, "/notifications", token: person.token).body["items"] as? [[String: Any]] ?? []
        return items.compactMap { $0["text"] as? String }.filter { $0.contains(words) }
    }

    func mails(to person: Account, of kind: NotificationKind, _ app: Application) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$toEmail == person.email).filter(\.$eventKind == kind.rawValue).all()
    }

    func post(_ app: Application, _ pid: String, by person: Account, _ json: String) async throws -> String {
        let r = try await app.api(.POST, "/partnerships/\(pid)/messages", token: person.token, json: json)
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    func respondedAt(_ id: String, _ app: Application) async throws -> Date? {
        try #require(try await Message.find(UUID(uuidString: id), on: app.db)).respondedAt
    }

    @Test func aMessageTellsTheOtherSidesMembersAsEachChoseAndItsListeningWebhookOnce() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let ann = try await member(of: a, named: "Ann", in: pid, app)
            let bea = try await member(of: b, named: "Bea", in: pid, app)
            let off = try await app.api(.PUT, "/me/notifications", token: bea.token, json: #"{"modes":{"message.received":"off"}}"#)
            #expect(off.status == .ok, "\(off.raw)")
            let acmeHook = try await hook(app, by: b, events: #"["message.*"]"#)
            let northwindHook = try await hook(app, by: a, events: #"["commitment.*"]"#)

            _ = try await post(app, pid, by: a, #"{"body":"The draft is ready","subject":"Draft"}"#)

            #expect(try await told(b, "Alice wrote in “Draft”", app).count == 1)
            #expect(try await told(bea, "Alice wrote in “Draft”", app).count == 1, "turned off: still told in the app")
            #expect(try await told(a, "wrote in", app).isEmpty, "never the actor")
            #expect(try await told(ann, "wrote in", app).isEmpty, "nor the actor's own side")
            let bobs = try await mails(to: b, of: .messageReceived, app)
            #expect(bobs.count == 1 && bobs.first?.body == "The draft is ready" && bobs.first?.status == .queued)
            #expect(try await mails(to: bea, of: .messageReceived, app).isEmpty, "turned off: no mail")
            #expect(try await mails(to: a, of: .messageReceived, app).isEmpty)
            #expect(try await mails(to: ann, of: .messageReceived, app).isEmpty)
            #expect(try await deliveries(of: acmeHook, app) == ["message.posted"])
            #expect(try await deliveries(of: northwindHook, app).isEmpty, "it listens to commitments only")

            // A second message is a second event: told and mailed again, delivered again.
            _ = try await post(app, pid, by: a, #"{"body":"And the appendix","subject":"Appendix"}"#)
            #expect(try await mails(to: b, of: .messageReceived, app).count == 2)
            #expect(try await told(bea, "Alice wrote in “Appendix”", app).count == 1)
            #expect(try await deliveries(of: acmeHook, app) == ["message.posted", "message.posted"])
        }
    }

    @Test func aMessageAnswersTheOtherSidesOpenRequestsInItsThreadNotItsOwnSidesNorOtherThreads() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let ann = try await member(of: a, named: "Ann", in: pid, app)
            let asked = try await post(app, pid, by: a, #"{"body":"Can you send the files?","needsResponse":true,"subject":"Files"}"#)
            let thread = try #require(try await Message.find(UUID(uuidString: asked), on: app.db)).$thread.id.uuidString.lowercased()
            let elsewhere = try await post(app, pid, by: b, #"{"body":"When is the review?","needsResponse":true,"subject":"Review"}"#)

            _ = try await post(app, pid, by: ann, #"{"body":"Adding the link","threadId":"\#(thread)"}"#)
            #expect(try await respondedAt(asked, app) == nil, "a colleague on the asking side does not answer it")

            let reply = try await post(app, pid, by: b, #"{"body":"Which files?","needsResponse":true,"threadId":"\#(thread)"}"#)
            #expect(try await respondedAt(asked, app) != nil)
            #expect(try await respondedAt(reply, app) == nil, "a request does not answer itself")
            #expect(try await respondedAt(elsewhere, app) == nil)
            let summaries = try await PartnershipEvent.query(on: app.db).all().map(\.summary)
            #expect(summaries.contains("Bob wrote in “Files” and asks for a response, answering 1 open request"), "\(summaries)")

            _ = try await post(app, pid, by: a, #"{"body":"The invoices","threadId":"\#(thread)"}"#)
            #expect(try await respondedAt(reply, app) != nil)
            #expect(try await respondedAt(elsewhere, app) == nil, "a request in another thread stays open")
            let threads = try await app.api(.GET, "/partnerships/\(pid)/threads", token: a.token).list
            #expect(threads.compactMap { $0["openRequests"] as? Int }.reduce(0, +) == 1, "\(threads)")
        }
    }

    @Test func aCommitmentStepStillTellsTheOtherSideAndQueuesItsWebhooks() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let northwindHook = try await hook(app, by: a, events: #"["commitment.*"]"#)
            let proposed = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Audit","dueAt":"\#(rfc3339(Date().addingTimeInterval(9 * 86_400)))"}"#)
            #expect(proposed.status == .created, "\(proposed.raw)")
            let cid = proposed.body["id"] as? String ?? ""
            let accepted = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: b.token, json: #"{"action":"accept"}"#)
            #expect(accepted.status == .ok, "\(accepted.raw)")

            #expect(try await told(a, "Bob accepted “Audit” in Relaunch", app).count == 1)
            #expect(try await mails(to: a, of: .commitment(.accept), app).count == 1)
            #expect(try await mails(to: b, of: .commitment(.accept), app).isEmpty, "never the actor")
            #expect(try await deliveries(of: northwindHook, app) == ["commitment.proposed", "commitment.accept"])
            // Refused the second time: nothing more is told or queued.
            let again = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: b.token, json: #"{"action":"accept"}"#)
            #expect(again.status == .conflict)
            #expect(try await mails(to: a, of: .commitment(.accept), app).count == 1)
            #expect(try await deliveries(of: northwindHook, app).count == 2)
        }
    }

    @Test func anIncidentStepStillTellsTheOtherSideAndQueuesItsWebhooks() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let northwindHook = try await hook(app, by: a, events: #"["incident.*"]"#)
            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: a.token,
                json:
                    #"{"title":"Report sent to the wrong client","description":"Our Q3 report reached another customer.","severity":"major"}"#
            )
            #expect(raised.status == .created, "\(raised.raw)")
            let iid = raised.body["id"] as? String ?? ""
            let acknowledged = try await app.api(
                .POST, "/partnerships/\(pid)/incidents/\(iid)/transitions", token: b.token,
                json: #"{"action":"acknowledge","note":"Looking into it"}"#)
            #expect(acknowledged.status == .ok, "\(acknowledged.raw)")

            #expect(try await told(a, "Bob acknowledged the incident “Report sent to the wrong client”", app).count == 1)
            let mailed = try await mails(to: a, of: .incidentUpdated, app)
            #expect(mailed.count == 1 && mailed.first?.body == "Looking into it")
            #expect(try await mails(to: b, of: .incidentUpdated, app).isEmpty, "never the actor")
            #expect(try await deliveries(of: northwindHook, app) == ["incident.raised", "incident.acknowledge"])
        }
    }

    /// Mails to the person whose subject says `words`.
    func mails(to person: Account, saying words: String, _ app: Application) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$toEmail == person.email).all().filter { $0.subject.contains(words) }
    }

    func memberships(of person: Account, in pid: String, _ app: Application) async throws -> [PartnershipMember] {
        try await PartnershipMember.query(on: app.db).filter(\.$partnership.$id == UUID(uuidString: pid)!)
            .filter(\.$user.$id == UUID(uuidString: person.id)!).all()
    }

    @Test func aProposalTellsTheOtherSideAsEachChoseQueuesBothSidesWebhooksAndMakesItsOwnerAMemberOnce() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let ann = try await member(of: a, named: "Ann", in: pid, app)
            let bea = try await member(of: b, named: "Bea", in: pid, app)
            // A colleague of Alice's who is not in the partnership yet: owning a commitment makes her a member.
            let cleo = try await app.invitedMember(of: a, role: "member", name: "Cleo")
            let off = try await app.api(.PUT, "/me/notifications", token: bea.token, json: #"{"modes":{"commitment.proposed":"off"}}"#)
            #expect(off.status == .ok, "\(off.raw)")
            let acmeHook = try await hook(app, by: b, events: #"["commitment.*"]"#)
            let northwindHook = try await hook(app, by: a, events: #"["message.*"]"#)
            let due = rfc3339(Date().addingTimeInterval(9 * 86_400))
            #expect(try await memberships(of: cleo, in: pid, app).isEmpty)

            for title in ["Audit", "Second audit"] {
                let proposed = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: a.token,
                    json: #"{"title":"\#(title)","deliverable":"The audit report","dueAt":"\#(due)","ownerId":"\#(cleo.id)"}"#)
                #expect(proposed.status == .created, "\(proposed.raw)")
            }

            #expect(try await told(b, "Cleo proposes “Audit” in Relaunch; accept or decline it", app).count == 1)
            #expect(try await told(bea, "Cleo proposes “Audit” in Relaunch", app).count == 1, "turned off: still told in the app")
            #expect(try await told(a, "proposes", app).isEmpty, "never the actor")
            #expect(try await told(ann, "proposes", app).isEmpty, "nor the actor's own side")
            #expect(try await told(cleo, "proposes", app).isEmpty, "nor the owner, on the proposing side")
            let bobs = try await mails(to: b, of: .commitmentProposed, app)
            #expect(bobs.count == 2, "one mail per proposal")
            #expect(
                bobs.allSatisfy { $0.body.hasPrefix("Due ") && $0.body.hasSuffix("Deliverable: The audit report") && $0.status == .queued })
            #expect(try await mails(to: bea, of: .commitmentProposed, app).isEmpty, "turned off: no mail")
            #expect(try await mails(to: a, of: .commitmentProposed, app).isEmpty)
            #expect(try await mails(to: ann, of: .commitmentProposed, app).isEmpty)
            #expect(try await deliveries(of: acmeHook, app) == ["commitment.proposed", "commitment.proposed"])
            #expect(try await deliveries(of: northwindHook, app).isEmpty, "it listens to messages only")
            let cleos = try await memberships(of: cleo, in: pid, app)
            #expect(cleos.count == 1, "a member once, however many commitments she owns")
            #expect(cleos.first?.$organization.id == UUID(uuidString: a.organizationID))
            // Alice was a member already: proposing did not add her again.
            #expect(try await memberships(of: a, in: pid, app).count == 1)
        }
    }

    @Test func raisingAnIncidentTellsTheOtherSideAsEachChoseAndQueuesItsWebhookOnce() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let ann = try await member(of: a, named: "Ann", in: pid, app)
            let bea = try await member(of: b, named: "Bea", in: pid, app)
            let off = try await app.api(.PUT, "/me/notifications", token: bea.token, json: #"{"modes":{"incident.raised":"off"}}"#)
            #expect(off.status == .ok, "\(off.raw)")
            let acmeHook = try await hook(app, by: b, events: #"["incident.*"]"#)
            let otherHook = try await hook(app, by: b, events: #"["commitment.*"]"#)

            let raised = try await app.api(
                .POST, "/partnerships/\(pid)/incidents", token: a.token,
                json:
                    #"{"title":"Report sent to the wrong client","description":"Our Q3 report reached another customer.","severity":"major"}"#
            )
            #expect(raised.status == .created, "\(raised.raw)")

            let line = "An incident was raised against your side in Relaunch: “Report sent to the wrong client”; acknowledge it"
            #expect(try await told(b, line, app).count == 1)
            #expect(try await told(bea, line, app).count == 1, "turned off: still told in the app")
            #expect(try await told(a, "incident", app).isEmpty, "never the actor")
            #expect(try await told(ann, "incident", app).isEmpty, "nor the actor's own side")
            let bobs = try await mails(to: b, of: .incidentRaised, app)
            #expect(bobs.count == 1 && bobs.first?.body == "Severity: major.\n\nOur Q3 report reached another customer.")
            #expect(try await mails(to: bea, of: .incidentRaised, app).isEmpty, "turned off: no mail")
            #expect(try await mails(to: a, of: .incidentRaised, app).isEmpty)
            #expect(try await mails(to: ann, of: .incidentRaised, app).isEmpty)
            #expect(try await deliveries(of: acmeHook, app) == ["incident.raised"])
            #expect(try await deliveries(of: otherHook, app).isEmpty, "it listens to commitments only")
        }
    }

    @Test func aCheckInsNotesTellTheOtherSideAsEachChoseAndQueueItsWebhook() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let ann = try await member(of: a, named: "Ann", in: pid, app)
            let bea = try await member(of: b, named: "Bea", in: pid, app)
            let off = try await app.api(.PUT, "/me/notifications", token: bea.token, json: #"{"modes":{"checkIn.changed":"off"}}"#)
            #expect(off.status == .ok, "\(off.raw)")
            let acmeHook = try await hook(app, by: b, events: #"["checkin.*"]"#)
            // On a quarter hour: a meeting is named by its exact start, which must survive the round trip.
            let first = Date(timeIntervalSince1970: (Date().addingTimeInterval(3_600).timeIntervalSince1970 / 900).rounded(.up) * 900)
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/check-ins", token: a.token, json: #"{"frequency":"weekly","firstAt":"\#(rfc3339(first))"}"#)
            #expect(created.status == .created, "\(created.raw)")
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let cid = try #require(created.body["id"] as? String)
            let c = try #require(try await CheckIn.find(UUID(uuidString: cid), on: app.db))
            let alice = try await actor(a, app)

            _ = try await CheckIns.record(
                c, meeting: first, held: true, notes: "Agreed the launch plan", in: p, by: alice, now: first.addingTimeInterval(7_200),
                on: app.db)

            #expect(try await told(b, "Alice noted the check-in “Check-in” of", app).count == 1)
            #expect(try await told(bea, "Alice noted the check-in", app).count == 1, "turned off: still told in the app")
            #expect(try await told(a, "noted the check-in", app).isEmpty, "never the actor")
            #expect(try await told(ann, "noted the check-in", app).isEmpty, "nor the actor's own side")
            let bobs = try await mails(to: b, saying: "noted the check-in", app)
            #expect(
                bobs.count == 1 && bobs.first?.body == "Agreed the launch plan"
                    && bobs.first?.eventKind == NotificationKind.checkIn.rawValue)
            #expect(try await mails(to: bea, saying: "noted the check-in", app).isEmpty, "turned off: no mail")
            #expect(try await mails(to: ann, saying: "noted the check-in", app).isEmpty)
            #expect(try await deliveries(of: acmeHook, app) == ["checkin.scheduled", "checkin.held"])
        }
    }

    @Test func aNewAgreementVersionTellsEveryoneButItsAuthorAsEachChoseAndQueuesBothSidesWebhooks() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let ann = try await member(of: a, named: "Ann", in: pid, app)
            let bea = try await member(of: b, named: "Bea", in: pid, app)
            let off = try await app.api(.PUT, "/me/notifications", token: bea.token, json: #"{"modes":{"partnership.changed":"off"}}"#)
            #expect(off.status == .ok, "\(off.raw)")
            let acmeHook = try await hook(app, by: b, events: #"["agreement.*"]"#)
            let northwindHook = try await hook(app, by: a, events: #"["agreement.*"]"#)

            let saved = try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: a.token, json: #"{"text":"v2 text"}"#)
            #expect(saved.status == .created, "\(saved.raw)")

            let line = "Alice changed the agreement of Relaunch (version 2)"
            #expect(try await told(b, line, app).count == 1)
            #expect(try await told(ann, line, app).count == 1, "the author's own side is told too")
            #expect(try await told(bea, line, app).count == 1, "turned off: still told in the app")
            #expect(try await told(a, "changed the agreement", app).isEmpty, "never the actor")
            #expect(try await mails(to: b, saying: line, app).count == 1)
            #expect(try await mails(to: ann, saying: line, app).count == 1)
            #expect(try await mails(to: bea, saying: line, app).isEmpty, "turned off: no mail")
            #expect(try await mails(to: a, saying: line, app).isEmpty)
            #expect(try await deliveries(of: acmeHook, app) == ["agreement.updated"])
            #expect(try await deliveries(of: northwindHook, app) == ["agreement.updated"])
            // The same text again is refused: nothing more is told or queued.
            let again = try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: a.token, json: #"{"text":"v2 text"}"#)
            #expect(again.status == .conflict)
            #expect(try await mails(to: b, saying: "changed the agreement", app).count == 1)
            #expect(try await deliveries(of: acmeHook, app).count == 1)
        }
    }

    /// The audience is read before the write's turn; an endpoint deleted or turned off in between is skipped, and the
    /// change it would have announced is still stored (a plain insert would break the delivery's foreign key).
    @Test func aWebhookDeletedAfterTheAudienceWasReadIsSkippedAndTheChangeStands() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let gone = try await hook(app, by: b, events: #"["message.*"]"#)
            let off = try await hook(app, by: b, events: #"["message.*"]"#)
            let kept = try await hook(app, by: a, events: #"["message.*"]"#)
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let audience = try await PartnershipAudience.load(of: p, on: app.db)
            #expect(audience.webhooks.count == 3)
            #expect(try await app.api(.DELETE, "/webhooks/\(gone)", token: b.token).status == .noContent)
            let disabled = try #require(try await Webhook.find(off, on: app.db))
            disabled.disabledAt = Date()
            try await disabled.save(on: app.db)

            let alice = try await actor(a, app)
            let event = try await app.db.writeTransaction { tx in
                try await Timeline.append(p, actor: alice, kind: "message.posted", summary: "Alice wrote", audience: audience, on: tx)
            }

            #expect(try await PartnershipEvent.find(event, on: app.db) != nil)
            #expect(try await deliveries(of: kept, app) == ["message.posted"])
            #expect(try await deliveries(of: off, app).isEmpty)
            #expect(try await WebhookDelivery.query(on: app.db).filter(\.$webhook.$id == gone).count() == 0)
        }
    }

    /// PostgreSQL: an endpoint whose deletion is not yet committed when the write queues its deliveries. The write
    /// waits for the deletion, leaves the endpoint out and stands (it used to fail on the foreign key).
    @Test func aWebhookBeingDeletedWhileTheWriteQueuesIsSkippedAndTheChangeStands() async throws {
        guard isPostgres else { return }
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let gone = try await hook(app, by: b, events: #"["message.*"]"#)
            let kept = try await hook(app, by: a, events: #"["message.*"]"#)
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let audience = try await PartnershipAudience.load(of: p, on: app.db)
            #expect(audience.webhooks.count == 2)
            let alice = try await actor(a, app)

            let (deleted, signal) = AsyncStream.makeStream(of: Void.self)
            let deleting = Task {
                defer { signal.finish() }
                try await app.db.transaction { tx in
                    try await WebhookDelivery.query(on: tx).filter(\.$webhook.$id == gone).delete()
                    try await Webhook.query(on: tx).filter(\.$id == gone).delete()
                    signal.yield()
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            for await _ in deleted { break }
            let event = try await app.db.writeTransaction { tx in
                try await Timeline.append(p, actor: alice, kind: "message.posted", summary: "Alice wrote", audience: audience, on: tx)
            }
            try await deleting.value

            #expect(try await Webhook.find(gone, on: app.db) == nil)
            #expect(try await PartnershipEvent.find(event, on: app.db) != nil)
            #expect(try await deliveries(of: kept, app) == ["message.posted"])
            #expect(try await WebhookDelivery.query(on: app.db).filter(\.$webhook.$id == gone).count() == 0)
        }
    }

    /// More endpoints than SQLite takes terms in one compound SELECT (500): each still gets its one delivery.
    @Test func sixHundredListeningEndpointsEachGetTheirDelivery() async throws {
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let template = try #require(try await Webhook.find(try await hook(app, by: b, events: #"["*"]"#), on: app.db))
            let copies = (1..<600).map { _ in
                let copy = Webhook()
                copy.$organization.id = template.$organization.id
                copy.url = template.url
                copy.eventsText = template.eventsText
                copy.sealedSecret = template.sealedSecret
                copy.format = template.format
                copy.$createdBy.id = template.$createdBy.id
                copy.createdAt = template.createdAt
                return copy
            }
            try await copies.create(on: app.db)
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let audience = try await PartnershipAudience.load(of: p, on: app.db)
            #expect(audience.webhooks.count == 600)

            let alice = try await actor(a, app)
            _ = try await app.db.writeTransaction { tx in
                try await Timeline.append(p, actor: alice, kind: "message.posted", summary: "Alice wrote", audience: audience, on: tx)
            }

            let delivered = try await WebhookDelivery.query(on: app.db).filter(\.$eventType == "message.posted").all()
            #expect(delivered.count == 600)
            #expect(Set(delivered.map(\.$webhook.id)).count == 600)
        }
    }
}
