import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Partnerships, commitments and messages over the API")
struct PartnershipAPITests {
    @Test func invitationIsAcceptedOnlyByItsAddresseeAndOnlyOnce() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let b = try await app.register("Bob", org: "Acme")
            let c = try await app.register("Carol", org: "Intruder")
            let created = try await app.api(
                .POST, "/partnerships", token: a.token, json: #"{"name":"Relaunch","partnerEmail":"\#(b.email)"}"#)
            #expect(created.status == .created)
            #expect(created.body["status"] as? String == "invited")
            let secret = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            let id = created.body["id"] as? String ?? ""
            // Not shown again after creation.
            #expect(try await app.api(.GET, "/partnerships/\(id)", token: a.token).body["invitationLink"] == nil)
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: c.token).status == .notFound)
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: a.token).status == .notFound)
            let ok = try await app.api(.POST, "/invitations/\(secret)/accept", token: b.token)
            #expect(ok.status == .ok)
            #expect(ok.body["status"] as? String == "active")
            #expect((ok.body["partner"] as? [String: Any])?["id"] as? String == b.organizationID)
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: b.token).status == .notFound)
            #expect((ok.body["members"] as? [[String: Any]])?.count == 2)
            let notes = try await app.api(.GET, "/notifications", token: a.token)
            #expect(notes.body["unread"] as? Int == 1)
            #expect(try await app.api(.POST, "/notifications/read", token: a.token).status == .noContent)
            #expect(try await app.api(.GET, "/notifications", token: a.token).body["unread"] as? Int == 0)
        }
    }

    @Test func partnerEmailMustBeValidAndNotYourOwnColleague() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let own = try await app.api(.POST, "/partnerships", token: a.token, json: #"{"name":"Self","partnerEmail":"\#(a.email)"}"#)
            #expect(own.status == .unprocessableEntity)
            #expect(own.body["field"] as? String == "partnerEmail")
            let bad = try await app.api(.POST, "/partnerships", token: a.token, json: #"{"name":"X","partnerEmail":"nope"}"#)
            #expect(bad.body["field"] as? String == "partnerEmail")
            let empty = try await app.api(.POST, "/partnerships", token: a.token, json: #"{"name":"  "}"#)
            #expect(empty.body["field"] as? String == "name")
            #expect(try await Partnership.query(on: app.db).count() == 0)
        }
    }

    @Test func declinedInvitationsStayDeclined() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let b = try await app.register("Bob", org: "Acme")
            let created = try await app.api(.POST, "/partnerships", token: a.token, json: #"{"name":"Maybe","partnerEmail":"\#(b.email)"}"#)
            let secret = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            #expect(try await app.api(.POST, "/invitations/\(secret)/decline", token: b.token).status == .noContent)
            let p = try await app.api(.GET, "/partnerships/\(created.body["id"] as? String ?? "")", token: a.token)
            #expect(p.body["status"] as? String == "declined")
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: b.token).status == .notFound)
        }
    }

    @Test func agreementKeepsEveryVersionAndItsAuthor() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            #expect(
                try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: b.token, json: #"{"text":"v2 text"}"#).status == .created)
            let v3 = try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: a.token, json: #"{"text":"v3 text"}"#)
            #expect(v3.body["version"] as? Int == 3)
            #expect(
                try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: a.token, json: #"{"text":"v3 text"}"#).status == .conflict)
            #expect(
                try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: a.token, json: #"{"text":""}"#).status
                    == .unprocessableEntity)
            let versions = try await app.api(.GET, "/partnerships/\(pid)/agreement", token: a.token)
            #expect(versions.list.map { $0["version"] as? Int } == [3, 2, 1])
            #expect(versions.list.map { $0["text"] as? String } == ["v3 text", "v2 text", "v1 text"])
            #expect(versions.list.map { $0["authorName"] as? String } == ["Alice", "Bob", "Alice"])
            let p = try await app.api(.GET, "/partnerships/\(pid)", token: b.token)
            #expect((p.body["agreement"] as? [String: Any])?["text"] as? String == "v3 text")
        }
    }

    @Test func commitmentGoesThroughItsWholeLifecycleWithHistory() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let due = Date().addingTimeInterval(5 * 86_400)
            let created = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: """
                    {"title":"Design system","deliverable":"Figma library","acceptanceCriteria":"Covers forms","dueAt":"\(rfc3339(due))","timeZone":"America/New_York"}
                    """)
            #expect(created.status == .created, "\(created.raw)")
            #expect(created.body["status"] as? String == "proposed")
            #expect(created.body["ownerId"] as? String == a.id)
            #expect(created.body["recipientOrganizationId"] as? String == b.organizationID)
            #expect(created.body["timeZone"] as? String == "America/New_York")
            let cid = created.body["id"] as? String ?? ""
            let url = "/partnerships/\(pid)/commitments/\(cid)/transitions"
            func act(_ token: String, _ json: String) async throws -> (HTTPStatus, [String: Any]) {
                let r = try await app.api(.POST, url, token: token, json: json)
                return (r.status, r.body)
            }
            // The promiser cannot accept its own proposal.
            #expect(try await act(a.token, #"{"action":"accept"}"#).0 == .forbidden)
            #expect(try await act(b.token, #"{"action":"accept"}"#).1["status"] as? String == "accepted")
            #expect(try await act(b.token, #"{"action":"accept"}"#).0 == .conflict)
            #expect(try await act(a.token, #"{"action":"approveDelivery"}"#).0 == .forbidden)
            let noReason = try await act(a.token, #"{"action":"flagAtRisk"}"#)
            #expect(noReason.0 == .unprocessableEntity)
            #expect(noReason.1["field"] as? String == "reason")
            #expect(try await act(a.token, #"{"action":"flagAtRisk","reason":"Icon licence pending"}"#).1["atRisk"] as? Bool == true)
            let newDue = rfc3339(due.addingTimeInterval(3 * 86_400))
            let proposed = try await act(a.token, #"{"action":"proposeNewDate","reason":"Scope grew","dueAt":"\#(newDue)"}"#)
            #expect(proposed.1["proposedDueAt"] as? String == newDue)
            let accepted = try await act(b.token, #"{"action":"acceptNewDate"}"#)
            #expect(accepted.1["dueAt"] as? String == newDue)
            #expect(try await act(b.token, #"{"action":"acceptNewDate"}"#).0 == .conflict)
            #expect(try await act(a.token, #"{"action":"deliver"}"#).1["status"] as? String == "delivered")
            #expect(try await act(b.token, #"{"action":"sendBack"}"#).0 == .unprocessableEntity)
            #expect(try await act(b.token, #"{"action":"sendBack","reason":"Dark mode missing"}"#).1["status"] as? String == "accepted")
            #expect(try await act(a.token, #"{"action":"deliver"}"#).1["status"] as? String == "delivered")
            let done = try await act(b.token, #"{"action":"approveDelivery"}"#)
            #expect(done.1["status"] as? String == "completed")
            #expect(try await act(a.token, #"{"action":"withdraw"}"#).0 == .conflict)
            #expect(try await act(a.token, #"{"action":"teleport"}"#).0 == .unprocessableEntity)
            let detail = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(cid)", token: b.token)
            let kinds = (detail.body["history"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }.reversed()
            #expect(
                Array(kinds) == [
                    "commitment.proposed", "commitment.accept", "commitment.flagAtRisk", "commitment.proposeNewDate",
                    "commitment.acceptNewDate", "commitment.deliver", "commitment.sendBack", "commitment.deliver",
                    "commitment.approveDelivery",
                ])
            let reasons = (detail.body["history"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(reasons.contains("Dark mode missing"))
            // Early notice is remembered as evidence.
            #expect(try await Commitment.find(UUID(uuidString: cid), on: app.db)?.flaggedAt != nil)
        }
    }

    @Test func commitmentInputIsValidatedAndNothingPartialIsWritten() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let future = rfc3339(Date().addingTimeInterval(86_400))
            let eventsBefore = try await PartnershipEvent.query(on: app.db).count()
            let cases: [(String, String)] = [
                (#"{"title":"","dueAt":"\#(future)"}"#, "title"),
                (#"{"title":"Past","dueAt":"2001-01-01T00:00:00Z"}"#, "dueAt"),
                (#"{"title":"Bad date","dueAt":"tomorrow"}"#, "dueAt"),
                (#"{"title":"Zone","dueAt":"\#(future)","timeZone":"CET-ish"}"#, "timeZone"),
                (#"{"title":"Owner","dueAt":"\#(future)","ownerId":"\#(b.id)"}"#, "ownerId"),
                (#"{"title":"Owner","dueAt":"\#(future)","ownerId":"not-a-uuid"}"#, "ownerId"),
                (#"{"dueAt":"\#(future)"}"#, "title"),
            ]
            for (json, field) in cases {
                let r = try await app.api(.POST, "/partnerships/\(pid)/commitments", token: a.token, json: json)
                #expect(r.status == .unprocessableEntity, "\(json) -> \(r.raw)")
                #expect(r.body["field"] as? String == field, "\(json) -> \(r.raw)")
            }
            #expect(try await Commitment.query(on: app.db).count() == 0)
            #expect(try await PartnershipEvent.query(on: app.db).count() == eventsBefore)
        }
    }

    @Test func aThirdTenantCanNeitherSeeNorChangeAnything() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            let eve = try await app.register("Eve", org: "Intruder")
            let c = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Secret work","dueAt":"\#(rfc3339(Date().addingTimeInterval(86_400)))"}"#)
            let cid = c.body["id"] as? String ?? ""
            let m = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"Confidential","subject":"S"}"#)
            let tid = m.body["threadId"] as? String ?? ""
            let reads = [
                "/partnerships/\(pid)", "/partnerships/\(pid)/commitments", "/partnerships/\(pid)/commitments/\(cid)",
                "/partnerships/\(pid)/messages", "/partnerships/\(pid)/messages?threadId=\(tid)", "/partnerships/\(pid)/threads",
                "/partnerships/\(pid)/timeline", "/partnerships/\(pid)/agreement",
            ]
            for path in reads {
                let r = try await app.api(.GET, path, token: eve.token)
                #expect(r.status == .notFound, "\(path)")
                #expect(!r.raw.contains("Secret") && !r.raw.contains("Confidential"))
            }
            #expect(
                try await app.api(
                    .POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: eve.token, json: #"{"action":"accept"}"#
                ).status == .notFound)
            #expect(
                try await app.api(.POST, "/partnerships/\(pid)/messages", token: eve.token, json: #"{"body":"hi"}"#).status == .notFound)
            #expect(
                try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: eve.token, json: #"{"text":"mine"}"#).status == .notFound)
            #expect(
                try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: eve.token,
                    json: #"{"title":"x","dueAt":"\#(rfc3339(Date().addingTimeInterval(86_400)))"}"#
                ).status == .notFound)
            #expect(try await app.api(.GET, "/partnerships", token: eve.token).list.isEmpty)
            let dashboard = try await app.api(.GET, "/dashboard", token: eve.token)
            #expect(!dashboard.raw.contains("Secret work"))
            #expect(try await Commitment.query(on: app.db).count() == 1)
            #expect(try await Message.query(on: app.db).count() == 1)
            // A commitment of one partnership is not reachable through another the intruder can see.
            let own = try await app.api(.POST, "/partnerships", token: eve.token, json: #"{"name":"Eve's own"}"#)
            let ownID = own.body["id"] as? String ?? ""
            #expect(try await app.api(.GET, "/partnerships/\(ownID)/commitments/\(cid)", token: eve.token).status == .notFound)
        }
    }

    @Test func requestsAreAnsweredByTheOtherSideAndTimed() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let ask = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token,
                json: #"{"body":"Can you share analytics access?","subject":"Access","needsResponse":true}"#)
            #expect(ask.status == .created)
            let tid = ask.body["threadId"] as? String ?? ""
            #expect(try await app.api(.GET, "/partnerships/\(pid)", token: b.token).body["openRequests"] as? Int == 1)
            let owed = try await app.api(.GET, "/dashboard", token: b.token)
            #expect((owed.body["openRequests"] as? [[String: Any]])?.first?["body"] as? String == "Can you share analytics access?")
            // A's own follow-up does not answer A's request.
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"Any news?","threadId":"\#(tid)"}"#)
            #expect(try await app.api(.GET, "/partnerships/\(pid)", token: b.token).body["openRequests"] as? Int == 1)
            let reply = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: b.token, json: #"{"body":"Done.","threadId":"\#(tid)"}"#)
            #expect(reply.status == .created)
            let p = try await app.api(.GET, "/partnerships/\(pid)", token: a.token)
            #expect(p.body["openRequests"] as? Int == 0)
            let times = p.body["responseTimes"] as? [[String: Any]] ?? []
            let acme = times.first { $0["organizationId"] as? String == b.organizationID }
            #expect(acme?["answered"] as? Int == 1)
            #expect(acme?["medianSeconds"] as? Int != nil)
            let thread = try await app.api(.GET, "/partnerships/\(pid)/messages?threadId=\(tid)", token: b.token)
            #expect(thread.list.count == 3)
            #expect(thread.list.first?["respondedAt"] != nil)
            let threads = try await app.api(.GET, "/partnerships/\(pid)/threads", token: a.token)
            #expect(threads.list.first?["messageCount"] as? Int == 3)
            let unknownThread = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token,
                json: #"{"body":"x","threadId":"\#(UUID().uuidString)"}"#)
            #expect(unknownThread.body["field"] as? String == "threadId")
            #expect(
                try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"   "}"#).status
                    == .unprocessableEntity)
        }
    }

    @Test func overdueCommitmentsAreMarkedMissedOnceAndBothSidesAreTold() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let actorA = Actor(user: try await User.find(UUID(uuidString: a.id), on: app.db)!)
            let actorB = Actor(user: try await User.find(UUID(uuidString: b.id), on: app.db)!)
            let p = try await Partnership.find(UUID(uuidString: pid), on: app.db)!
            let past = Date().addingTimeInterval(-10 * 86_400)
            let c = try await Commitments.create(
                .init(title: "Late report", dueAt: past.addingTimeInterval(86_400)), in: p, by: actorA, now: past, on: app.db)
            _ = try await Commitments.transition(
                c, in: p, action: .accept, reason: nil, newDueAt: nil, by: actorB, now: past.addingTimeInterval(60), on: app.db)
            let upcoming = try await Commitments.create(
                .init(title: "Future", dueAt: Date().addingTimeInterval(86_400)), in: p, by: actorA, on: app.db)
            _ = try await Commitments.transition(upcoming, in: p, action: .accept, reason: nil, newDueAt: nil, by: actorB, on: app.db)
            let before = try await app.api(.GET, "/notifications", token: a.token).body["unread"] as? Int ?? 0
            #expect(try await Commitments.sweepOverdue(on: app.db) == 1)
            #expect(try await Commitments.sweepOverdue(on: app.db) == 0)
            let list = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: b.token)
            #expect(list.list.map { $0["status"] as? String } == ["missed", "accepted"])
            #expect(try await app.api(.GET, "/notifications", token: a.token).body["unread"] as? Int == before + 1)
            let timeline = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: a.token)
            #expect(timeline.list.filter { $0["kind"] as? String == "commitment.missed" }.count == 1)
            let slipped = try await app.api(.GET, "/dashboard", token: a.token)
            #expect((slipped.body["slipped"] as? [[String: Any]])?.first?["title"] as? String == "Late report")
            // Delivered late afterwards.
            let late = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(c.id!.uuidString)/transitions", token: a.token, json: #"{"action":"deliver"}"#)
            #expect(late.body["status"] as? String == "delivered")
        }
    }

    @Test func dashboardSplitsWhatIOweFromWhatIAmOwed() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let soon = rfc3339(Date().addingTimeInterval(2 * 86_400))
            let later = rfc3339(Date().addingTimeInterval(40 * 86_400))
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token, json: #"{"title":"Mine soon","dueAt":"\#(soon)"}"#)
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token, json: #"{"title":"Mine later","dueAt":"\#(later)"}"#)
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: b.token, json: #"{"title":"Theirs soon","dueAt":"\#(soon)"}"#)
            let d = try await app.api(.GET, "/dashboard", token: a.token)
            #expect((d.body["dueSoonMine"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Mine soon"])
            #expect((d.body["dueSoonOwed"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Theirs soon"])
            #expect((d.body["partnerships"] as? [[String: Any]])?.count == 1)
            #expect(d.body["unreadNotifications"] as? Int == 2)  // the acceptance and the other side's proposal
        }
    }

    /// The list reads its partnerships with one query of its own (sides' names, membership, open requests): each item
    /// must say what the partnership's own answer says, to exactly those who may open it.
    @Test func theListShowsWhatEachPartnershipSaysToThoseWhoMayOpenIt() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let ask = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token,
                json: #"{"body":"Can you share analytics access?","subject":"Access","needsResponse":true}"#)
            #expect(ask.status == .created)
            // An invitation nobody answered yet has no partner side.
            let pilot = try await app.api(
                .POST, "/partnerships", token: a.token, json: #"{"name":"Pilot","partnerEmail":"nobody@else.example"}"#)
            #expect(pilot.status == .created, "\(pilot.raw)")
            let pilotID = pilot.body["id"] as? String ?? ""
            let mia = try await app.invitedMember(of: a, role: "member")
            func canonical(_ value: Any?) -> String {
                guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
                else { return "absent" }
                return String(decoding: data, as: UTF8.self)
            }
            func listed(_ viewer: Account) async throws -> [String] {
                let list = try await app.api(.GET, "/partnerships", token: viewer.token).list
                for item in list {
                    let page = try await app.api(.GET, "/partnerships/\(item["id"] as? String ?? "")", token: viewer.token)
                    #expect(page.status == .ok)
                    for key in ["id", "name", "status", "organization", "partner", "invitedEmail", "members", "openRequests", "createdAt"] {
                        #expect(canonical(item[key]) == canonical(page.body[key]), "\(key)")
                    }
                }
                return list.compactMap { $0["id"] as? String }
            }
            #expect(try await listed(a) == [pilotID, pid])
            #expect(try await listed(b) == [pid])
            // A plain member sees only what they were added to, in the list as on the page.
            #expect(try await listed(mia).isEmpty)
            #expect(try await app.api(.GET, "/partnerships/\(pid)", token: mia.token).status == .notFound)
            let owner = try #require(try await User.find(UUID(uuidString: a.id), on: app.db))
            let relaunch = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            try await Partnerships.addMember(relaunch, userID: UUID(uuidString: mia.id), by: Actor(user: owner), on: app.db)
            #expect(try await listed(mia) == [pid])
            let open = try await app.api(.GET, "/partnerships", token: b.token).list.first?["openRequests"] as? Int
            #expect(open == 1)
        }
    }
}
