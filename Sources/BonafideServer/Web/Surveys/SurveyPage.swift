import BonafideCore
import Fluent
import Foundation

/// One survey's results (score, response, trend, segments, reasons, extra questions) and, for those who may manage it,
/// its recipients with their personal links and only the actions that would do something now.
struct SurveyPage: Sendable {
    /// An extra question and what was answered to it.
    struct Question: Sendable {
        /// Texts for a text question, counts for a scale or a choice.
        enum Answers: Sendable {
            /// Free text, as written.
            case texts([String])
            /// How many chose each point of the scale or option, with the mean of a scale ("3.40").
            case counts([BarChart.Bar], mean: String?)
        }
        var prompt: String
        var answered: Int
        var answers: Answers
    }

    /// A reason given with an answer.
    struct Comment: Sendable {
        var text: String
        /// Clearly negative: marked as a risk.
        var negative: Bool
        /// "score 3 · sentiment -0.40 · “late” · Enterprise"
        var details: String
    }

    /// A person asked to answer, with where they are in being asked.
    struct Recipient: Sendable {
        /// Their name, or their address when they have none.
        var name: String
        var email: String
        var segment: String
        /// "answered", "reminded 2×", "invited" or "not yet invited".
        var state: String
        /// The signed link they answer at.
        var link: String
    }

    /// The recipients and what may be done with them now.
    struct Recipients: Sendable {
        /// One page of them, in the order they were added.
        var rows: [Recipient]
        var pager: Pager
        /// Still collecting answers: recipients may be added and the survey closed.
        var open: Bool
        /// How many Send would invite; nil when Send is not offered.
        var toInvite: Int?
        var mayRemind: Bool
    }

    /// Each row carries a signed personal link, so a page is kept to 100.
    static let recipientsPageSize = 100

    var id: UUID?
    var title: String
    var kind: SurveyKind
    var campaign: String
    var question: String
    /// Rounded, or "–" before any answer.
    var score: String
    /// "12 to 61", when there are answers.
    var interval: String?
    var answers: Int
    var skipped: Int
    /// "40%", or "no invitations sent yet".
    var responseRate: String
    var responded: Int
    var invited: Int
    var optedOut: Int
    /// "+0.12", when reasons were given.
    var meanSentiment: String?
    /// How many gave each score, lowest first.
    var distribution: [Int]
    var byWeek: [SurveyTrends.Group]
    var bySegment: [SurveyTrends.Group]
    var byCircle: [SurveyTrends.Group]
    var questions: [Question]
    /// Most negative first.
    var comments: [Comment]
    /// Nil for someone who may not manage the survey.
    var recipients: Recipients?
    var csrf: String

    static func load(
        _ survey: Survey, for actor: Actor, recipientsPage: Int, baseURL: String, csrf: String, on db: any Database
    ) async throws -> SurveyPage {
        let r = try await SurveyResults.load(survey, on: db)
        let questions = r.questions.map { q in
            Question(
                prompt: q.question.prompt, answered: q.answered,
                answers: q.question.kind == .text
                    ? .texts(q.texts)
                    : .counts(q.counts.map { BarChart.Bar(label: $0.0, count: $0.1) }, mean: q.mean.map { String(format: "%.2f", $0) }))
        }
        let comments = r.comments.sorted { $0.sentiment < $1.sentiment }.map { c -> Comment in
            var details = c.score.map { "score \($0) · " } ?? ""
            details += "sentiment " + String(format: "%+.2f", c.sentiment)
            if !c.drivers.isEmpty { details += " · " + StoredDrivers.quoted(c.drivers) }
            if !c.segment.isEmpty { details += " · " + c.segment }
            return Comment(text: c.text, negative: c.sentiment < -0.05, details: details)
        }
        var recipients: Recipients?
        if Policy.canManage(actor) {
            recipients = try await loadRecipients(of: survey, page: recipientsPage, baseURL: baseURL, on: db)
        }
        return SurveyPage(
            id: survey.id, title: survey.title, kind: survey.kind, campaign: survey.campaign, question: survey.question,
            score: r.summary.score.map { String(Int($0.rounded())) } ?? "–",
            interval: r.summary.interval.map { "\(Int($0.lowerBound.rounded())) to \(Int($0.upperBound.rounded()))" },
            answers: r.summary.n, skipped: r.skipped,
            responseRate: r.responseRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "no invitations sent yet",
            responded: r.responded, invited: r.invited, optedOut: r.optedOut,
            meanSentiment: r.meanSentiment.map { String(format: "%+.2f", $0) }, distribution: r.summary.distribution,
            byWeek: r.trend.map(SurveyTrends.Group.init(_:)), bySegment: r.segments.map(SurveyTrends.Group.init(_:)),
            byCircle: r.circles.map(SurveyTrends.Group.init(_:)), questions: questions, comments: comments, recipients: recipients,
            csrf: csrf)
    }

    private static func loadRecipients(of survey: Survey, page: Int, baseURL: String, on db: any Database) async throws -> Recipients {
        let key = try await SurveyLinks.key(on: db)
        // Added together, they read in natural order: Customer 2 before Customer 10.
        let all = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).sort(\.$createdAt).all()
            .sorted { a, b in
                a.createdAt != b.createdAt
                    ? a.createdAt < b.createdAt : a.email.compare(b.email, options: [.numeric, .caseInsensitive]) == .orderedAscending
            }
        let size = recipientsPageSize
        let pages = max(1, (all.count + size - 1) / size)
        let index = min(max(page, 0), pages - 1)
        let open = survey.status == .open
        // Only what can do something now: sending needs someone not yet invited, reminding someone invited who has
        // not answered.
        let uninvited = all.filter { $0.invitedAt == nil }.count
        let unanswered = all.filter { $0.invitedAt != nil && $0.respondedAt == nil }.count
        let rows = all.dropFirst(index * size).prefix(size).map { p -> Recipient in
            let state =
                p.respondedAt != nil
                ? "answered" : p.reminders > 0 ? "reminded \(p.reminders)×" : p.invitedAt != nil ? "invited" : "not yet invited"
            return Recipient(
                name: p.name.isEmpty ? p.email : p.name, email: p.email, segment: p.segment, state: state,
                link: SurveyLinks.url(for: p.id!, key: key, baseURL: baseURL))
        }
        return Recipients(
            rows: rows,
            pager: Pager.byOrder(
                previous: index > 0 ? SiteURL.survey(survey.id, recipientsPage: index - 1) : nil,
                next: index + 1 < pages ? SiteURL.survey(survey.id, recipientsPage: index + 1) : nil,
                position: "\(index * size + 1)–\(min(all.count, (index + 1) * size)) of \(all.count)",
                label: "Pages of recipients"),
            open: open, toInvite: open && uninvited > 0 ? uninvited : nil, mayRemind: open && unanswered > 0)
    }

    func render() -> HTML {
        let ci: HTML =
            interval.map { "<span class=\"small muted\">95% interval <span id=\"survey-ci\">\($0)</span></span>" } ?? ""
        let headline: HTML = """
            <p><strong class="trust-figure" id="survey-score">\(score)</strong>\(kind == .csat ? "% satisfied" : " NPS") \(ci)</p>
            <p class="small">\(answers) answer\(answers == 1 ? "" : "s") to the main question\(skipped > 0 ? " (\(skipped) skipped it; skipped answers are not counted)" : "") · \
            response rate \(responseRate) (\(responded) of \(invited) invited) · \(optedOut) opted out\
            \(meanSentiment.map { " · mean sentiment of the reasons \($0)" } ?? "")</p>
            """
        // One week is not a trend yet.
        let trend: HTML =
            byWeek.count < 2
            ? ""
            : "<h3>By week</h3>\(SurveyTrends.chart(byWeek, kind: kind))\(SurveyTrends.table(byWeek, against: "previous week"))"
        let segments: HTML =
            bySegment.isEmpty ? "" : "<h3>By segment</h3>\(SurveyTrends.table(bySegment, against: "everyone else"))"
        let circles: HTML =
            byCircle.isEmpty ? "" : "<h3 id=\"by-circle\">By circle</h3>\(SurveyTrends.table(byCircle, against: "everyone else"))"
        let reasons: HTML =
            comments.isEmpty
            ? "<p class=\"muted\">No reasons given yet.</p>"
            : HTML(
                "<ul id=\"survey-comments\">\(comments.map { c in HTML("<li>“\(c.text)” <span class=\"small \(c.negative ? "risk" : "muted")\">\(c.details)</span></li>") })</ul>"
            )
        let extra: HTML =
            questions.isEmpty
            ? "" : "<section class=\"card\"><h2>Extra questions</h2>\(HTML.join(questions.map(Self.renderQuestion)))</section>"
        return """
            <h1>\(title) <span class="small muted">\(kind.rawValue.uppercased())\(campaign.isEmpty ? "" : " · \(campaign)")</span></h1>
            <section class="card" id="survey-results"><h2>Results</h2><p class="muted">“\(question)”</p>\(headline)
            \(BarChart.scores(distribution, scale: kind.scale, nps: kind == .nps).render())
            \(trend)\(segments)\(circles)
            <p><a href="\(SiteURL.surveyExport(id))">Download all responses (CSV)</a></p></section>
            <section class="card"><h2>Why: reasons, most negative first</h2>\(reasons)</section>
            \(extra)
            \(recipients.map { renderRecipients($0) } ?? "")
            """
    }

    private static func renderQuestion(_ q: Question) -> HTML {
        let body: HTML =
            switch q.answers {
            case .texts(let texts):
                texts.isEmpty ? "<p class=\"muted small\">No answers.</p>" : HTML("<ul>\(texts.map { HTML("<li>\($0)</li>") })</ul>")
            case .counts(let bars, let mean):
                HTML("\(mean.map { HTML("<p class=\"small\">Mean \($0)</p>") } ?? "")\(BarChart(label: q.prompt, bars: bars).render())")
            }
        return "<h3>\(q.prompt) <span class=\"small muted\">\(q.answered) answered</span></h3>\(body)"
    }

    private func renderRecipients(_ m: Recipients) -> HTML {
        let rows = HTML.join(
            m.rows.map { p in
                HTML(
                    """
                    <tr><td>\(p.name)<div class="small muted">\(p.email)</div></td><td>\(p.segment)</td><td>\(p.state)</td>
                    <td><input class="survey-link" readonly value="\(p.link)" aria-label="Personal link for \(p.email)" style="width:100%"></td></tr>
                    """)
            })
        let list: HTML =
            m.rows.isEmpty
            ? "<p class=\"muted\">No one yet.</p>"
            : "<table><thead><tr><th>Person</th><th>Segment</th><th>State</th><th>Personal link (do not share)</th></tr></thead><tbody>\(rows)</tbody></table>\(m.pager.render())"
        return """
            <section class="card" id="recipients"><h2>Recipients</h2>
            \(list)
            \(m.open ? renderActions(m) : "<p class=\"muted\">Closed; answers are no longer collected.</p>")
            <p class="small muted">Invitations and reminders go to the outbox with each person's link; addresses that opted out are never written to.</p></section>
            """
    }

    private func renderActions(_ m: Recipients) -> HTML {
        let send: HTML =
            m.toInvite.map { n in
                "<form method=\"post\" action=\"\(SiteURL.surveySend(id))\">\(csrfField(csrf))<button>Send invitations to the \(n) not yet invited</button></form>"
            } ?? ""
        let remind: HTML =
            m.mayRemind
            ? "<form method=\"post\" action=\"\(SiteURL.surveyRemind(id))\">\(csrfField(csrf))<button class=\"secondary\">Remind those who have not answered</button></form>"
            : ""
        let circles = HTML.join(Circle.allCases.reversed().map { HTML("<option value=\"\($0.rawValue)\">\($0.title)</option>") })
        return """
            \(send)
            \(remind)
            <h3>Add recipients</h3><form method="post" action="\(SiteURL.surveyRecipients(id))">\(csrfField(csrf))
            <label><input type="checkbox" name="partners" value="1"> The people of all our active partners (segment = partner)</label>
            <label for="survey-circle">The people of the organizations in one of our circles</label>
            <select id="survey-circle" name="circle"><option value="">(none)</option>\(circles)</select>
            <label for="survey-csv">Customers as CSV: a header row with email (and optionally name, segment), then one person a line</label>
            <textarea id="survey-csv" name="csv" rows="4" placeholder="email,name,segment&#10;ana@example.com,Ana,Enterprise"></textarea>
            <button>Add recipients</button></form>
            <form method="post" action="\(SiteURL.surveyClose(id))">\(csrfField(csrf))<button class="secondary">Close the survey</button></form>
            """
    }
}
