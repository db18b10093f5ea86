import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The dashboards' last reads through `SQLRowDecoder`, reflection or the query builder now read column by column: the
/// incidents that wait, the onboarding steps with the organization, the bearer's person and the unread count must be
/// what the old reads gave, and the pages must say the same.
@Suite("Dashboard reads")
struct DashboardReadsTests {
    @Test func incidentsReadColumnByColumnAreTheDecodersIncidents() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let base = "/partnerships/\(pid)/incidents"
            var ids: [UUID] = []
            for title in ["Report sent to the wrong client", "Invoice twice"] {
                let raised = try await app.api(
                    .POST, base, token: a.token, json: #"{"title":"\#(title)","description":"What happened.","severity":"major"}"#)
                #expect(raised.status == .created, "\(raised.raw)")
                ids.append(try #require(UUID(uuidString: raised.body["id"] as? String ?? "")))
            }
            // One resolved, with every optional fact set, so both the NULL and the filled columns are read.
            try await app.db.sql().raw(
                """
                UPDATE incidents SET status = 'resolved', acknowledged_at = \(bind: Date(timeIntervalSinceNow: -7_200)),
                  resolved_at = \(bind: Date(timeIntervalSinceNow: -3_600)), root_cause = 'A mailing list not filtered',
                  improvement_plan = 'Two people check every list', reopen_count = 2, reopened_at = \(bind: Date(timeIntervalSinceNow: -5_000))
                WHERE id = \(bind: ids[1])
                """
            ).run()
            let partnership = try #require(UUID(uuidString: pid))
            let organizationA = try #require(UUID(uuidString: a.organizationID))
            let organizationB = try #require(UUID(uuidString: b.organizationID))
            // The reference: the same rows through `SQLRowDecoder`, as the reads decoded them before.
            func decoded(_ condition: SQLQueryString) async throws -> [String] {
                try await app.db.sql().raw(
                    """
                    SELECT id, partnership_id, title, responsible_organization_id, self_reported, severity, status, raised_at,
                           acknowledged_at, resolved_at, closed_at, root_cause, improvement_plan, reopen_count, reopened_at
                    FROM incidents WHERE \(condition) ORDER BY raised_at, id
                    """
                ).all(decoding: IncidentSummary.self).map { String(describing: $0) }
            }
            let forB = try await DashboardData.waitingIncidents(in: [partnership], for: organizationB, on: app.db)
            let forA = try await DashboardData.waitingIncidents(in: [partnership], for: organizationA, on: app.db)
            #expect(forB.map(\.title) == ["Report sent to the wrong client"] && forA.map(\.title) == ["Invoice twice"])
            let referenceB = try await decoded("id = \(bind: ids[0])")
            let referenceA = try await decoded("id = \(bind: ids[1])")
            #expect(forB.map { String(describing: $0) } == referenceB)
            #expect(forA.map { String(describing: $0) } == referenceA)
            #expect(forA.first?.rootCause == "A mailing list not filtered" && forA.first?.reopenCount == 2)
            let listed = try await IncidentSummary.all(in: partnership, on: app.db)
            let referenceAll = try await decoded("partnership_id = \(bind: partnership)")
            #expect(listed.reversed().map { String(describing: $0) } == referenceAll)

            // What each side sees waiting on its inbox.
            let pageB = try await Browser.signedIn(app, as: b).get("/dashboard").html
            #expect(pageB.contains("Acknowledge the incident") && pageB.contains("Report sent to the wrong client"))
            let pageA = try await Browser.signedIn(app, as: a).get("/dashboard").html
            #expect(pageA.contains("Accept the fix or reopen") && pageA.contains("Invoice twice"))
        }
    }

    @Test func theProfileStepCountsCapabilitiesReadWithTheSteps() async throws {
        try await withTestApp { app in
            let solo = try await app.register("Sol", org: "Solo Studio")
            let browser = try await Browser.signedIn(app, as: solo)
            #expect(try await browser.get("/dashboard").html.contains("Getting started: 0 of 5 done"))
            let org = try #require(try await Organization.find(UUID(uuidString: solo.organizationID), on: app.db))
            org.capabilities = ["Packaging design"]
            try await org.save(on: app.db)
            let page = try await browser.get("/dashboard").html
            #expect(page.contains("Getting started: 1 of 5 done") && page.contains("<s>Say what your organization does</s>"))
            // Blank words are not a description.
            org.capabilities = []
            org.description = "   "
            try await org.save(on: app.db)
            #expect(try await browser.get("/dashboard").html.contains("Getting started: 0 of 5 done"))
        }
    }

    @Test func theBearersPersonIsTheOneFluentLoads() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let found = try #require(try await Accounts.user(forBearer: a.token, from: "192.0.2.1", on: app.db))
            let person = try #require(try await User.find(UUID(uuidString: a.id), on: app.db))
            #expect(SessionLookupTests.values(found) == SessionLookupTests.values(person))
            #expect(!found.hasChanges && found._$idExists)
            // Its use is recorded once, from the address it came from.
            let token = try #require(try await APIToken.query(on: app.db).filter(\.$user.$id == person.requireID()).first())
            #expect(token.lastUsedIP == "192.0.2.1" && token.lastUsedAt != nil)
            #expect(try await Accounts.user(forBearer: a.token + "x", from: nil, on: app.db) == nil)

            // The API's dashboard counts what the query builder counts as unread.
            _ = try await app.api(
                .POST, "/partnerships", token: b.token, json: #"{"name":"Second","partnerEmail":"\#(a.email)"}"#)
            let unread = try await Notification.query(on: app.db).filter(\.$user.$id == person.requireID()).filter(\.$readAt == nil).count()
            let dashboard = try await app.api(.GET, "/dashboard", token: a.token)
            #expect(dashboard.status == .ok && dashboard.body["unreadNotifications"] as? Int == unread)
        }
    }
}
