import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    // MARK: Owner's side

    static func surveys(_ req: Request) async throws -> HTML {
        try await surveysPage(req, form: NewSurveyForm(action: SiteURL.surveys(), csrf: req.csrfToken))
    }

    /// The surveys list with its trends and the new-survey form (empty, previewed or refused).
    static func surveysPage(_ req: Request, form newSurvey: NewSurveyForm) async throws -> HTML {
        let actor = try req.requireActor()
        let list = try await Surveys.list(for: actor, on: req.db)
        let overview = try await SurveyOverview.load(for: actor.organizationID, on: req.db)
        var rows: [HTML] = []
        for s in list {
            let r = try await SurveyResults.load(s, on: req.db)
            rows.append(
                """
                <tr><td><a href="\(SiteURL.survey(s.id))">\(s.title)</a><div class="small muted">\(s.campaign)</div></td>
                <td>\(s.kind.rawValue.uppercased())</td><td>\(r.summary.text)</td><td>\(r.responded) of \(r.invited)</td><td>\(statusBadge(s.status.rawValue, tone: s.status == .open ? "active" : "ended"))</td></tr>
                """)
        }
        let table: HTML =
            rows.isEmpty
            ? "<p class=\"muted\">No surveys yet.</p>"
            : "<table><thead><tr><th>Survey</th><th>Kind</th><th>Score</th><th>Answered</th><th>State</th></tr></thead><tbody>\(rows)</tbody></table>"
        let trends = HTML.join(
            overview.lines.map { line in
                """
                <section class="card"><h2>\(line.kind.rawValue.uppercased()) by month, all surveys</h2>\(trendChart(line.months, kind: line.kind))\(groupTable(line.months, against: "previous month"))
                \(line.campaigns.isEmpty ? "" : HTML("<h3>By campaign</h3>\(groupTable(line.campaigns, against: "other campaigns"))"))</section>
                """
            })
        let form: HTML = Policy.canManage(actor) ? newSurvey.render() : ""
        return try await page(
            req, "Surveys",
            """
            <h1>Surveys</h1><section class="card">\(table)</section>\(trends)\(form)
            """)
    }

    static func createSurvey(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: NewSurveyForm.fields.map { ($0, field(req, $0)) })
        var form = NewSurveyForm(action: SiteURL.surveys(), values: values, csrf: req.csrfToken)
        do {
            let questions = try Surveys.parseQuestionLines(values["questions"]!)
            if field(req, "preview") == "1" {
                form.preview = questions
                return try await surveysPage(req, form: form).encodeResponse(for: req)
            }
            let survey = try await Surveys.create(
                .init(
                    title: values["title"]!, kind: values["kind"]!, question: values["question"]!, campaign: values["campaign"]!,
                    questions: questions), by: actor, on: req.db)
            req.flash("Survey created. Add recipients, then send the invitations.")
            return req.safeRedirect(to: SiteURL.survey(survey.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            // Shown again as typed, with the refusal next to its field.
            form.problem = problem
            return try await surveysPage(req, form: form).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.surveys())
        }
    }

    static func surveyPage(_ req: Request) async throws -> HTML {
        let actor = try req.requireActor()
        let survey = try await Surveys.survey(uuid(req, "sid"), for: actor, on: req.db)
        let r = try await SurveyResults.load(survey, on: req.db)
        let path = SiteURL.survey(survey.id)
        let interval: HTML =
            r.summary.interval.map { i in
                "<span class=\"small muted\">95% interval <span id=\"survey-ci\">\(Int(i.lowerBound.rounded())) to \(Int(i.upperBound.rounded()))</span></span>"
            } ?? ""
        let rate = r.responseRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "no invitations sent yet"
        let headline: HTML = """
            <p><strong class="trust-figure" id="survey-score">\(r.summary.score.map { String(Int($0.rounded())) } ?? "–")</strong>\(survey.kind == .csat ? "% satisfied" : " NPS") \(interval)</p>
            <p class="small">\(r.summary.n) answer\(r.summary.n == 1 ? "" : "s") to the main question\(r.skipped > 0 ? " (\(r.skipped) skipped it; skipped answers are not counted)" : "") · \
            response rate \(rate) (\(r.responded) of \(r.invited) invited) · \(r.optedOut) opted out\
            \(r.meanSentiment.map { " · mean sentiment of the reasons \(String(format: "%+.2f", $0))" } ?? "")</p>
            """
        let trend: HTML =
            r.trend.count < 2
            ? "" : "<h3>By week</h3>\(trendChart(r.trend, kind: survey.kind))\(groupTable(r.trend, against: "previous week"))"
        let bySegment: HTML = r.segments.isEmpty ? "" : "<h3>By segment</h3>\(groupTable(r.segments, against: "everyone else"))"
        let byCircle: HTML =
            r.circles.isEmpty ? "" : "<h3 id=\"by-circle\">By circle</h3>\(groupTable(r.circles, against: "everyone else"))"
        let segments: HTML = "\(bySegment)\(byCircle)"
        let questions = HTML.join(
            r.questions.map { q in
                let body: HTML =
                    q.question.kind == .text
                    ? (q.texts.isEmpty
                        ? "<p class=\"muted small\">No answers.</p>" : HTML("<ul>\(q.texts.map { HTML("<li>\($0)</li>") })</ul>"))
                    : HTML(
                        "\(q.mean.map { HTML("<p class=\"small\">Mean \(String(format: "%.2f", $0))</p>") } ?? "")\(BarChart(label: q.question.prompt, bars: q.counts.map { BarChart.Bar(label: $0.0, count: $0.1) }).render())"
                    )
                return "<h3>\(q.question.prompt) <span class=\"small muted\">\(q.answered) answered</span></h3>\(body)"
            })
        let comments: HTML =
            r.comments.isEmpty
            ? "<p class=\"muted\">No reasons given yet.</p>"
            : HTML(
                "<ul id=\"survey-comments\">\(r.comments.sorted { $0.sentiment < $1.sentiment }.map { c in HTML("<li>“\(c.text)” <span class=\"small \(c.sentiment < -0.05 ? "risk" : "muted")\">\(c.score.map { "score \($0) · " } ?? "")sentiment \(String(format: "%+.2f", c.sentiment))\(c.drivers.isEmpty ? "" : " · " + StoredDrivers.quoted(c.drivers))\(c.segment.isEmpty ? "" : " · \(c.segment)")</span></li>") })</ul>"
            )
        var manage: HTML = ""
        if Policy.canManage(actor) {
            let key = try await SurveyLinks.key(on: req.db)
            let base = req.application.bonafide.baseURL
            // Added together, they read in natural order: Customer 2 before Customer 10.
            let recipients = try await SurveyRecipient.query(on: req.db).filter(\.$survey.$id == survey.id!).sort(\.$createdAt).all()
                .sorted { a, b in
                    a.createdAt != b.createdAt
                        ? a.createdAt < b.createdAt : a.email.compare(b.email, options: [.numeric, .caseInsensitive]) == .orderedAscending
                }
            // 100 a page: each row carries a signed personal link.
            let pageSize = 100
            let pages = max(1, (recipients.count + pageSize - 1) / pageSize)
            let pageIndex = min(max(req.query[Int.self, at: "recipients"] ?? 0, 0), pages - 1)
            let pager = Pager.byOrder(
                previous: pageIndex > 0 ? SiteURL.survey(survey.id, recipientsPage: pageIndex - 1) : nil,
                next: pageIndex + 1 < pages ? SiteURL.survey(survey.id, recipientsPage: pageIndex + 1) : nil,
                position: "\(pageIndex * pageSize + 1)–\(min(recipients.count, (pageIndex + 1) * pageSize)) of \(recipients.count)",
                label: "Pages of recipients"
            ).render()
            let recipientRows = HTML.join(
                recipients.dropFirst(pageIndex * pageSize).prefix(pageSize).map { p in
                    let state =
                        p.respondedAt != nil
                        ? "answered" : p.reminders > 0 ? "reminded \(p.reminders)×" : p.invitedAt != nil ? "invited" : "not yet invited"
                    let link = SurveyLinks.url(for: p.id!, key: key, baseURL: base)
                    return """
                        <tr><td>\(p.name.isEmpty ? p.email : p.name)<div class="small muted">\(p.email)</div></td><td>\(p.segment)</td><td>\(state)</td>
                        <td><input class="survey-link" readonly value="\(link)" aria-label="Personal link for \(p.email)" style="width:100%"></td></tr>
                        """
                })
            let open = survey.status == .open
            // Only what can do something now: sending needs someone not yet invited, reminding someone invited who has
            // not answered.
            let uninvited = recipients.filter { $0.invitedAt == nil }.count
            let unanswered = recipients.filter { $0.invitedAt != nil && $0.respondedAt == nil }.count
            manage = """
                <section class="card" id="recipients"><h2>Recipients</h2>
                \(recipients.isEmpty ? HTML("<p class=\"muted\">No one yet.</p>") : HTML("<table><thead><tr><th>Person</th><th>Segment</th><th>State</th><th>Personal link (do not share)</th></tr></thead><tbody>\(recipientRows)</tbody></table>\(pager)"))
                \(open ? HTML("""
                \(uninvited > 0 ? HTML("<form method=\"post\" action=\"\(SiteURL.surveySend(survey.id))\">\(csrf(req))<button>Send invitations to the \(uninvited) not yet invited</button></form>") : "")
                \(unanswered > 0 ? HTML("<form method=\"post\" action=\"\(SiteURL.surveyRemind(survey.id))\">\(csrf(req))<button class=\"secondary\">Remind those who have not answered</button></form>") : "")
                <h3>Add recipients</h3><form method="post" action="\(SiteURL.surveyRecipients(survey.id))">\(csrf(req))
                <label><input type="checkbox" name="partners" value="1"> The people of all our active partners (segment = partner)</label>
                <label for="survey-circle">The people of the organizations in one of our circles</label>
                <select id="survey-circle" name="circle"><option value="">(none)</option>\(HTML.join(Circle.allCases.reversed().map { HTML("<option value=\"\($0.rawValue)\">\($0.title)</option>") }))</select>
                <label for="survey-csv">Customers as CSV: a header row with email (and optionally name, segment), then one person a line</label>
                <textarea id="survey-csv" name="csv" rows="4" placeholder="email,name,segment&#10;ana@example.com,Ana,Enterprise"></textarea>
                <button>Add recipients</button></form>
                <form method="post" action="\(SiteURL.surveyClose(survey.id))">\(csrf(req))<button class="secondary">Close the survey</button></form>
                """) : HTML("<p class=\"muted\">Closed; answers are no longer collected.</p>"))
                <p class="small muted">Invitations and reminders go to the outbox with each person's link; addresses that opted out are never written to.</p></section>
                """
        }
        return try await page(
            req, survey.title,
            """
            <h1>\(survey.title) <span class="small muted">\(survey.kind.rawValue.uppercased())\(survey.campaign.isEmpty ? "" : " · \(survey.campaign)")</span></h1>
            <section class="card" id="survey-results"><h2>Results</h2><p class="muted">“\(survey.question)”</p>\(headline)
            \(BarChart.scores(r.summary.distribution, scale: survey.kind.scale, nps: survey.kind == .nps).render())
            \(trend)\(segments)
            <p><a href="\(SiteURL.surveyExport(survey.id))">Download all responses (CSV)</a></p></section>
            <section class="card"><h2>Why: reasons, most negative first</h2>\(comments)</section>
            \(questions.text.isEmpty ? "" : HTML("<section class=\"card\"><h2>Extra questions</h2>\(questions)</section>"))
            \(manage)
            """)
    }

    static func surveyAction(_ req: Request, _ work: @escaping @Sendable (Actor, Survey) async throws -> String) async throws -> Response {
        let actor = try req.requireActor()
        let back = SiteURL.survey(uuid(req, "sid"))
        return try await act(req, back: back) {
            let survey = try await Surveys.survey(uuid(req, "sid"), for: actor, on: req.db)
            req.flash(try await work(actor, survey))
            return back
        }
    }

    static func addSurveyRecipients(_ req: Request) async throws -> Response {
        try await surveyAction(req) { actor, survey in
            let csv = field(req, "csv")
            let people =
                csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [] : try await Offload.cpu { try Surveys.parseCSV(csv) }
            let partners = field(req, "partners") == "1"
            let circleName = field(req, "circle")
            let circle = Circle(rawValue: circleName)
            guard circleName.isEmpty || circle != nil else { throw Problem.invalid("circle", "Choose one of your circles.") }
            guard !people.isEmpty || partners || circle != nil else {
                throw Problem.invalid("csv", "Paste a CSV of customers, tick the partners box or choose a circle.")
            }
            let r = try await Surveys.addRecipients(people, partners: partners, circle: circle, to: survey, by: actor, on: req.db)
            return "Added \(r.added); \(r.alreadyThere) were already there; \(r.optedOut) skipped because they opted out."
        }
    }

    static func sendSurvey(_ req: Request) async throws -> Response {
        try await surveyAction(req) { actor, survey in
            let n = try await Surveys.send(survey, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            return n == 0 ? "Everyone was already invited." : "Invited \(n) \(n == 1 ? "person" : "people"), each with a personal link."
        }
    }

    static func remindSurvey(_ req: Request) async throws -> Response {
        try await surveyAction(req) { actor, survey in
            let n = try await Surveys.remind(survey, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            return n == 0 ? "No one is due a reminder (a day apart, at most 3, never after answering or opting out)." : "Reminded \(n)."
        }
    }

    static func closeSurvey(_ req: Request) async throws -> Response {
        try await surveyAction(req) { actor, survey in
            try await Surveys.close(survey, by: actor, on: req.db)
            return "Closed; no more answers are collected."
        }
    }

    static func exportSurvey(_ req: Request) async throws -> Response {
        let survey = try await Surveys.survey(uuid(req, "sid"), for: try req.requireActor(), on: req.db)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        let name = survey.title.filter { $0.isLetter || $0.isNumber || $0 == " " }.replacingOccurrences(of: " ", with: "-")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name.isEmpty ? "survey" : name)-responses.csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: try await SurveyResults.csv(survey, on: req.db)))
    }

    // MARK: Respondent's side (no account; the link is the credential)

    static func answerForm(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitSurveyLinkAttempts()
        let invitation = try await Surveys.invitation(token: token, on: req.db)
        let model = try await SurveyAnswerPage.load(invitation, token: token, csrf: req.csrfToken, on: req.db)
        return try await customerPage(req, model.pageTitle, model.render()).encodeResponse(for: req)
    }

    static func submitAnswer(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitSurveyLinkAttempts()
        let invitation = try await Surveys.invitation(token: token, on: req.db)
        let rawScore = field(req, "score").trimmingCharacters(in: .whitespaces)
        var values = ["score": rawScore, "reason": field(req, "reason")]
        var answers: [String: SurveyAnswer] = [:]
        for q in invitation.survey.questions {
            let value = field(req, "a_\(q.id)")
            if value.isEmpty { continue }
            values["a_\(q.id)"] = value
            answers[q.id] = q.kind == .scale ? Int(value).map(SurveyAnswer.number) ?? .text(value) : .text(value)
        }
        do {
            guard rawScore.isEmpty || Int(rawScore) != nil else { throw Problem.invalid("score", "Choose one of the scores, or none.") }
            _ = try await Surveys.respond(
                to: invitation, .init(score: Int(rawScore), reason: values["reason"]!, answers: answers), on: req.db)
        } catch let problem as Problem {
            // Answered or closed meanwhile: the page says so. Otherwise the answer comes back as given, with the reason.
            let conflict = problem.status == .conflict
            let model = try await SurveyAnswerPage.load(
                conflict ? try await Surveys.invitation(token: token, on: req.db) : invitation, token: token,
                values: conflict ? [:] : values, problem: conflict ? nil : problem, csrf: req.csrfToken, on: req.db)
            return try await customerPage(req, model.pageTitle, model.render()).encodeResponse(status: problem.status, for: req)
        }
        return try await customerPage(
            req, "Thank you",
            "<div class=\"card\"><h1>Thank you</h1><p id=\"survey-thanks\">Your answer reached \(invitation.organizationName).</p></div>"
        ).encodeResponse(status: .created, for: req)
    }

    static func optOut(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitSurveyLinkAttempts()
        let invitation = try await Surveys.optOut(token: token, on: req.db)
        return try await customerPage(
            req, "Opted out",
            "<div class=\"card\"><h1>Done</h1><p id=\"survey-opted-out\">\(invitation.organizationName) will not send you any more surveys or reminders.</p></div>"
        ).encodeResponse(for: req)
    }

    // MARK: Charts (inline SVG)

    /// Score per period with its 95% interval as a whisker.
    static func trendChart(_ groups: [SurveyResults.Group], kind: SurveyKind) -> HTML {
        IntervalChart(
            label: "Score over time with 95% intervals",
            points: groups.compactMap { g in
                guard let score = g.summary.score, let interval = g.summary.interval else { return nil }
                return IntervalChart.Point(
                    period: g.label, value: score, interval: interval, change: g.change,
                    title:
                        "\(g.label): \(Int(score.rounded())) (\(Int(interval.lowerBound.rounded())) to \(Int(interval.upperBound.rounded()))), \(g.change.rawValue)"
                )
            }, range: kind == .nps ? -100...100 : 0...100, reference: kind == .nps ? 0 : 50, valueText: { String(Int($0)) }
        ).render()
    }

    static func groupTable(_ groups: [SurveyResults.Group], against: String) -> HTML {
        let rows = HTML.join(
            groups.map { g in
                let change: HTML =
                    switch g.change {
                    case .up: "<span class=\"badge\">higher</span>"
                    case .down: "<span class=\"risk\">lower</span>"
                    case .noClearChange: "<span class=\"muted\">no clear difference</span>"
                    case .notEnoughData: "<span class=\"muted\">–</span>"
                    }
                return "<tr><td>\(g.label)</td><td>\(g.summary.text)</td><td>\(g.summary.n)</td><td>\(change)</td></tr>"
            })
        return
            "<table class=\"score-groups\"><thead><tr><th></th><th>Score</th><th>Answers</th><th>Against \(against)</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}
