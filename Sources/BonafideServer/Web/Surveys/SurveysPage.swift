import BonafideCore
import Fluent
import Foundation

/// The organization's surveys with each one's score and answers, each kind's score by month and by campaign across
/// all of them, and the new-survey form (empty, previewed or refused) for those who may create surveys.
struct SurveysPage: Sendable {
    /// One survey with its score and how many of those invited answered.
    struct Row: Sendable {
        var title: String
        var link: String
        var campaign: String
        /// "NPS" or "CSAT".
        var kind: String
        var score: String
        var responded: Int
        var invited: Int
        var status: SurveyStatus
    }

    /// One kind of survey across all surveys: by month, and each campaign against the others.
    struct Trend: Sendable {
        var kind: SurveyKind
        var months: [SurveyTrends.Group]
        var campaigns: [SurveyTrends.Group]
    }

    var rows: [Row]
    var trends: [Trend]
    var mayCreate: Bool
    var form: NewSurveyForm

    static func load(for actor: Actor, form: NewSurveyForm, on db: any Database) async throws -> SurveysPage {
        let list = try await Surveys.list(for: actor, on: db)
        let overview = try await SurveyOverview.load(for: actor.organizationID, on: db)
        var rows: [Row] = []
        for s in list {
            let r = try await SurveyResults.load(s, on: db)
            rows.append(
                Row(
                    title: s.title, link: SiteURL.survey(s.id), campaign: s.campaign, kind: s.kind.rawValue.uppercased(),
                    score: r.summary.text, responded: r.responded, invited: r.invited, status: s.status))
        }
        return SurveysPage(
            rows: rows,
            trends: overview.lines.map { line in
                Trend(
                    kind: line.kind, months: line.months.map(SurveyTrends.Group.init(_:)),
                    campaigns: line.campaigns.map(SurveyTrends.Group.init(_:)))
            }, mayCreate: Policy.canManage(actor), form: form)
    }

    func render() -> HTML {
        let list = HTML.join(
            rows.map { r in
                HTML(
                    """
                    <tr><td><a href="\(r.link)">\(r.title)</a><div class="small muted">\(r.campaign)</div></td>
                    <td>\(r.kind)</td><td>\(r.score)</td><td>\(r.responded) of \(r.invited)</td><td>\(statusBadge(r.status.rawValue, tone: r.status == .open ? "active" : "ended"))</td></tr>
                    """)
            })
        let table: HTML =
            rows.isEmpty
            ? EmptyState(
                icon: .survey, title: "No surveys yet.",
                text:
                    "Ask customers and partners how likely they are to recommend you (NPS) or how satisfied they are (CSAT), and why: each answer's tone is scored and the trends are charted here.",
                action: mayCreate ? ("Create your first survey", SiteURL.newSurveySection) : nil
            ).render()
            : "<table><thead><tr><th>Survey</th><th>Kind</th><th>Score</th><th>Answered</th><th>State</th></tr></thead><tbody>\(list)</tbody></table>"
        let charts = HTML.join(
            trends.map { t in
                HTML(
                    """
                    <section class="card"><h2>\(t.kind.rawValue.uppercased()) by month, all surveys</h2>\(SurveyTrends.chart(t.months, kind: t.kind))\(SurveyTrends.table(t.months, against: "previous month"))
                    \(t.campaigns.isEmpty ? "" : HTML("<h3>By campaign</h3>\(SurveyTrends.table(t.campaigns, against: "other campaigns"))"))</section>
                    """)
            })
        let newSurvey: HTML = mayCreate ? form.render() : ""
        return "<h1>Surveys</h1><section class=\"card\">\(table)</section>\(charts)\(newSurvey)"
    }
}
