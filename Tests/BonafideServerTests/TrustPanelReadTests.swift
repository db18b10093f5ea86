import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// The trust panel decodes only what it shows of the newest report (`TrustService.PanelReport`, dates read digit by
/// digit) and of each history point only the overall belief: the panel must show what the whole assessment gave.
@Suite("Trust panel reads")
struct TrustPanelReadTests {
    private struct Dated: Decodable { var d: Date }

    /// What the assessment's own decoding makes of a date's text: the reference for `Date(rfc3339String:)`.
    private static func decodedWhole(_ text: String) -> Date? {
        try? TrustService.decoder.decode(Dated.self, from: Data(#"{"d":"\#(text)"}"#.utf8)).d
    }

    @Test func datesReadDigitByDigitAreTheDecodersDates() {
        var dates: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_868_799), Date(timeIntervalSince1970: 951_868_800),
            Date(timeIntervalSince1970: 4_107_542_400), Date(timeIntervalSince1970: 253_402_300_799),
        ]
        for _ in 0..<5_000 {
            dates.append(Date(timeIntervalSince1970: .random(in: 0..<253_402_300_800)))
        }
        let differing = dates.map(\.rfc3339String).filter { Date(rfc3339String: $0) != Self.decodedWhole($0) }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
        #expect(Date(rfc3339String: "2000-02-29T23:59:59Z") == Date(timeIntervalSince1970: 951_868_799))
        // Not the encoder's form, or not a day of the calendar: left to the decoder's own strategy.
        for text in [
            "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-03-00T00:00:00Z",
            "2025-03-01T24:00:00Z", "2025-03-01T09:60:00Z", "2025-03-01T09:30:60Z", "1969-12-31T23:59:59Z",
            "2025-03-01T09:30:00.5Z", "2025-03-01T09:30:00+01:00", "2025-03-01 09:30:00Z", "2025-03-01T09:30:0aZ", "",
        ] {
            #expect(Date(rfc3339String: text) == nil, "\(text)")
        }
    }

    @Test func thePanelShowsWhatTheWholeAssessmentGave() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await TrustAPITests().acmeRecord(app)
            let viewer = try #require(UUID(uuidString: a.organizationID))
            let subject = try #require(UUID(uuidString: b.organizationID))
            while try await TrustService.drainBatch(on: app.db).claimed > 0 {}
            let (fresh, _) = try await TrustService.current(viewer: viewer, subject: subject, on: app.db)
            // Earlier figures, so the history has points to chart, each with its own belief.
            var earlier: [TrustService.Assessment] = []
            for days in [9.0, 6, 3] {
                var old = fresh
                old.computedAt = Date(timeIntervalSinceNow: -days * 86_400 - 0.25)
                old.overall = Opinion(belief: 0.1 * days / 3, disbelief: 0.05, uncertainty: 1 - 0.1 * days / 3 - 0.05, baseRate: 0.5)
                earlier.append(old)
            }
            try await TrustService.store(earlier, on: app.db)

            let (report, history) = try await TrustService.panel(viewer: viewer, subject: subject, on: app.db)
            // The reference: the newest snapshot and the history through the query builder, every report decoded whole.
            let stored = try #require(try await TrustService.latest(viewer: viewer, subject: subject, on: app.db))
            let wholeHistory = try await TrustService.history(viewer: viewer, subject: subject, on: app.db)
            #expect(report == TrustService.PanelReport(stored.assessment))
            #expect(!report.explanation.isEmpty && report.components.count == 4)
            #expect(history == wholeHistory && history.count >= 4)
            for old in earlier {
                #expect(history.contains { $0.belief == old.overall.belief }, "each point's belief is its own report's")
            }

            let clock = Clock("Europe/Berlin")
            func html(_ assessment: TrustService.PanelReport, _ points: [TrustService.HistoryPoint]) -> String {
                TrustPanel(assessment: assessment, history: points, subject: subject, clock: clock, back: nil, csrf: "t").render().text
            }
            let shown = html(report, history)
            #expect(shown == html(TrustService.PanelReport(stored.assessment), wholeHistory))
            #expect(shown.contains("Your trust in Acme") && shown.contains("Missed “Launch copy”"))
            #expect(shown.contains(#"id="trust-history""#), "points days apart make a chart")

            // What the person sees on the partnership page is that panel.
            let browser = Browser(app)
            _ = try await browser.get("/login")
            _ = try await browser.post("/login", ["email": a.email, "password": "correct horse battery"])
            let page = try await browser.get("/partnerships/\(pid)")
            let figure = Int((stored.assessment.overall.expectation * 100).rounded())
            #expect(page.html.contains(#"<strong class="trust-figure" id="trust-figure">\#(figure)</strong>"#))
            #expect(page.html.contains(#"id="trust-history""#) && page.html.contains("Missed “Launch copy”"))
        }
    }

    @Test func aHistoryPointsBeliefIsTheWholeReportsEvenWhenTextLooksLikeTheKey() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await TrustAPITests().acmeRecord(app)
            let viewer = try #require(UUID(uuidString: a.organizationID))
            let subject = try #require(UUID(uuidString: b.organizationID))
            var (assessment, _) = try await TrustService.current(viewer: viewer, subject: subject, on: app.db)
            // Words that read like the key, in the name written after it and in an explanation written before it.
            assessment.subjectName = #"Acme "overall":{"belief":0.99} \"overall\":{"#
            if !assessment.explanation.isEmpty { assessment.explanation[0].summary = #"said "overall":{"belief":0.98}"# }
            assessment.overall = Opinion(belief: 0.123_456_789_012_345_6, disbelief: 0.2, uncertainty: 0.676_543_210_987_654_4)
            let report = String(decoding: try TrustService.encoder.encode(assessment), as: UTF8.self)
            let whole = try TrustService.decoder.decode(TrustService.Assessment.self, from: Data(report.utf8))
            #expect(TrustService.overallBelief(ofReport: report) == whole.overall.belief)
            #expect(TrustService.overallBelief(ofReport: report) == assessment.overall.belief)
            #expect(
                try TrustService.decoder.decode(TrustService.PanelReport.self, from: Data(report.utf8)) == TrustService.PanelReport(whole))
            // Figures as the encoder writes them: whole, with an exponent, with every digit.
            for belief in [0, 1, 1.5e-7, 0.1 + 0.2] {
                assessment.overall = Opinion(belief: belief, disbelief: 0, uncertainty: 1 - belief)
                let text = String(decoding: try TrustService.encoder.encode(assessment), as: UTF8.self)
                #expect(TrustService.overallBelief(ofReport: text) == belief)
            }
            // Not a report at all: no figure, as when the whole report could not be decoded.
            #expect(TrustService.overallBelief(ofReport: "not json") == nil)
        }
    }

    /// A stored report is decoded once and then answered from memory, only ever for exactly its own text; the memory
    /// is bounded and starts over when full.
    @Test func aReportIsDecodedOnceAndAnsweredOnlyForItsOwnText() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await TrustAPITests().acmeRecord(app)
            let viewer = try #require(UUID(uuidString: a.organizationID))
            let subject = try #require(UUID(uuidString: b.organizationID))
            var (assessment, _) = try await TrustService.current(viewer: viewer, subject: subject, on: app.db)
            let first = String(decoding: try TrustService.encoder.encode(assessment), as: UTF8.self)
            assessment.overall = Opinion(belief: 0.5, disbelief: 0.25, uncertainty: 0.25)
            let second = String(decoding: try TrustService.encoder.encode(assessment), as: UTF8.self)
            assessment.overall = Opinion(belief: 0.25, disbelief: 0.25, uncertainty: 0.5)
            let third = String(decoding: try TrustService.encoder.encode(assessment), as: UTF8.self)
            var decoded: [String] = []
            func decode(_ text: String) -> TrustService.PanelReport? {
                decoded.append(text)
                return try? TrustService.decoder.decode(TrustService.PanelReport.self, from: Data(text.utf8))
            }
            func whole(_ text: String) throws -> TrustService.PanelReport {
                TrustService.PanelReport(try TrustService.decoder.decode(TrustService.Assessment.self, from: Data(text.utf8)))
            }
            let memo = PanelReportMemo(maxEntries: 2)
            #expect(memo.report(of: first, decode) == (try whole(first)))
            #expect(memo.report(of: first, decode) == (try whole(first)))
            #expect(memo.report(of: second, decode) == (try whole(second)))
            #expect(memo.report(of: second, decode) != (try whole(first)))
            #expect(decoded == [first, second])
            #expect(memo.report(of: "not json", decode) == nil)
            // Full with two: the third starts it over, so the first is decoded again.
            #expect(memo.report(of: third, decode) == (try whole(third)))
            #expect(memo.report(of: first, decode) == (try whole(first)))
            #expect(decoded == [first, second, "not json", third, first])
        }
    }
}
