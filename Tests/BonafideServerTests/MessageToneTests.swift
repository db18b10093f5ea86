import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Tone of partnership messages (opt-in)")
struct MessageToneTests {
    func messages(_ app: Application, _ pid: String, _ account: Account) async throws -> [[String: Any]] {
        let r = try await app.api(.GET, "/partnerships/\(pid)/messages", token: account.token)
        #expect(r.status == .ok, "\(r.raw)")
        return r.list
    }

    @Test func toneIsAnalysedOnlyAfterOptingInAndShownOnlyToThoseWhoOptedIn() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let early = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: b.token,
                json: #"{"body":"Sorry, the release is late again and the tests are failing."}"#)
            #expect(early.status == .created && early.body["sentiment"] == nil)
            #expect(try await Message.query(on: app.db).filter(\.$sentiment != nil).count() == 0, "nothing analysed before anyone opts in")
            let org = try await app.api(.GET, "/organization", token: a.token)
            #expect(org.body["messageSentiment"] as? Bool == false)

            let optIn = try await app.api(.PATCH, "/organization", token: a.token, json: #"{"messageSentiment":true}"#)
            #expect(optIn.status == .ok && optIn.body["messageSentiment"] as? Bool == true, "\(optIn.raw)")
            // Northwind now sees the tone of the earlier message too; Acme, which did not opt in, sees none.
            let seenByA = try await messages(app, pid, a)
            #expect((seenByA.first?["sentiment"] as? Double ?? 0) < -0.05, "\(seenByA)")
            #expect((seenByA.first?["sentimentDrivers"] as? [String] ?? []).contains { $0.contains("late") || $0.contains("failing") })
            #expect(try await messages(app, pid, b).allSatisfy { $0["sentiment"] == nil && $0["sentimentDrivers"] == nil })

            let thanks = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: b.token,
                json: #"{"body":"Fixed and shipped. Thanks for your patience, great teamwork!"}"#)
            #expect(thanks.body["sentiment"] == nil, "the author's organization did not opt in")
            let latest = try await messages(app, pid, a).last
            #expect((latest?["sentiment"] as? Double ?? 0) > 0.3)

            // The web thread shows the tone to Northwind's people.
            let thread = try #require(try await MessageThread.query(on: app.db).first())
            func signedIn(_ account: Account) async throws -> Browser { try await Browser.signedIn(app, as: account) }
            let threadPath = "/partnerships/\(pid)/threads/\(thread.id!.uuidString)"
            let page = try await signedIn(a).get(threadPath)
            #expect(page.html.contains("message-tone") && page.html.contains("tone -"), "\(page.html.prefix(300))")
            #expect(!(try await signedIn(b).get(threadPath).html.contains("message-tone")))
            #expect(try await signedIn(a).get("/partnerships/\(pid)").html.contains("id=\"partner-tone\""))

            // Opting out stops new analysis.
            _ = try await app.api(.PATCH, "/organization", token: a.token, json: #"{"messageSentiment":false}"#)
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: b.token, json: #"{"body":"Terrible news, we lost the data."}"#)
            #expect(try await Message.query(on: app.db).filter(\.$sentiment == nil).count() == 1)
        }
    }
}
