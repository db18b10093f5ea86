import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Every commitment transition over the API")
struct TransitionAPITests {
    func propose(_ app: Application, _ token: String, _ pid: String, _ title: String) async throws -> String {
        let r = try await app.api(
            .POST, "/partnerships/\(pid)/commitments", token: token,
            json: #"{"title":"\#(title)","dueAt":"\#(rfc3339(Date().addingTimeInterval(3 * 86_400)))"}"#)
        #expect(r.status == .created)
        return r.body["id"] as? String ?? ""
    }

    func act(_ app: Application, _ token: String, _ pid: String, _ cid: String, _ json: String) async throws -> (HTTPStatus, [String: Any])
    {
        let r = try await app.api(.POST, "/partnerships/\(pid)/commitments/\(cid)/transitions", token: token, json: json)
        return (r.status, r.body)
    }

    @Test func declineWithdrawClearRiskAndRefuseNewDate() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let declined = try await propose(app, a.token, pid, "Native app")
            #expect(try await act(app, b.token, pid, declined, #"{"action":"decline"}"#).1["field"] as? String == "reason")
            #expect(
                try await act(app, b.token, pid, declined, #"{"action":"decline","reason":"Out of scope"}"#).1["status"] as? String
                    == "declined")

            let withdrawn = try await propose(app, a.token, pid, "Banners")
            #expect(try await act(app, b.token, pid, withdrawn, #"{"action":"withdraw"}"#).0 == .forbidden)
            #expect(
                try await act(app, a.token, pid, withdrawn, #"{"action":"withdraw","reason":"Done in-house"}"#).1["status"] as? String
                    == "withdrawn")

            let risky = try await propose(app, a.token, pid, "Audit")
            _ = try await act(app, b.token, pid, risky, #"{"action":"accept"}"#)
            #expect(try await act(app, a.token, pid, risky, #"{"action":"clearRisk"}"#).0 == .conflict)
            _ = try await act(app, a.token, pid, risky, #"{"action":"flagAtRisk","reason":"Waiting for access"}"#)
            let cleared = try await act(app, a.token, pid, risky, #"{"action":"clearRisk"}"#)
            #expect(cleared.1["atRisk"] as? Bool == false)
            #expect(cleared.1["atRiskReason"] == nil)

            let original = try await app.api(.GET, "/partnerships/\(pid)/commitments/\(risky)", token: a.token).body["dueAt"] as? String
            let later = rfc3339(Date().addingTimeInterval(9 * 86_400))
            let proposed = try await act(app, a.token, pid, risky, #"{"action":"proposeNewDate","reason":"Holidays","dueAt":"\#(later)"}"#)
            #expect(proposed.1["proposedDueReason"] as? String == "Holidays")
            #expect(try await act(app, a.token, pid, risky, #"{"action":"refuseNewDate"}"#).0 == .forbidden)
            let refused = try await act(app, b.token, pid, risky, #"{"action":"refuseNewDate"}"#)
            #expect(refused.1["dueAt"] as? String == original)
            #expect(refused.1["proposedDueAt"] == nil)
            let missingDate = try await act(app, a.token, pid, risky, #"{"action":"proposeNewDate","reason":"x"}"#)
            #expect(missingDate.1["field"] as? String == "dueAt")

            let list = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: b.token)
            #expect(Set(list.list.compactMap { $0["status"] as? String }) == ["declined", "withdrawn", "accepted"])
            let partnerships = try await app.api(.GET, "/partnerships", token: b.token)
            #expect(partnerships.list.map { $0["name"] as? String } == ["Relaunch"])
            let timeline = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: b.token)
            let kinds = Set(timeline.list.compactMap { $0["kind"] as? String })
            for kind in [
                "partnership.created", "partnership.accepted", "agreement.updated", "commitment.decline", "commitment.withdraw",
                "commitment.clearRisk", "commitment.refuseNewDate",
            ] {
                #expect(kinds.contains(kind), "\(kind)")
            }
        }
    }

    @Test func workInAPartnershipNeedsItToBeActive() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let created = try await app.api(.POST, "/partnerships", token: a.token, json: #"{"name":"Pending"}"#)
            let pid = created.body["id"] as? String ?? ""
            let c = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Too early","dueAt":"\#(rfc3339(Date().addingTimeInterval(86_400)))"}"#)
            #expect(c.status == .conflict)
            #expect((c.body["detail"] as? String)?.contains("active partnership") == true)
            #expect(try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"hi"}"#).status == .conflict)
            // The agreement can be drafted while the invitation is pending.
            #expect(
                try await app.api(.PUT, "/partnerships/\(pid)/agreement", token: a.token, json: #"{"text":"Draft"}"#).status == .created)
        }
    }
}
