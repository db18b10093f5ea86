import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// The thread a message is posted in, read with the tone setting in one plain query and loaded property by property
/// (`Messages.post`): it must be the thread Fluent would have loaded, saved as an update of its last message only.
@Suite("Message thread row")
struct MessageThreadRowTests {
    @Test func loadsTheThreadAsFluentLoadsIt() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            let asked = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"Which fonts?","subject":"Fonts"}"#)
            #expect(asked.status == .created, "\(asked.raw)")
            let id = try #require(UUID(uuidString: asked.body["threadId"] as? String ?? ""))
            let row = try #require(try await app.db.sql().raw("SELECT * FROM message_threads WHERE id = \(bind: id)").first())
            let loaded = try MessageThread.load(from: RowOutput(row: row))
            let fluent = try #require(try await MessageThread.find(id, on: app.db))

            #expect(loaded.subject == "Fonts" && loaded.$partnership.id == UUID(uuidString: pid))
            #expect(loaded.$createdBy.id == UUID(uuidString: a.id))
            #expect(SessionLookupTests.values(loaded) == SessionLookupTests.values(fluent))
            #expect(StoredColumns.of(loaded) == StoredColumns.of(fluent))
            #expect(loaded._$idExists && !loaded.hasChanges && StoredColumns.changed(in: loaded).isEmpty)

            // Only what changed is written: a change made meanwhile to another column survives the save.
            try await MessageThread.query(on: app.db).filter(\.$id == id).set(\.$subject, to: "Fonts and colours").update()
            let later = loaded.lastMessageAt.addingTimeInterval(60)
            loaded.lastMessageAt = later
            #expect(StoredColumns.changed(in: loaded) == ["last_message_at"])
            try await loaded.save(on: app.db)
            let after = try #require(try await MessageThread.find(id, on: app.db))
            #expect(after.subject == "Fonts and colours" && after.createdAt == fluent.createdAt)
            #expect(abs(after.lastMessageAt.timeIntervalSince(later)) < 0.001)
            #expect(try await MessageThread.query(on: app.db).count() == 1)
        }
    }

    @Test func aReplyMovesItsThreadIsScoredWhenASideOptedInAndStaysInItsPartnership() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            func post(_ json: String, by account: Account, in partnership: String) async throws -> HTTPStatus {
                try await app.api(.POST, "/partnerships/\(partnership)/messages", token: account.token, json: json).status
            }
            let asked = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"Is the release late?","subject":"Release"}"#)
            let tid = asked.body["threadId"] as? String ?? ""
            let id = try #require(UUID(uuidString: tid))
            let before = try #require(try await MessageThread.find(id, on: app.db))

            // Nobody opted in: a reply in the thread is not analysed.
            #expect(
                try await post(#"{"body":"Sorry, it is late and the tests are failing.","threadId":"\#(tid)"}"#, by: b, in: pid) == .created
            )
            #expect(try await Message.query(on: app.db).filter(\.$sentiment != nil).count() == 0)
            let moved = try #require(try await MessageThread.find(id, on: app.db))
            #expect(moved.lastMessageAt > before.lastMessageAt && moved.subject == "Release" && moved.createdAt == before.createdAt)

            // Northwind opts in: the other side's next reply in the thread is analysed.
            let optIn = try await app.api(.PATCH, "/organization", token: a.token, json: #"{"messageSentiment":true}"#)
            #expect(optIn.status == .ok, "\(optIn.raw)")
            let thanks = "Fixed and shipped. Thanks for your patience, great teamwork!"
            #expect(try await post(#"{"body":"\#(thanks)","threadId":"\#(tid)"}"#, by: b, in: pid) == .created)
            let reply = try #require(try await Message.query(on: app.db).filter(\.$body == thanks).first())
            #expect(reply.sentiment != nil && reply.$thread.id == id)
            #expect(try await MessageThread.query(on: app.db).count() == 1)

            // A thread of another partnership is refused there, and nothing is written.
            let (c, _, other) = try await app.activePartnership(("Carol", "Globex"), ("Dan", "Initech"))
            let messages = try await Message.query(on: app.db).count()
            let latest = try await MessageThread.find(id, on: app.db)?.lastMessageAt
            let refused = try await app.api(
                .POST, "/partnerships/\(other)/messages", token: c.token, json: #"{"body":"Hello","threadId":"\#(tid)"}"#)
            #expect(refused.status == .unprocessableEntity && refused.body["field"] as? String == "threadId", "\(refused.raw)")
            #expect(try await Message.query(on: app.db).count() == messages)
            #expect(try await MessageThread.find(id, on: app.db)?.lastMessageAt == latest)
        }
    }

    /// Posts commit in another order than their own time (PostgreSQL commits them concurrently, SQLite's writer in
    /// arrival order): a reply written before another but stored after it must not move its thread back down the list.
    @Test func anOlderReplyStoredLaterLeavesItsThreadWhereTheNewerOnePutIt() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let alice = Actor(user: try #require(try await User.find(UUID(uuidString: a.id), on: app.db)))
            let bob = Actor(user: try #require(try await User.find(UUID(uuidString: b.id), on: app.db)))
            // Whole seconds: each database stores them exactly.
            let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            let (t1, fontsStarted, t2) = (start.addingTimeInterval(60), start.addingTimeInterval(120), start.addingTimeInterval(180))

            let asked = try await Messages.post(
                .init(body: "Is the release late?", subject: "Release"), in: p, by: alice, now: start, on: app.db)
            let release = asked.$thread.id
            _ = try await Messages.post(.init(body: "Which fonts?", subject: "Fonts"), in: p, by: bob, now: fontsStarted, on: app.db)
            _ = try await Messages.post(.init(body: "Yes, by a day.", threadID: release), in: p, by: bob, now: t2, on: app.db)
            _ = try await Messages.post(.init(body: "Is it?", threadID: release), in: p, by: alice, now: t1, on: app.db)

            #expect(try await MessageThread.find(release, on: app.db)?.lastMessageAt == t2)
            #expect(try await Message.query(on: app.db).filter(\.$thread.$id == release).count() == 3, "the older reply is stored")
            let listed = try await app.api(.GET, "/partnerships/\(pid)/threads", token: a.token)
            #expect(listed.status == .ok, "\(listed.raw)")
            #expect(listed.list.compactMap { $0["subject"] as? String } == ["Release", "Fonts"], "\(listed.raw)")
            #expect(listed.list.first?["lastMessageAt"] as? String == rfc3339(t2), "\(listed.raw)")
        }
    }

    @Test func aReplyWrittenBeforeARequestStoredEarlierDoesNotAnswerIt() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let alice = Actor(user: try #require(try await User.find(UUID(uuidString: a.id), on: app.db)))
            let bob = Actor(user: try #require(try await User.find(UUID(uuidString: b.id), on: app.db)))
            let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            let (t1, t2) = (start.addingTimeInterval(60), start.addingTimeInterval(120))

            let opened = try await Messages.post(.init(body: "Kick-off", subject: "Release"), in: p, by: alice, now: start, on: app.db)
            let release = opened.$thread.id
            let request = try await Messages.post(
                .init(body: "Is the release late?", needsResponse: true, threadID: release), in: p, by: alice, now: t2, on: app.db)
            _ = try await Messages.post(.init(body: "Not that I know.", threadID: release), in: p, by: bob, now: t1, on: app.db)

            #expect(try await Message.find(request.id, on: app.db)?.respondedAt == nil, "a reply written before the request")
            _ = try await Messages.post(
                .init(body: "Yes, by a day.", threadID: release), in: p, by: bob, now: t2.addingTimeInterval(60), on: app.db)
            #expect(try await Message.find(request.id, on: app.db)?.respondedAt == t2.addingTimeInterval(60))
        }
    }
}
