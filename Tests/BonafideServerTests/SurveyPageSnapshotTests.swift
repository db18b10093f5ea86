import BonafideCore
import Foundation
import SnapshotTesting
import Testing

@testable import BonafideServer

/// The survey owner's pages rendered from model values alone (no database, no server), compared with the HTML kept in
/// `__Snapshots__` as in `PageSnapshotTests`: a change to what the surveys list or a survey's results show is a reviewed
/// diff.
@Suite("Survey page snapshots")
struct SurveyPageSnapshotTests {
    static let id: UUID? = UUID(uuidString: "00000000-0000-4000-8000-00000000005a")
    static let otherID: UUID? = UUID(uuidString: "00000000-0000-4000-8000-00000000005b")

    static let months: [SurveyTrends.Group] = [
        .init(label: "2026-10", score: 20, interval: -12...48, summary: "20 (95% interval -12 to 48)", answers: 14, change: .notEnoughData),
        .init(label: "2026-11", score: 45, interval: 21...64, summary: "45 (95% interval 21 to 64)", answers: 31, change: .up),
    ]

    static let surveys = SurveysPage(
        rows: [
            .init(
                title: "Q4 <pilot>", link: SiteURL.survey(id), campaign: "Winter & spring", kind: "NPS",
                score: "45 (95% interval 21 to 64)", responded: 31, invited: 80, status: .open),
            .init(
                title: "Onboarding", link: SiteURL.survey(otherID), campaign: "", kind: "CSAT", score: "no answers yet", responded: 0,
                invited: 0, status: .closed),
        ],
        trends: [
            .init(
                kind: .nps, months: months,
                campaigns: [
                    .init(label: "(no campaign)", score: nil, interval: nil, summary: "no answers yet", answers: 0, change: .notEnoughData),
                    .init(
                        label: "Winter & spring", score: 45, interval: 21...64, summary: "45 (95% interval 21 to 64)", answers: 31,
                        change: .noClearChange),
                ])
        ], mayCreate: true, form: NewSurveyForm(action: SiteURL.surveys(), csrf: "token"))

    @Test func surveysPage() {
        let html = Self.surveys.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains(">Q4 &lt;pilot&gt;</a><div class=\"small muted\">Winter &amp; spring</div>"))
        #expect(html.contains("<h2>NPS by month, all surveys</h2>") && html.contains("<h3>By campaign</h3>"))
        #expect(html.contains("id=\"new-survey\""))
    }

    @Test func surveysPageForSomeoneWhoMayNotCreateSurveys() {
        var page = Self.surveys
        (page.rows, page.trends, page.mayCreate) = ([], [], false)
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("No surveys yet.") && !html.contains("id=\"new-survey\"") && !html.contains("<form"))
    }

    static let survey = SurveyPage(
        id: id, title: "Q4 <pilot>", kind: .nps, campaign: "Winter & spring",
        question: "How likely are you to recommend us to a friend or colleague?", score: "45", interval: "21 to 64", answers: 31,
        skipped: 2, responseRate: "39%", responded: 31, invited: 80, optedOut: 1, meanSentiment: "+0.12",
        distribution: [1, 0, 0, 1, 0, 2, 1, 3, 5, 8, 10],
        byWeek: [
            .init(
                label: "Week of 2026-11-02", score: 30, interval: -5...58, summary: "30 (95% interval -5 to 58)", answers: 12,
                change: .notEnoughData),
            .init(
                label: "Week of 2026-11-09", score: 55, interval: 28...73, summary: "55 (95% interval 28 to 73)", answers: 19,
                change: .noClearChange),
        ],
        bySegment: [
            .init(label: "Enterprise", score: 25, interval: -10...55, summary: "25 (95% interval -10 to 55)", answers: 12, change: .down),
            .init(label: "Startups", score: 58, interval: 31...76, summary: "58 (95% interval 31 to 76)", answers: 19, change: .up),
        ],
        byCircle: [],
        questions: [
            .init(
                prompt: "Which team?", answered: 20,
                answers: .counts([.init(label: "Design", count: 12), .init(label: "Build", count: 8)], mean: nil)),
            .init(
                prompt: "How quick were we?", answered: 18,
                answers: .counts((1...5).map { BarChart.Bar(label: String($0), count: $0 * 2 - 1) }, mean: "3.94")),
            .init(prompt: "Anything else?", answered: 1, answers: .texts(["More <b>weekly</b> calls"])),
        ],
        comments: [
            .init(text: "Slow <b>replies</b>", negative: true, details: "score 4 · sentiment -0.42 · “slow” · Enterprise"),
            .init(text: "Lovely team", negative: false, details: "score 10 · sentiment +0.61"),
        ],
        recipients: .init(
            rows: [
                .init(
                    name: "Ana", email: "ana@cust.example", segment: "Enterprise", state: "answered",
                    link: "https://bonafide.example/s/token-ana"),
                .init(
                    name: "bo@cust.example", email: "bo@cust.example", segment: "", state: "not yet invited",
                    link: "https://bonafide.example/s/token-bo"),
            ], pager: .byOrder(previous: nil, next: nil), open: true, toInvite: 1, mayRemind: true),
        csrf: "token")

    @Test func surveyPageForItsManager() {
        let html = Self.survey.render().text
        assertSnapshot(of: html, as: .lines)
        // What customers wrote is text, never markup.
        #expect(html.contains("<h1>Q4 &lt;pilot&gt; <span class=\"small muted\">NPS · Winter &amp; spring</span></h1>"))
        #expect(html.contains("<li>“Slow &lt;b&gt;replies&lt;/b&gt;” <span class=\"small risk\">") && !html.contains("<b>replies"))
        #expect(
            html.contains(">Send invitations to the 1 not yet invited</button>") && html.contains(">Remind those who have not answered<"))
    }

    @Test func surveyWithNoRecipientsYet() {
        var page = Self.survey
        (page.score, page.interval, page.answers, page.skipped, page.responseRate) = ("–", nil, 0, 0, "no invitations sent yet")
        (page.responded, page.invited, page.optedOut, page.meanSentiment) = (0, 0, 0, nil)
        (page.distribution, page.byWeek, page.bySegment, page.questions, page.comments) = (Array(repeating: 0, count: 11), [], [], [], [])
        page.recipients = .init(rows: [], pager: .byOrder(previous: nil, next: nil), open: true, toInvite: nil, mayRemind: false)
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        // Sending and reminding are offered only when they would reach someone; adding people always is while open.
        #expect(
            html.contains("No one yet.") && !html.contains(SiteURL.surveySend(Self.id)) && !html.contains(SiteURL.surveyRemind(Self.id)))
        #expect(html.contains("action=\"\(SiteURL.surveyRecipients(Self.id))\""))
    }

    @Test func surveySeenBySomeoneWhoMayNotManageIt() {
        var page = Self.survey
        page.recipients = nil
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(!html.contains("id=\"recipients\"") && !html.contains("<form") && !html.contains("survey-link"))
        #expect(html.contains("Download all responses (CSV)"))
    }
}
