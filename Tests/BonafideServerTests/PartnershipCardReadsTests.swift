import BonafideCore
import Fluent
import Foundation
import Testing

@testable import BonafideServer

/// The partnership page's check-ins and documents cards, read with plain queries: they must show what the full
/// models showed.
@Suite("Partnership page cards")
struct PartnershipCardReadsTests {
    /// A weekly series that began 15 days ago (its first meeting held with notes, the second skipped, the third not
    /// recorded, an agenda point for the next) and one that has not begun and has nothing yet.
    @Test func theCheckInsCardShowsWhatTheOverviewReads() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let alice = Actor(user: try #require(try await User.query(on: app.db).filter(\.$email == a.email).first()))
            let bob = Actor(user: try #require(try await User.query(on: app.db).filter(\.$email == b.email).first()))
            let now = Date()
            let first = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 900).rounded(.down) * 900 - 15 * 86_400)
            func series(_ title: String, firstAt: Date, createdAt: Date) async throws -> CheckIn {
                let c = CheckIn()
                c.$partnership.id = p.id!
                c.title = title
                c.frequencyText = CheckInSchedule.Frequency.weekly.rawValue
                c.firstAt = firstAt
                c.durationMinutes = 45
                c.videoLink = "https://meet.example.com/abc"
                c.timeZone = "UTC"
                c.$createdBy.id = alice.id
                c.createdAt = createdAt
                c.sequence = 0
                try await c.save(on: app.db)
                return c
            }
            let weekly = try await series("Weekly sync", firstAt: first, createdAt: first.addingTimeInterval(-86_400))
            let later = try await series("Quarterly planning", firstAt: first.addingTimeInterval(17 * 86_400), createdAt: now)
            _ = try await CheckIns.record(weekly, meeting: first, held: true, notes: "Agreed the plan", in: p, by: alice, on: app.db)
            _ = try await CheckIns.record(
                weekly, meeting: first.addingTimeInterval(7 * 86_400), held: false, notes: nil, in: p, by: bob, on: app.db)
            _ = try await CheckIns.addAgenda("Launch <plan>", to: weekly, in: p, by: bob, on: app.db)

            let read = try await CheckInSeries.all(of: p.id!, now: now, on: app.db)
            let overview = try await CheckIns.overview(of: p, now: now, on: app.db)
            #expect(read.map(\.id) == [weekly.id!, later.id!] && overview.map { $0.checkIn.id! } == read.map(\.id))
            for (r, o) in zip(read, overview) {
                #expect(r.title == o.checkIn.title && r.frequency == o.checkIn.frequency && r.durationMinutes == o.checkIn.durationMinutes)
                #expect(r.videoLink == o.checkIn.videoLink && r.cancelledAt == o.checkIn.cancelledAt && r.next == o.next)
                #expect(r.skipped == o.skipped && r.unrecorded == o.unrecorded)
                #expect(r.agenda == o.agenda.map { CheckInSeries.Point(occursAt: $0.occursAt, text: $0.text, author: $0.author.name) })
                #expect(r.notes == o.notes.map { CheckInSeries.Point(occursAt: $0.occursAt, text: $0.text, author: $0.author.name) })
            }
            let held = read[0]
            #expect(held.agenda.map(\.text) == ["Launch <plan>"] && held.agenda.map(\.author) == ["Bob"])
            #expect(held.notes.map(\.text) == ["Agreed the plan"] && held.notes.map(\.author) == ["Alice"])
            #expect(held.skipped == 1 && held.unrecorded == [first.addingTimeInterval(14 * 86_400)])
            #expect(held.next == first.addingTimeInterval(21 * 86_400))
            let fresh = read[1]
            #expect(fresh.agenda.isEmpty && fresh.notes.isEmpty && fresh.skipped == 0 && fresh.unrecorded.isEmpty)

            let page = try await Browser.signedIn(app, as: a).get("/partnerships/\(pid)").html
            #expect(page.contains("<h3>Weekly sync</h3>") && page.contains("<h3>Quarterly planning</h3>"))
            #expect(page.contains("<li>Launch &lt;plan&gt; <span class=\"small muted\">— Bob</span></li>"))
            #expect(page.contains(": Agreed the plan <span class=\"small muted\">— Alice</span></li>"))
            #expect(page.contains("1 meeting skipped in the last 90 days."))
            #expect(page.contains("<option value=\"\(CheckInsCard.formValue(first.addingTimeInterval(14 * 86_400)))\""))
            #expect(page.contains("Nothing on the next agenda yet."), "the series without anything yet")
        }
    }

    @Test func theDocumentsCardShowsEachDocumentsUploaderSideAndSharing() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let p = try #require(try await Partnership.find(UUID(uuidString: pid), on: app.db))
            let alice = try #require(try await User.query(on: app.db).filter(\.$email == a.email).first())
            let bob = try #require(try await User.query(on: app.db).filter(\.$email == b.email).first())
            let now = Date()
            // (number, uploader, revoked, expired, downloads of at most 2)
            let documents: [(Int, User?, Bool, Bool, Int)] = [
                (1, alice, false, false, 0), (2, bob, true, false, 0), (3, nil, false, true, 0), (4, bob, false, false, 2),
            ]
            for (number, uploader, revoked, expired, downloads) in documents {
                let d = Document()
                d.$partnership.id = p.id!
                d.number = number
                d.$organization.id = (uploader ?? alice).$organization.id
                d.$uploadedBy.id = uploader?.id
                d.size = Int64(1_000 * number)
                d.header = Data([1, 2, 3])
                d.storageKey = "test-\(number)"
                d.createdAt = now.addingTimeInterval(Double(number - 10) * 3_600)
                d.revokedAt = revoked ? now.addingTimeInterval(-60) : nil
                d.expiresAt = expired ? now.addingTimeInterval(-60) : nil
                d.maxDownloads = 2
                d.downloads = downloads
                try await d.save(on: app.db)
            }
            let rows = try await DocumentsCard.rows(of: p.id!, for: alice.$organization.id, at: now, on: app.db)
            #expect(rows.map(\.number) == [4, 3, 2, 1])
            #expect(rows.map(\.uploadedBy) == ["Bob", "a former member", "Bob", "Alice"])
            #expect(rows.map(\.ours) == [false, true, false, true])
            #expect(rows.map(\.state) == ["expired", "expired", "revoked", "shared"])
            #expect(rows.map(\.size) == [4_000, 3_000, 2_000, 1_000])
            // The same as the full models give.
            let models = try await Documents.list(in: p, on: app.db)
            #expect(rows.map(\.id) == models.map { $0.id! })
            #expect(zip(rows, models).allSatisfy { abs($0.createdAt.timeIntervalSince($1.createdAt)) < 0.001 })

            let page = try await Browser.signedIn(app, as: a).get("/partnerships/\(pid)").html
            #expect(page.contains("<td class=\"doc-name\">Document 4</td>") && page.contains("Bob (partner), "))
            #expect(page.contains("a former member, ") && page.contains("Alice, "))
        }
    }
}
