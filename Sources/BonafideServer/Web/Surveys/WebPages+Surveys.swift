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
    private static func surveysPage(_ req: Request, form: NewSurveyForm) async throws -> HTML {
        let model = try await SurveysPage.load(for: try req.requireActor(), form: form, on: req.db)
        return try await page(req, "Surveys", model.render())
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
        let model = try await SurveyPage.load(
            survey, for: actor, recipientsPage: req.query[Int.self, at: "recipients"] ?? 0, baseURL: req.application.bonafide.baseURL,
            csrf: req.csrfToken, on: req.db)
        return try await page(req, model.title, model.render())
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
}
