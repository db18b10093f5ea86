import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// The lists read as plain rows (a partnership's commitments, the notifications, both dashboards) must answer what
/// the models answered: each item as the item's own answer says it, in the same order, to exactly those who may see it.
@Suite("Lists read as rows")
struct ReadListTests {
    /// A JSON value written the same way whatever the order of its keys, so two answers compare as text.
    func canonical(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        else { return "absent" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A commitment without what only its own answer carries (its history).
    func listed(_ item: [String: Any]) -> String {
        var item = item
        item.removeValue(forKey: "history")
        return canonical(item)
    }

    func ids(_ answer: [String: Any], _ key: String) -> [String] {
        (answer[key] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    func propose(_ app: Application, _ by: Account, _ pid: String, _ title: String, dueIn days: Double) async throws -> String {
        let due = rfc3339(Date().addingTimeInterval(days * 86_400))
        let r = try await app.api(
            .POST, "/partnerships/\(pid)/commitments", token: by.token,
            json: #"{"title":"\#(title)","deliverable":"\#(title), delivered","dueAt":"\#(due)"}"#)
        #expect(r.status == .created, "\(r.raw)")
        return r.body["id"] as? String ?? ""
    }

    func act(_ app: Application, _ by: Account, _ pid: String, _ cid: String, _ json: String) async throws {
        let r = try await app.api(.POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: by.token, json: json)
        #expect(r.status == .ok, "\(json): \(r.raw)")
    }

    @Test func theCommitmentListSaysWhatEachCommitmentSaysEarliestDueFirst() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let proposed = try await propose(app, north, pid, "Proposed", dueIn: 3)
            let atRisk = try await propose(app, north, pid, "At risk", dueIn: 5)
            try await act(app, acme, pid, atRisk, #"{"action":"accept"}"#)
            try await act(app, north, pid, atRisk, #"{"action":"flagAtRisk","reason":"Waiting for access"}"#)
            let newDate = try await propose(app, north, pid, "New date asked", dueIn: 6)
            try await act(app, acme, pid, newDate, #"{"action":"accept"}"#)
            let later = rfc3339(Date().addingTimeInterval(20 * 86_400))
            try await act(app, north, pid, newDate, #"{"action":"proposeNewDate","reason":"Holidays","dueAt":"\#(later)"}"#)
            let delivered = try await propose(app, acme, pid, "Delivered", dueIn: 2)
            try await act(app, north, pid, delivered, #"{"action":"accept"}"#)
            try await act(app, acme, pid, delivered, #"{"action":"deliver"}"#)
            let completed = try await propose(app, acme, pid, "Completed", dueIn: 4)
            try await act(app, north, pid, completed, #"{"action":"accept"}"#)
            try await act(app, acme, pid, completed, #"{"action":"deliver"}"#)
            try await act(app, north, pid, completed, #"{"action":"approveDelivery"}"#)
            let declined = try await propose(app, north, pid, "Declined", dueIn: 7)
            try await act(app, acme, pid, declined, #"{"action":"decline","reason":"Out of scope"}"#)
            // Due at the same second: the one proposed first comes first.
            let due = rfc3339(Date().addingTimeInterval(8 * 86_400))
            var tied: [String] = []
            for title in ["Tie first", "Tie second"] {
                let r = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: north.token, json: #"{"title":"\#(title)","dueAt":"\#(due)"}"#)
                tied.append(r.body["id"] as? String ?? "")
            }

            for viewer in [north, acme] {
                let list = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: viewer.token)
                #expect(list.status == .ok)
                #expect(list.list.compactMap { $0["id"] as? String } == [delivered, proposed, completed, atRisk, newDate, declined] + tied)
                for item in list.list {
                    let own = try await app.api(
                        .GET, "/partnerships/\(pid)/commitments/\(item["id"] as? String ?? "")", token: viewer.token)
                    #expect(listed(item) == listed(own.body), "\(item["title"] ?? "")")
                }
            }
            let items = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: acme.token).list
            func item(_ id: String) -> [String: Any] { items.first { $0["id"] as? String == id } ?? [:] }
            #expect(item(proposed)["status"] as? String == "proposed" && item(proposed)["atRisk"] as? Bool == false)
            #expect(item(proposed)["atRiskReason"] == nil && item(proposed)["deliverable"] as? String == "Proposed, delivered")
            #expect(item(proposed)["ownerName"] as? String == "Alice" && item(delivered)["ownerName"] as? String == "Bob")
            #expect(item(atRisk)["atRisk"] as? Bool == true && item(atRisk)["atRiskReason"] as? String == "Waiting for access")
            #expect(item(newDate)["proposedDueReason"] as? String == "Holidays" && item(newDate)["proposedDueAt"] as? String == later)
            #expect(item(delivered)["status"] as? String == "delivered" && item(delivered)["deliveredAt"] != nil)
            #expect(item(completed)["status"] as? String == "completed" && item(completed)["completedAt"] != nil)
            #expect(item(declined)["status"] as? String == "declined" && item(declined)["pendingChange"] == nil)
            #expect(item(proposed)["ownerOrganizationId"] as? String == north.organizationID)
            #expect(item(proposed)["recipientOrganizationId"] as? String == acme.organizationID)

            // Those who may not open the partnership find nothing there: another organization, and a colleague who
            // was not added to it.
            let eve = try await app.register("Eve", org: "Intruder")
            let mia = try await app.invitedMember(of: north, role: "member")
            for outsider in [eve, mia] {
                let r = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: outsider.token)
                #expect(r.status == .notFound && !r.raw.contains("Waiting for access"))
            }
        }
    }

    /// New wording waiting for the other side's answer is part of a commitment wherever it is listed.
    @Test func newWordingWaitingForAnAnswerShowsInTheListAsOnTheCommitment() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let cid = try await propose(app, north, pid, "Audit", dueIn: 5)
            try await act(app, acme, pid, cid, #"{"action":"accept"}"#)
            let reworded = try await app.api(
                .PATCH, "/partnerships/\(pid)/commitments/\(cid)", token: acme.token,
                json: #"{"title":"Security audit","acceptanceCriteria":"Signed"}"#)
            #expect(reworded.status == .ok, "\(reworded.raw)")
            let list = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: north.token).list
            let own = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(cid)", token: north.token).body
            let pending = list.first?["pendingChange"] as? [String: Any]
            #expect(pending?["proposedBy"] as? String == "recipient" && pending?["title"] as? String == "Security audit")
            #expect(listed(list.first ?? [:]) == listed(own))
        }
    }

    /// The list reads each column that may be empty by itself: set, it shows as written; empty, it is left out.
    @Test func eachOptionalFieldOfACommitmentIsListedWhenSetAndLeftOutWhenNot() async throws {
        try await withTestApp { app in
            let (north, _, pid) = try await app.activePartnership()
            let bare = try await propose(app, north, pid, "Bare", dueIn: 3)
            let full = try await propose(app, north, pid, "Full", dueIn: 4)
            // Whole seconds on different days, so that a column read into another field shows.
            let midnight = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
            func day(_ offset: Double) -> Date { Date(timeIntervalSince1970: midnight + offset * 86_400 + 1_234) }
            let c = try #require(try await Commitment.find(UUID(uuidString: full), on: app.db))
            c.atRiskReason = "Waiting for access"
            c.proposedDueAt = day(10)
            c.proposedDueReason = "Holidays"
            c.deliveredAt = day(-3)
            c.completedAt = day(-2)
            c.pendingTitle = "Full, reworded"
            c.pendingDeliverable = "A new deliverable"
            c.pendingAcceptanceCriteria = "Signed"
            c.pendingChangeSideName = CommitmentSide.recipient.rawValue
            c.pendingChangeAt = day(-1)
            try await c.save(on: app.db)

            let list = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: north.token).list
            func item(_ id: String) -> [String: Any] { list.first { $0["id"] as? String == id } ?? [:] }
            let listedFull = item(full)
            #expect(listedFull["atRiskReason"] as? String == "Waiting for access")
            #expect(listedFull["proposedDueAt"] as? String == rfc3339(day(10)) && listedFull["proposedDueReason"] as? String == "Holidays")
            #expect(listedFull["deliveredAt"] as? String == rfc3339(day(-3)) && listedFull["completedAt"] as? String == rfc3339(day(-2)))
            let pending = listedFull["pendingChange"] as? [String: Any]
            #expect(pending?["title"] as? String == "Full, reworded" && pending?["deliverable"] as? String == "A new deliverable")
            #expect(pending?["acceptanceCriteria"] as? String == "Signed" && pending?["proposedBy"] as? String == "recipient")
            #expect(pending?["proposedAt"] as? String == rfc3339(day(-1)))
            let listedBare = item(bare)
            #expect(listedBare["title"] as? String == "Bare")
            for key in ["atRiskReason", "proposedDueAt", "proposedDueReason", "deliveredAt", "completedAt", "pendingChange"] {
                #expect(listedBare[key] == nil, "\(key)")
            }
            for id in [bare, full] {
                let own = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(id)", token: north.token)
                #expect(listed(item(id)) == listed(own.body))
            }
        }
    }

    /// A partnership still waiting for its partner has no partner in the list; one that has it names it.
    @Test func thePartnershipListNamesThePartnerOnceThereIsOne() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let invited = try await app.api(
                .POST, "/partnerships", token: north.token, json: #"{"name":"Pilot","partnerEmail":"carol@globex.example"}"#)
            #expect(invited.status == .created, "\(invited.raw)")
            let waitingID = invited.body["id"] as? String ?? ""
            let asked = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: acme.token,
                json: #"{"body":"Can you share analytics access?","subject":"Access","needsResponse":true}"#)
            #expect(asked.status == .created, "\(asked.raw)")

            let list = try await app.api(.GET, "/partnerships", token: north.token).list
            #expect(list.compactMap { $0["id"] as? String } == [waitingID, pid])
            let active = list.first { $0["id"] as? String == pid } ?? [:]
            let waiting = list.first { $0["id"] as? String == waitingID } ?? [:]
            let partner = active["partner"] as? [String: Any]
            #expect(partner?["id"] as? String == acme.organizationID && partner?["name"] as? String == "Acme")
            #expect(active["status"] as? String == "active" && active["openRequests"] as? Int == 1)
            #expect(waiting["partner"] == nil && waiting["invitedEmail"] as? String == "carol@globex.example")
            #expect(waiting["status"] as? String == "invited" && waiting["openRequests"] as? Int == 0)
            for item in [active, waiting] {
                let side = item["organization"] as? [String: Any]
                #expect(side?["id"] as? String == north.organizationID && side?["name"] as? String == "Northwind")
                #expect(item["createdAt"] as? String != nil)
            }
        }
    }

    @Test func notificationsComeNewestFirstAHundredAtMostWithEveryUnreadOneCounted() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let user = try #require(UUID(uuidString: north.id))
            let before = try await app.api(.GET, "/notifications", token: north.token)
            let existing = (before.body["items"] as? [[String: Any]] ?? []).count
            let existingUnread = before.body["unread"] as? Int ?? -1
            #expect(existing > 0)
            // Older than what the partnership sent; every third one read.
            let start = Date().addingTimeInterval(-10_000)
            for i in 0..<120 {
                let note = Notification(userID: user, text: "Note \(i)", link: "/dashboard", at: start.addingTimeInterval(Double(i)))
                if i % 3 == 0 { note.readAt = start.addingTimeInterval(Double(i) + 1) }
                try await note.save(on: app.db)
            }
            // Two at the same instant, newer than all: the lower id first.
            let instant = Date().addingTimeInterval(60)
            for (text, id) in [("Tie high", "FFFFFFFF-0000-4000-8000-000000000000"), ("Tie low", "00000000-0000-4000-8000-000000000001")] {
                let note = Notification(userID: user, text: text, link: "/dashboard", at: instant)
                note.id = UUID(uuidString: id)
                try await note.save(on: app.db)
            }

            let r = try await app.api(.GET, "/notifications", token: north.token)
            #expect(r.status == .ok)
            let items = r.body["items"] as? [[String: Any]] ?? []
            let texts = items.compactMap { $0["text"] as? String }
            #expect(items.count == 100)
            #expect(Array(texts.prefix(2)) == ["Tie low", "Tie high"])
            #expect(Array(texts.dropFirst(2 + existing).prefix(3)) == ["Note 119", "Note 118", "Note 117"])
            #expect(texts.last == "Note \(120 - (98 - existing))")
            let times = items.compactMap { $0["createdAt"] as? String }
            #expect(times.count == 100 && zip(times, times.dropFirst()).allSatisfy { $0 >= $1 })
            for item in items {
                guard let text = item["text"] as? String, text.hasPrefix("Note "), let i = Int(text.dropFirst(5)) else { continue }
                #expect((item["readAt"] != nil) == (i % 3 == 0), "\(text)")
                #expect(item["link"] as? String == "/dashboard" && item["id"] as? String != nil)
            }
            // Every unread one counts, also those beyond the hundred listed.
            let unread = existingUnread + 2 + 80
            #expect(r.body["unread"] as? Int == unread)
            // Another person sees none of them.
            let theirs = try await app.api(.GET, "/notifications", token: acme.token)
            #expect(!theirs.raw.contains("Note ") && !theirs.raw.contains("Tie "))

            // A page past the last still counts what is unread, on the page and in the menu's badge.
            let beyond = try await Browser.signedIn(app, as: north).get("/notifications?page=9")
            let count = try await app.api(.GET, "/notifications", token: north.token).body["unread"] as? Int ?? -1
            #expect(beyond.status == .ok && beyond.html.contains("Unread (\(count))") && beyond.html.contains("No notifications."))
            #expect(beyond.html.contains("aria-label=\"\(count) unread\""))

            #expect(try await app.api(.POST, "/notifications/read", token: north.token).status == .noContent)
            let after = try await app.api(.GET, "/notifications", token: north.token)
            let afterItems = after.body["items"] as? [[String: Any]] ?? []
            #expect(after.body["unread"] as? Int == 0 && afterItems.allSatisfy { $0["readAt"] != nil })
            #expect(afterItems.compactMap { $0["id"] as? String } == items.compactMap { $0["id"] as? String })
        }
    }

    @Test func theDashboardListsEachCommitmentAsItsOwnAnswerWhereItBelongs() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let mineSoon = try await propose(app, north, pid, "Mine soon", dueIn: 2)
            let mineAccepted = try await propose(app, north, pid, "Mine accepted", dueIn: 3)
            try await act(app, acme, pid, mineAccepted, #"{"action":"accept"}"#)
            let mineAtRisk = try await propose(app, north, pid, "Mine at risk", dueIn: 4)
            try await act(app, acme, pid, mineAtRisk, #"{"action":"accept"}"#)
            try await act(app, north, pid, mineAtRisk, #"{"action":"flagAtRisk","reason":"Waiting for access"}"#)
            let mineNewDate = try await propose(app, north, pid, "Mine new date", dueIn: 5)
            try await act(app, acme, pid, mineNewDate, #"{"action":"accept"}"#)
            let later = rfc3339(Date().addingTimeInterval(30 * 86_400))
            try await act(app, north, pid, mineNewDate, #"{"action":"proposeNewDate","reason":"Holidays","dueAt":"\#(later)"}"#)
            let mineReworded = try await propose(app, north, pid, "Mine reworded", dueIn: 6)
            try await act(app, acme, pid, mineReworded, #"{"action":"accept"}"#)
            let reword = try await app.api(
                .PATCH, "/partnerships/\(pid)/commitments/\(mineReworded)", token: acme.token,
                json: #"{"title":"Mine reworded","acceptanceCriteria":"Signed"}"#)
            #expect(reword.status == .ok, "\(reword.raw)")
            _ = try await propose(app, north, pid, "Mine later", dueIn: 40)
            let mineDone = try await propose(app, north, pid, "Mine done", dueIn: 1)
            try await act(app, acme, pid, mineDone, #"{"action":"accept"}"#)
            try await act(app, north, pid, mineDone, #"{"action":"deliver"}"#)
            try await act(app, acme, pid, mineDone, #"{"action":"approveDelivery"}"#)
            // Accepted long ago and past due: the sweep marks it missed.
            let actorA = Actor(user: try #require(try await User.find(UUID(uuidString: north.id), on: app.db)))
            let actorB = Actor(user: try #require(try await User.find(UUID(uuidString: acme.id), on: app.db)))
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let past = Date().addingTimeInterval(-10 * 86_400)
            let missed = try await Commitments.create(
                .init(title: "Mine missed", dueAt: past.addingTimeInterval(86_400)), in: p, by: actorA, now: past, on: app.db)
            _ = try await Commitments.transition(
                missed, in: p, action: .accept, reason: nil, newDueAt: nil, by: actorB, now: past.addingTimeInterval(60), on: app.db)
            #expect(try await Commitments.sweepOverdue(on: app.db) == 1)
            let mineMissed = missed.id!.uuidString.lowercased()
            let theirs = try await propose(app, acme, pid, "Theirs soon", dueIn: 2)
            // Requests: the other side's open one is listed; one's own and an answered one are not.
            let asked = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: acme.token,
                json: #"{"body":"Can you share analytics access?","subject":"Access","needsResponse":true}"#)
            let ownAsk = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: north.token,
                json: #"{"body":"When is the launch?","subject":"Launch","needsResponse":true}"#)
            let answered = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: acme.token,
                json: #"{"body":"Is the logo final?","subject":"Logo","needsResponse":true}"#)
            let reply = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: north.token,
                json: #"{"body":"Yes.","threadId":"\#(answered.body["threadId"] as? String ?? "")"}"#)
            #expect(asked.status == .created && ownAsk.status == .created && reply.status == .created)

            let d = try await app.api(.GET, "/dashboard", token: north.token)
            #expect(d.status == .ok)
            #expect(ids(d.body, "partnerships") == [pid])
            #expect(ids(d.body, "dueSoonMine") == [mineSoon, mineAccepted, mineAtRisk, mineNewDate, mineReworded])
            #expect(ids(d.body, "dueSoonOwed") == [theirs])
            #expect(ids(d.body, "slipped") == [mineMissed, mineAtRisk, mineNewDate])
            #expect(ids(d.body, "openRequests") == [asked.body["id"] as? String ?? ""])
            for key in ["dueSoonMine", "dueSoonOwed", "slipped"] {
                for item in d.body[key] as? [[String: Any]] ?? [] {
                    let own = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(item["id"] as? String ?? "")", token: north.token)
                    #expect(listed(item) == listed(own.body), "\(key): \(item["title"] ?? "")")
                }
            }
            let pending = (d.body["dueSoonMine"] as? [[String: Any]])?.last?["pendingChange"] as? [String: Any]
            #expect(pending?["proposedBy"] as? String == "recipient" && pending?["acceptanceCriteria"] as? String == "Signed")
            let messages = try await app.api(.GET, "/partnerships/\(pid)/messages", token: north.token).list
            let request = (d.body["openRequests"] as? [[String: Any]])?.first ?? [:]
            #expect(canonical(request) == canonical(messages.first { $0["id"] as? String == request["id"] as? String }))
            #expect(request["authorName"] as? String == "Bob" && request["needsResponse"] as? Bool == true)
            let unread = try await app.api(.GET, "/notifications", token: north.token).body["unread"] as? Int
            #expect(d.body["unreadNotifications"] as? Int == unread)
            let partnership = try await app.api(.GET, "/partnerships", token: north.token).list.first
            let listedPartnership = (d.body["partnerships"] as? [[String: Any]])?.first
            #expect(canonical(listedPartnership) == canonical(partnership))

            // The other side: what it promised is its own, what north promised is owed to it; what slipped is shared.
            let other = try await app.api(.GET, "/dashboard", token: acme.token)
            #expect(ids(other.body, "dueSoonMine") == [theirs])
            #expect(ids(other.body, "dueSoonOwed") == [mineSoon, mineAccepted, mineAtRisk, mineNewDate, mineReworded])
            #expect(ids(other.body, "slipped") == [mineMissed, mineAtRisk, mineNewDate])
            #expect(ids(other.body, "openRequests") == [ownAsk.body["id"] as? String ?? ""])

            // Another organization, and a colleague not added to the partnership, see none of it.
            let eve = try await app.register("Eve", org: "Intruder")
            let mia = try await app.invitedMember(of: north, role: "member")
            for outsider in [eve, mia] {
                let r = try await app.api(.GET, "/dashboard", token: outsider.token)
                #expect(r.status == .ok)
                for key in ["partnerships", "dueSoonMine", "dueSoonOwed", "openRequests", "slipped"] {
                    #expect(ids(r.body, key).isEmpty, "\(key)")
                }
                #expect(!r.raw.contains("Mine soon") && !r.raw.contains("analytics access"))
            }
        }
    }

    @Test func theInboxShowsEachCommitmentOnceWithItsOwnerPartnershipDueDateAndState() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let p = UUID(uuidString: pid)
            let atRisk = try await propose(app, north, pid, "Mine at risk", dueIn: 4)
            try await act(app, acme, pid, atRisk, #"{"action":"accept"}"#)
            try await act(app, north, pid, atRisk, #"{"action":"flagAtRisk","reason":"Waiting for access"}"#)
            let newDate = try await propose(app, north, pid, "Mine new date", dueIn: 5)
            try await act(app, acme, pid, newDate, #"{"action":"accept"}"#)
            let later = rfc3339(Date().addingTimeInterval(30 * 86_400))
            try await act(app, north, pid, newDate, #"{"action":"proposeNewDate","reason":"Holidays","dueAt":"\#(later)"}"#)
            let theirs = try await propose(app, acme, pid, "Theirs proposed", dueIn: 3)
            let theirsAccepted = try await propose(app, acme, pid, "Theirs accepted", dueIn: 6)
            try await act(app, north, pid, theirsAccepted, #"{"action":"accept"}"#)
            let asked = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: acme.token,
                json: #"{"body":"Can you share analytics access?","subject":"Access","needsResponse":true}"#)

            let page = try await Browser.signedIn(app, as: north).get("/dashboard")
            #expect(page.status == .ok)
            let html = page.html
            func link(_ cid: String) -> String { SiteURL.commitment(p, UUID(uuidString: cid)) }
            func count(_ text: String) -> Int { html.components(separatedBy: text).count - 1 }
            // Due soon and slipping, it is listed once, where it is promised, with its owner, date, partnership and state.
            #expect(count(">Mine at risk</a>") == 1 && count(">Mine new date</a>") == 1, "\(html)")
            #expect(html.contains("<a href=\"\(link(atRisk))\">Mine at risk</a><div class=\"small muted\">Alice</div></td>"))
            let detail = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(atRisk)", token: north.token)
            let dueAt = try #require(ISO8601DateFormatter().date(from: detail.body["dueAt"] as? String ?? ""))
            let berlin = DateFormatter()
            berlin.locale = Locale(identifier: "en_US_POSIX")
            berlin.timeZone = TimeZone(identifier: "Europe/Berlin")
            berlin.dateFormat = "d MMM, HH:mm"
            #expect(html.contains("<td>\(berlin.string(from: dueAt))<div class=\"small muted\">in "))
            #expect(html.contains("<td class=\"hide-sm\">Relaunch</td>"))
            #expect(html.contains("<span class=\"status s-accepted\">accepted</span> <span class=\"risk\">at risk</span></td>"))
            #expect(html.contains("<span class=\"status s-accepted\">accepted</span> <span class=\"risk\">new date asked</span></td>"))
            // What waits for north's answer is listed there only; what is owed once accepted, with its owner.
            #expect(html.contains("<strong>Accept or decline</strong>: <a href=\"\(link(theirs))\">Theirs proposed</a>"))
            #expect(count(">Theirs proposed</a>") == 1)
            #expect(html.contains("<a href=\"\(link(theirsAccepted))\">Theirs accepted</a><div class=\"small muted\">Bob</div></td>"))
            let thread = SiteURL.thread(p, UUID(uuidString: asked.body["threadId"] as? String ?? ""))
            #expect(html.contains("<a href=\"\(thread)\">Access</a>: Bob asked"))
            #expect(html.contains("<div class=\"small muted\">Can you share analytics access?</div>"))
            #expect(html.contains("<a href=\"\(SiteURL.partnership(p))\">Relaunch</a> <span class=\"status s-active\">active</span>"))

            let eve = try await app.register("Eve", org: "Intruder")
            let outsider = try await Browser.signedIn(app, as: eve).get("/dashboard").html
            #expect(!outsider.contains("Mine at risk") && !outsider.contains("analytics access"))
        }
    }
}
